using MetricsOperator.Generation;

namespace MetricsOperator.Alerts;

/// <summary>
/// What the AppAlert reconciler needs from the API server. <c>generate rbac</c> turns these into config/rbac;
/// keep them next to the reconciler and as narrow as its code.
/// </summary>
// Its own kind: watched, the finalizer that removes the Grafana rule group added and removed, status written.
[RbacRule(Groups = "metrics.lsst.io", Resources = "appalerts", Verbs = "get,list,watch,patch,update")]
[RbacRule(Groups = "metrics.lsst.io", Resources = "appalerts/status", Verbs = "get,patch,update")]
[RbacRule(Groups = "metrics.lsst.io", Resources = "appalerts/finalizers", Verbs = "update")]
// The stack an AppAlert names (or the only one): its Grafana, contact points and readiness.
[RbacRule(Groups = "metrics.lsst.io", Resources = "metricsstacks", Verbs = "get,list,watch")]
// The Grafana credentials live in the stack's namespace, never in the app's.
[RbacRule(Groups = "", Resources = "secrets", Verbs = "get", Scope = RbacScope.StackNamespace)]
internal static class AppAlertControllerPermissions;
