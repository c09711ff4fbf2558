using MetricsOperator.Generation;

namespace MetricsOperator;

/// <summary>
/// What the controller runtime itself needs, declared here because src/Runtime does not see the generator's
/// attribute. <c>generate rbac</c> turns these into config/rbac.
/// </summary>
// Events on the objects reconciled: the runtime's EventRecorder creates core/v1 Events and patches a repeated
// one's count.
[RbacRule(Groups = "", Resources = "events", Verbs = "create,patch")]
// Leader election: the runtime's LeaderElector reads, creates and replaces (PUT) a coordination.k8s.io/v1 Lease,
// only in the operator's own namespace.
[RbacRule(Groups = "coordination.k8s.io", Resources = "leases", Verbs = "get,create,update", Scope = RbacScope.OperatorNamespace)]
internal static class ManagerPermissions;
