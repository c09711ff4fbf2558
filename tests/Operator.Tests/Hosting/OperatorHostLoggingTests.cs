using k8s;
using MetricsOperator.Hosting;
using MetricsOperator.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetricsOperator.Tests.Hosting;

/// <summary>What the operator's host logs, and where its configuration comes from.</summary>
public class OperatorHostLoggingTests
{
    private static readonly KubernetesClientConfiguration Nowhere = new() { Host = "https://127.0.0.1:1" };

    [Fact]
    public async Task The_controllers_and_the_host_log_at_information_by_default()
    {
        var host = OperatorHost.Build(new OperatorOptions(), Nowhere);
        await using var disposeHost = (IAsyncDisposable)host;
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();

        loggers.CreateLogger("MetricsOperator.Runtime.Controller").IsEnabled(LogLevel.Information).ShouldBeTrue();
        loggers.CreateLogger("MetricsOperator.Runtime.Controller").IsEnabled(LogLevel.Debug).ShouldBeFalse();
        loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information).ShouldBeTrue("start and stop are still said");
    }

    [Fact]
    public async Task Configuration_given_to_the_host_sets_the_levels()
    {
        // The key the chart's logLevel value sets in the environment (Logging__LogLevel__Default), given on the host's
        // command line, which reads the same configuration.
        var host = OperatorHost.Build(new OperatorOptions(), Nowhere, ["--Logging:LogLevel:Default=Debug", "--Logging:LogLevel:Microsoft.Hosting=Warning"]);
        await using var disposeHost = (IAsyncDisposable)host;
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();

        loggers.CreateLogger("MetricsOperator.Runtime.Controller").IsEnabled(LogLevel.Debug).ShouldBeTrue();
        loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information).ShouldBeFalse();
    }

    [Fact]
    public void The_probe_address_is_checked_when_the_host_is_built()
    {
        Should.Throw<ArgumentException>(() => OperatorHost.Build(new OperatorOptions { ProbeAddress = "http://operator.example:8080" }, Nowhere))
            .Message.ShouldContain("\"operator.example\" is not an IP address");
    }

    [Fact]
    public async Task The_host_serves_the_probes_at_the_probe_address()
    {
        var host = OperatorHost.Build(new OperatorOptions { ProbeAddress = "http://127.0.0.1:0" }, Nowhere);
        await using var disposeHost = (IAsyncDisposable)host;
        var probes = host.Services.GetRequiredService<ProbeServer>();
        await probes.StartAsync(CancellationToken.None); // the probe server alone: the manager would dial the API server
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://{probes.Endpoint}") };
            (await http.GetStringAsync(new Uri("/healthz", UriKind.Relative))).ShouldBe("ok");
            (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode.ShouldBe(System.Net.HttpStatusCode.ServiceUnavailable);
            (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).ShouldContain("controller_runtime_");
        }
        finally
        {
            await probes.StopAsync(CancellationToken.None);
        }
    }
}
