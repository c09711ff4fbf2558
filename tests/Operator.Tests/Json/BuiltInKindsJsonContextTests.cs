using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;
using MetricsOperator.Cli;
using MetricsOperator.Generation;
using MetricsOperator.Hosting;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Tests.Json;

/// <summary>
/// The operator's JSON knows exactly the built-in kinds it may touch: every kind its RBAC rules grant has metadata
/// (a kind without it fails at its first read or write, in a Native AOT binary too), and every kind it lists is granted.
/// </summary>
public sealed class BuiltInKindsJsonContextTests
{
    // Objects, not lists (a list model carries its item kind's plural too).
    private static readonly Type[] Models = [.. typeof(V1Pod).Assembly.GetTypes().Where(t => t.IsAssignableTo(typeof(k8s.IKubernetesObject<V1ObjectMeta>)))];

    [Fact]
    public void Every_built_in_kind_the_RBAC_rules_grant_can_be_read_and_written()
    {
        var granted = GrantedKinds();
        granted.ShouldNotBeEmpty();
        foreach (var kind in granted)
        {
            KubeJson.Options.TryGetTypeInfo(kind, out _).ShouldBeTrue($"{kind.Name} is granted by an [RbacRule] but has no JSON metadata: add it to BuiltInKindsJsonContext");
        }

        // The tests' own kinds must not be what makes a granted kind work.
        Listed(typeof(TestKindsJsonContext)).Intersect(granted).ShouldBeEmpty();
    }

    [Fact]
    public void Every_kind_in_the_operators_context_is_one_the_RBAC_rules_grant()
    {
        var listed = Listed(typeof(BuiltInKindsJsonContext));
        listed.ShouldNotBeEmpty();
        listed.Except(GrantedKinds()).ShouldBeEmpty("a kind listed in BuiltInKindsJsonContext that no [RbacRule] grants is metadata the binary carries for nothing");
    }

    private static List<Type> Listed(Type context) =>
    [
        .. context.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(JsonSerializableAttribute))
            .Select(a => (Type)a.ConstructorArguments[0].Value!),
    ];

    // The v1 model of each (group, resource) an [RbacRule] of the operator names, outside metrics.lsst.io.
    private static List<Type> GrantedKinds()
    {
        var rules = typeof(GenerateCommand).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RbacRuleAttribute>());
        var resources = rules
            .SelectMany(rule => rule.Groups.Split(',').SelectMany(group => rule.Resources.Split(',').Select(resource => (Group: group.Trim(), Resource: resource.Trim()))))
            .Where(r => r.Group != "metrics.lsst.io" && !r.Resource.Contains('/', StringComparison.Ordinal))
            .Distinct()
            .ToList();
        return
        [
            .. resources.Select(r => Models.SingleOrDefault(t => t.GetCustomAttribute<KubernetesEntityAttribute>() is { ApiVersion: "v1" } entity
                    && entity.Group == r.Group && entity.PluralName == r.Resource)
                ?? throw new InvalidOperationException($"no v1 model for {r.Resource} in group '{r.Group}'")),
        ];
    }
}
