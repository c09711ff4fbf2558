using MetricsOperator.Runtime.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace MetricsOperator.Runtime.Tests.Unit;

/// <summary>A reconcile's scope as the console formatters the operator uses print it (the real formatters, not a copy).</summary>
public class LogScopeTests
{
    private static readonly LogScope Reconcile = new(new("controller", "appalert"), new("namespace", "apps"), new("name", "login"), new("labelSelector", null));

    [Fact]
    public void Reads_as_its_values_one_by_one_and_as_key_value_text()
    {
        Reconcile.Select(p => p.Key).ShouldBe(["controller", "namespace", "name", "labelSelector"]);
        Reconcile[2].Value.ShouldBe("login");
        Reconcile.ToString().ShouldBe("controller=appalert namespace=apps name=login labelSelector=");
    }

    [Theory]
    [InlineData(ConsoleFormatterNames.Simple)]
    [InlineData(ConsoleFormatterNames.Json)]
    public void The_console_formatters_print_the_values_not_a_type_name(string formatter)
    {
        Write(formatter, Reconcile).ShouldContain("controller=appalert namespace=apps name=login");

        // What the dictionary the scopes were before printed, the reason for LogScope.
        Write(formatter, new Dictionary<string, object> { ["controller"] = "appalert" }).ShouldContain("System.Collections.Generic.Dictionary");
    }

    [Fact]
    public void The_json_formatter_also_keeps_each_value_as_its_own_field()
    {
        var json = Write(ConsoleFormatterNames.Json, Reconcile);
        json.ShouldContain("\"controller\":\"appalert\"");
        json.ShouldContain("\"name\":\"login\"");
    }

    private static string Write(string name, object scope)
    {
        using var services = new ServiceCollection()
            .AddLogging(b => b.AddSimpleConsole(o => o.IncludeScopes = true).AddJsonConsole(o => o.IncludeScopes = true))
            .BuildServiceProvider();
        var formatter = services.GetServices<ConsoleFormatter>().Single(f => f.Name == name);
        var scopes = new LoggerExternalScopeProvider();
        using var pushed = scopes.Push(scope);
        var text = new StringWriter();
        formatter.Write(new LogEntry<string>(LogLevel.Information, "Test", default, "Reconciled", null, (s, _) => s), scopes, text);
        return text.ToString();
    }
}
