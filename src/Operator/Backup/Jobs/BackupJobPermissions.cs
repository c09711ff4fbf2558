using MetricsOperator.Generation;

namespace MetricsOperator.Backup.Jobs;

/// <summary>
/// What backups to a PersistentVolumeClaim need: Jobs and a look at their pods' termination messages, in the
/// namespaces that hold a MetricsStack only. Creating a Job is as strong as reading every Secret of its namespace
/// (its pod may name any of them), so, like Secrets, it is granted per stack namespace and never cluster-wide.
/// No watch (a run polls its one Job), no update or patch (a Job is created whole and deleted when done).
/// </summary>
[RbacRule(Groups = "batch", Resources = "jobs", Verbs = "get,list,create,delete", Scope = RbacScope.StackNamespace)]
[RbacRule(Groups = "", Resources = "pods", Verbs = "list", Scope = RbacScope.StackNamespace)]
internal static class BackupJobPermissions;
