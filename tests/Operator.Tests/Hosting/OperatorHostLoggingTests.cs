using k8s;
using MetricsOperator.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MetricsOperator.Tests.Hosting;

/// <summary>What the operator's host logs by default: the controllers at Information, ASP.NET Core's requests not.</summary>
public class OperatorHostLoggingTests
{
    private static readonly KubernetesClientConfiguration Nowhere = new() { Host = "https://127.0.0.1:1" };

    [Fact]
    public async Task Probes_and_scrapes_are_not_logged_but_the_controllers_and_asp_net_core_warnings_are()
    {
        await using var host = OperatorHost.Build(new OperatorOptions(), Nowhere);
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();

        // The categories of ASP.NET Core's four lines per request ("Request starting", "Executing endpoint", ...).
        loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information).ShouldBeFalse();
        loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Information).ShouldBeFalse();
        loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning).ShouldBeTrue();
        loggers.CreateLogger("MetricsOperator.Runtime.Controller").IsEnabled(LogLevel.Information).ShouldBeTrue();
        loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information).ShouldBeTrue("start and stop are still said");
    }

    [Fact]
    public async Task Configuration_given_to_the_host_turns_request_logging_back_on()
    {
        // The same configuration key the environment sets (Logging__LogLevel__Microsoft.AspNetCore=Information), given
        // on the host's command line: any source after the defaults wins.
        await using var host = OperatorHost.Build(new OperatorOptions(), Nowhere, ["--Logging:LogLevel:Microsoft.AspNetCore=Information"]);
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();
        loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information).ShouldBeTrue();
    }
}
