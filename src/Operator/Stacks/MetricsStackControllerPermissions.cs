using MetricsOperator.Generation;

namespace MetricsOperator.Stacks;

/// <summary>
/// What the MetricsStack reconciler needs from the API server. <c>generate rbac</c> turns these into
/// config/rbac; keep them next to the reconciler and as narrow as its code.
/// </summary>
// Its own kind: watched, finalizer added and removed (patch/update), status written.
[RbacRule(Groups = "metrics.lsst.io", Resources = "metricsstacks", Verbs = "get,list,watch,patch,update")]
[RbacRule(Groups = "metrics.lsst.io", Resources = "metricsstacks/status", Verbs = "get,patch,update")]
// Setting an ownerReference with blockOwnerDeletion on a child needs update on the owner's finalizers.
[RbacRule(Groups = "metrics.lsst.io", Resources = "metricsstacks/finalizers", Verbs = "update")]
// Children are watched cluster-wide (the cache maps their changes back to their stack), but written only where the
// stack-namespace role is bound: creating a Deployment in a namespace is as strong as reading every Secret there (its
// pods may mount any of them and run as any ServiceAccount), and deleting a claim loses data. Writes are server-side
// apply (an apply that creates checks "create" as well as "patch"); delete removes parts turned off in the spec and,
// for the InfluxDB and Grafana claims, only with deletionPolicy Delete. No "update": the operator never PUTs a child.
[RbacRule(Groups = "apps", Resources = "statefulsets,deployments", Verbs = "get,list,watch")]
[RbacRule(Groups = "", Resources = "services,configmaps,persistentvolumeclaims", Verbs = "get,list,watch")]
[RbacRule(Groups = "networking.k8s.io", Resources = "networkpolicies,ingresses", Verbs = "get,list,watch")]
[RbacRule(Groups = "apps", Resources = "statefulsets,deployments", Verbs = "create,patch,delete", Scope = RbacScope.StackNamespace)]
[RbacRule(Groups = "", Resources = "services,configmaps,persistentvolumeclaims", Verbs = "create,patch,delete", Scope = RbacScope.StackNamespace)]
[RbacRule(Groups = "networking.k8s.io", Resources = "networkpolicies,ingresses", Verbs = "create,patch,delete", Scope = RbacScope.StackNamespace)]
// Secrets only in namespaces that hold a MetricsStack (a RoleBinding per such namespace), and never listed or
// watched: the operator GETs the Secrets a spec names and creates the ones holding the tokens it made. Caching
// Secrets cluster-wide is how prometheus-operator grew past 500 MiB, and reading other namespaces' Secrets is
// not something this operator needs. No delete: its own Secrets go with the stack through ownerReferences.
[RbacRule(Groups = "", Resources = "secrets", Verbs = "get,create,patch", Scope = RbacScope.StackNamespace)]
// The listener token goes to namespaces that opt in with a label: their Namespace objects are watched (only labelled ones
// are cached). The copies are the one write outside stack namespaces, held as narrow as RBAC allows: Kubernetes cannot
// limit create by name, so create is cluster-wide (it cannot read or change an existing Secret); reading, changing and
// deleting are limited to Secrets named metrics-write-token (WriteTokenSecrets.CopyName), and the operator changes or
// deletes only the ones carrying its stack's source annotation.
[RbacRule(Groups = "", Resources = "namespaces", Verbs = "get,list,watch")]
[RbacRule(Groups = "", Resources = "secrets", Verbs = "create")]
[RbacRule(Groups = "", Resources = "secrets", Verbs = "get,patch,delete", ResourceNames = "metrics-write-token")]
// Growing a volume: whether its StorageClass allows expansion is read first, to say so instead of a bare refusal.
[RbacRule(Groups = "storage.k8s.io", Resources = "storageclasses", Verbs = "get")]
internal static class MetricsStackControllerPermissions;
