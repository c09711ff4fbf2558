using MetricsOperator.TestSupport;
using MetricsOperator.LocalCluster;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// Gives integration tests the process-wide control plane (started on first use, stopped
/// at process exit) with this repository's generated CRDs and RBAC installed.
/// </summary>
public sealed class ApiServerFixture : IAsyncLifetime
{
    private ControlPlane? _plane;

    /// <summary>The control plane.</summary>
    public ControlPlane Plane => _plane ?? throw new InvalidOperationException("fixture not initialised");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _plane = await ControlPlane.SharedAsync();
        await ClusterSetup.InstallGeneratedAsync(_plane);
    }

    /// <inheritdoc />
    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>All tests that use the shared API server; xunit runs a collection's tests one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SharedApiServer : ICollectionFixture<ApiServerFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "api-server";
}
