namespace MetricsOperator.Hosting;

/// <summary>
/// The operator's controllers, registered in one place. Each reconciler declares the RBAC it
/// needs next to itself; <c>generate rbac</c> collects those declarations.
/// </summary>
internal static class OperatorControllers
{
    /// <summary>Names of the controllers <see cref="Register"/> adds, for the startup summary.</summary>
    public static IReadOnlyList<string> Names { get; } = [];

    /// <summary>Adds every controller to the service collection.</summary>
    public static void Register(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
    }
}
