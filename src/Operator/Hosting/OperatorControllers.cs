using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Hosting;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MetricsOperator.Hosting;

/// <summary>
/// The operator's controllers, registered in one place. Each reconciler declares the RBAC it
/// needs next to itself; <c>generate rbac</c> collects those declarations.
/// </summary>
internal static class OperatorControllers
{
    /// <summary>Names of the controllers <see cref="Register"/> adds, for the startup summary.</summary>
    public static IReadOnlyList<string> Names { get; } = [MetricsStackReconciler.ControllerName];

    /// <summary>Adds every controller to the service collection.</summary>
    public static void Register(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(StackBuildOptions.Default);
        services.AddController(b => b.For<V1Alpha1MetricsStack>()
            .Named(MetricsStackReconciler.ControllerName)
            .Owns<V1StatefulSet>()
            .Owns<V1Deployment>()
            .Owns<V1Service>()
            .Owns<V1ConfigMap>()
            .Owns<V1PersistentVolumeClaim>()
            .Owns<V1NetworkPolicy>()
            .WithFinalizer<MetricsStackFinalizer>()
            .Complete<MetricsStackReconciler>());
    }
}
