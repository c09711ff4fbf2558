using System.Net;
using MetricsOperator.Fakes.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MetricsOperator.Fakes.Hosting;

/// <summary>
/// Hosting shared by the fakes: Kestrel on 127.0.0.1 (a free port on first start, the same port on restarts, so a
/// client configured once sees "connection refused" while stopped and recovers when started), request counting,
/// fault injection and the contract layer around the fake's own authentication and endpoints.
/// State lives in the fake, not in the web host, so it survives <see cref="StopAsync"/>/<see cref="StartAsync"/>.
/// </summary>
public abstract class FakeServer : IAsyncDisposable
{
    private readonly SemaphoreSlim lifecycle = new(1, 1);
    private readonly ContractMiddleware contract;
    private WebApplication? app;
    private int port;

    protected FakeServer(ContractRules rules)
    {
        Rules = rules;
        contract = new ContractMiddleware(rules, Contract);
    }

    /// <summary>Contract violations seen so far; call <see cref="ContractViolationLog.AssertNoContractViolations"/> at a test's end.</summary>
    public ContractViolationLog Contract { get; } = new();

    /// <summary>Requests counted by method and spec template.</summary>
    public RequestCounter Requests { get; } = new();

    /// <summary>Latency, 503s, planned failures, connection resets.</summary>
    public FaultInjector Faults { get; } = new();

    /// <summary>Base address, e.g. <c>http://127.0.0.1:41234/</c>. Valid after the first start.</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{port}/");

    /// <summary>Base address without the trailing slash, as InfluxDB and Grafana clients take it.</summary>
    public string Url => $"http://127.0.0.1:{port}";

    /// <summary>Whether the fake is accepting connections.</summary>
    public bool IsRunning => app is not null;

    /// <summary>The contract the fake checks against.</summary>
    protected ContractRules Rules { get; }

    /// <summary>Starts listening (again, on the same port after a stop).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (app is not null)
            {
                return;
            }

            var built = Build();
            await built.StartAsync(cancellationToken);
            if (port == 0)
            {
                var address = built.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                port = new Uri(address).Port;
            }

            app = built;
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Stops listening: clients get "connection refused" until <see cref="StartAsync"/>. State is kept.</summary>
    public async Task StopAsync()
    {
        await lifecycle.WaitAsync();
        try
        {
            if (app is null)
            {
                return;
            }

            await app.StopAsync();
            await app.DisposeAsync();
            app = null;
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>An HttpClient for this fake (base address set, no credentials).</summary>
    public HttpClient CreateClient(TimeSpan? timeout = null) =>
        new() { BaseAddress = BaseUri, Timeout = timeout ?? TimeSpan.FromSeconds(30) };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        lifecycle.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Authentication: answer 401/403 or call <paramref name="continuation"/>.</summary>
    protected abstract Task AuthenticateAsync(HttpContext context, RequestDelegate continuation);

    /// <summary>Maps the fake's endpoints.</summary>
    protected abstract void MapEndpoints(WebApplication application);

    /// <summary>Writes an error the way the real server words it.</summary>
    protected Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(Rules.ErrorJson(status, message), context.RequestAborted);
    }

    private WebApplication Build()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var application = builder.Build();

        if (Rules.Document is null)
        {
            // No spec to check against (no contracts folder beside a user's clone): state, authentication, counters and
            // faults work as ever; requests are counted under the fake's own route templates, written as the spec's.
            application.Use(CountAndInjectFaultsAsync);
            application.Use(AuthenticateAsync);
        }
        else
        {
            application.Use(contract.MatchAsync);
            application.Use(CountAndInjectFaultsAsync);
            application.Use(contract.CheckResponseAsync);
            application.Use(AuthenticateAsync);
            application.Use(contract.CheckRequestAsync);
        }

        MapEndpoints(application);
        // Routing and endpoint execution wrap the middleware above (WebApplication adds them); anything the spec
        // allows but the fake does not serve ends here.
        application.MapFallback(context => WriteErrorAsync(context, StatusCodes.Status501NotImplemented,
            $"the fake does not implement {context.Request.Method} {context.Request.Path}"));
        return application;
    }

    // The template of the fake endpoint routing chose (routing runs before this middleware); not the catch-all fallback.
    private static string? RouteTemplate(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } text } && !text.StartsWith('{') ? text : null;

    private async Task CountAndInjectFaultsAsync(HttpContext context, RequestDelegate next)
    {
        var template = context.Features.Get<ContractRouteFeature>()?.TemplateOr(context.Request.Path.Value ?? "/")
            ?? RouteTemplate(context)
            ?? context.Request.Path.Value ?? "/";
        Requests.Record(context.Request.Method, template);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var fault = await Faults.ApplyAsync(context, template);
        switch (fault)
        {
            case null:
                await next(context);
                Requests.RecordAnswerTime(context.Request.Method, template, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                break;
            case 0:
                break; // connection aborted
            default:
                await WriteErrorAsync(context, fault.Value, Faults.TakenMessage ?? $"injected fault: {fault.Value}");
                break;
        }
    }
}
