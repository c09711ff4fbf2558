using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi.Models;

namespace MetricsOperator.Fakes.Contracts;

/// <summary>What the contract layer learnt about the current request; later middleware and handlers read it.</summary>
public sealed class ContractRouteFeature(RouteMatch? match, OpenApiOperation? operation)
{
    /// <summary>The spec template matched, or null.</summary>
    public RouteMatch? Match { get; } = match;

    /// <summary>The spec operation for the request's method, or null.</summary>
    public OpenApiOperation? Operation { get; } = operation;

    /// <summary>The template when one matched, else the raw path: the key request counters use.</summary>
    public string TemplateOr(string path) => Match?.Template ?? path;

    internal bool RejectedByContract { get; set; }
}

/// <summary>
/// The contract layer as ASP.NET Core middleware, in three steps the fake host places around its own:
/// <see cref="MatchAsync"/> first (so counters and faults know the template), <see cref="CheckResponseAsync"/> outside
/// authentication (so 401s are checked too), <see cref="CheckRequestAsync"/> inside it (a real server authenticates
/// before it reads the body).
/// </summary>
public sealed class ContractMiddleware
{
    private readonly ContractRules rules;
    private readonly ContractViolationLog log;
    private readonly RequestValidator requests;
    private readonly ResponseValidator responses;

    public ContractMiddleware(ContractRules rules, ContractViolationLog log)
    {
        ArgumentNullException.ThrowIfNull(rules);
        this.rules = rules;
        this.log = log;
        var schemas = new SchemaValidator(rules.TrimEnumValues);
        requests = new RequestValidator(schemas);
        responses = new ResponseValidator(schemas, rules);
    }

    /// <summary>Finds the spec operation for the request.</summary>
    public Task MatchAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var match = rules.Document?.Match(context.Request.Path.Value ?? "/");
        OpenApiOperation? operation = null;
        if (match is not null && Enum.TryParse<OperationType>(context.Request.Method, ignoreCase: true, out var type))
        {
            match.PathItem.Operations.TryGetValue(type, out operation);
        }

        context.Features.Set(new ContractRouteFeature(match, operation));
        return next(context);
    }

    /// <summary>Buffers the response, checks it, and replaces a non-conforming one with a 500 naming the problem.</summary>
    public async Task CheckResponseAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var feature = context.Features.Get<ContractRouteFeature>();
        if (feature?.Match is null || feature.Operation is null)
        {
            await next(context);
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var problems = feature.RejectedByContract
            ? []
            : responses.Validate(context.Request.Method, feature.Match, feature.Operation, context.Response.StatusCode, context.Response.ContentType, body);
        if (problems.Count == 0)
        {
            buffer.Position = 0;
            await buffer.CopyToAsync(original, context.RequestAborted);
            return;
        }

        var violation = Record(ContractSide.Response, context, feature.Match, problems);
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(rules.ErrorJson(500, "fake answered outside its contract: " + violation), context.RequestAborted);
    }

    /// <summary>Rejects a request the spec does not allow: 404 unknown path, 405 unknown method, 400 bad parameters or body.</summary>
    public async Task CheckRequestAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var feature = context.Features.Get<ContractRouteFeature>();
        var path = context.Request.Path.Value ?? "/";
        var method = context.Request.Method;
        if (feature?.Match is null)
        {
            if (rules.IsUncontracted(method, path))
            {
                await next(context);
                return;
            }

            await RejectAsync(context, feature, 404, Record(ContractSide.Request, context, null, ["path is not in the API spec"]));
            return;
        }

        if (feature.Operation is null)
        {
            await RejectAsync(context, feature, 405, Record(ContractSide.Request, context, feature.Match, [$"method {method} is not declared for this path"]));
            return;
        }

        context.Request.EnableBuffering();
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        context.Request.Body.Position = 0;

        var problems = requests.Validate(context.Request, feature.Match, feature.Operation, body.GetBuffer().AsSpan(0, (int)body.Length));
        if (problems.Count > 0)
        {
            await RejectAsync(context, feature, 400, Record(ContractSide.Request, context, feature.Match, problems));
            return;
        }

        await next(context);
    }

    private ContractViolation Record(ContractSide side, HttpContext context, RouteMatch? match, IReadOnlyList<string> problems)
    {
        var violation = new ContractViolation(side, context.Request.Method, context.Request.Path.Value ?? "/", match?.Template, problems);
        log.Add(violation);
        return violation;
    }

    private async Task RejectAsync(HttpContext context, ContractRouteFeature? feature, int status, ContractViolation violation)
    {
        if (feature is not null)
        {
            feature.RejectedByContract = true;
        }

        var message = new StringBuilder("request does not match the API spec: ")
            .AppendJoin("; ", violation.Problems).ToString();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(rules.ErrorJson(status, message), context.RequestAborted);
    }
}
