using Lsst.Metrics.Client.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lsst.Metrics.Client.Tests;

public class ConfigurationTests
{
    private static LsstMetricsOptions Valid(Dictionary<string, string?>? env = null)
    {
        var o = TestOptions.For("http://127.0.0.1:8086", "App");
        o.ReadEnvironment = name => env?.GetValueOrDefault(name);
        return o;
    }

    public static TheoryData<string, string> MissingSettings => new()
    {
        { "Url", "METRICS_URL" },
        { "Org", "METRICS_ORG" },
        { "Bucket", "METRICS_BUCKET" },
        { "Token", "METRICS_TOKEN" },
    };

    [Theory]
    [MemberData(nameof(MissingSettings))]
    public void A_missing_connection_setting_is_an_error_naming_it_and_its_variable(string setting, string variable)
    {
        var o = Valid();
        typeof(LsstMetricsOptions).GetProperty(setting)!.SetValue(o, null);

        var e = Should.Throw<LsstMetricsConfigurationException>(() => MetricsSettings.Resolve(o));
        e.Setting.ShouldBe($"LsstMetrics:{setting}");
        e.Message.ShouldContain($"LsstMetrics:{setting}");
        e.Message.ShouldContain(variable);
    }

    [Fact]
    public void Environment_variables_fill_what_configuration_leaves_empty_and_configuration_wins()
    {
        var o = new LsstMetricsOptions { Org = "from-config" };
        o.Meters.Add("App");
        var env = new Dictionary<string, string?>
        {
            ["METRICS_URL"] = "https://telegraf.metrics:8186",
            ["METRICS_ORG"] = "from-env",
            ["METRICS_BUCKET"] = "apps",
            ["METRICS_TOKEN"] = "secret",
            ["METRICS_APP"] = "gafaelfawr",
            ["METRICS_ENVIRONMENT"] = "idfdev",
            ["HOSTNAME"] = "gafaelfawr-abc",
        };
        o.ReadEnvironment = name => env.GetValueOrDefault(name);

        var s = MetricsSettings.Resolve(o);
        s.Url.ShouldBe(new Uri("https://telegraf.metrics:8186"));
        s.Org.ShouldBe("from-config");
        s.Bucket.ShouldBe("apps");
        s.Token.ShouldBe("secret");
        s.GlobalTags.ShouldBe([new("app", "gafaelfawr"), new("environment", "idfdev"), new("host", "gafaelfawr-abc")]);
    }

    [Fact]
    public void Pod_name_wins_over_hostname_and_extra_global_tags_follow()
    {
        var o = Valid(new() { ["POD_NAME"] = "pod-7", ["HOSTNAME"] = "node" });
        o.GlobalTags["zone"] = "summit";
        o.GlobalTags["skipped"] = "";
        var s = MetricsSettings.Resolve(o);
        s.GlobalTags.ShouldContain(new KeyValuePair<string, string>("host", "pod-7"));
        s.GlobalTags.ShouldContain(new KeyValuePair<string, string>("zone", "summit"));
        s.GlobalTags.ShouldNotContain(t => t.Key == "skipped");
    }

    [Fact]
    public void A_token_file_wins_over_the_token_and_comes_from_METRICS_TOKEN_FILE()
    {
        var path = Path.Combine(Path.GetTempPath(), $"metrics-token-{Guid.NewGuid():N}");
        File.WriteAllText(path, "from-file\n");
        try
        {
            var s = MetricsSettings.Resolve(Valid(new() { ["METRICS_TOKEN_FILE"] = path }));
            s.Token.ShouldBe("from-file");
            s.TokenFile.ShouldBe(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_unreadable_token_file_is_an_error_naming_it_and_its_variable()
    {
        var o = Valid();
        o.TokenFile = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}");
        var e = Should.Throw<LsstMetricsConfigurationException>(() => MetricsSettings.Resolve(o));
        e.Setting.ShouldBe("LsstMetrics:TokenFile");
        e.Message.ShouldContain("METRICS_TOKEN_FILE");
    }

    public static TheoryData<Action<LsstMetricsOptions>, string> BadSettings => new()
    {
        { o => o.Url = "not a url", "LsstMetrics:Url" },
        { o => o.Url = "ftp://x", "LsstMetrics:Url" },
        { o => o.Meters.Clear(), "LsstMetrics:Meters" },
        { o => o.BufferCapacity = 1000, "LsstMetrics:BufferCapacity" },
        { o => o.BufferCapacity = 512, "LsstMetrics:BufferCapacity" },
        { o => o.BatchSize = 0, "LsstMetrics:BatchSize" },
        { o => o.BatchSize = 1_000_000, "LsstMetrics:BatchSize" },
        { o => o.FlushInterval = TimeSpan.Zero, "LsstMetrics:FlushInterval" },
        { o => o.ShutdownTimeout = TimeSpan.FromSeconds(-1), "LsstMetrics:ShutdownTimeout" },
        { o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(1), "LsstMetrics:MaxRetryDelay" },
        { o => o.GlobalTags["bad\\"] = "x", "LsstMetrics:GlobalTags:bad\\" },
        { o => o.GlobalTags["app"] = "x", "LsstMetrics:GlobalTags:app" },
        { o => o.GlobalTags["time"] = "x", "LsstMetrics:GlobalTags:time" },
        { o => o.GlobalTags["line"] = "a\nb", "LsstMetrics:GlobalTags:line" },
        { o => o.Environment = "tab\there", "LsstMetrics:Environment" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void An_invalid_setting_is_an_error_naming_it(Action<LsstMetricsOptions> spoil, string setting)
    {
        var o = Valid();
        spoil(o);
        Should.Throw<LsstMetricsConfigurationException>(() => MetricsSettings.Resolve(o)).Setting.ShouldBe(setting);
    }

    [Fact]
    public async Task The_host_fails_to_start_naming_the_setting_when_configuration_is_bad()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LsstMetrics:Url"] = "http://127.0.0.1:1",
            ["LsstMetrics:Org"] = "rubin",
            ["LsstMetrics:Bucket"] = "apps",
            ["LsstMetrics:Meters:0"] = "App",
        }).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLsstMetrics(config, o => o.ReadEnvironment = _ => null);
        using var host = builder.Build();

        var e = await Should.ThrowAsync<LsstMetricsConfigurationException>(() => host.StartAsync());
        e.Setting.ShouldBe("LsstMetrics:Token");
    }

    [Fact]
    public void ExactTimestamps_is_off_by_default_and_binds_from_configuration()
    {
        MetricsSettings.Resolve(Valid()).ExactTimestamps.ShouldBeFalse("the coarse clock is the default");

        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["LsstMetrics:ExactTimestamps"] = "true" }).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLsstMetrics(config, o => o.ReadEnvironment = _ => null);
        using var host = builder.Build();
        host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LsstMetricsOptions>>().Value.ExactTimestamps.ShouldBeTrue();
    }

    [Fact]
    public async Task A_disabled_client_starts_nothing_even_without_settings()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["LsstMetrics:Enabled"] = "false" }).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLsstMetrics(config, o => o.ReadEnvironment = _ => null);
        using var host = builder.Build();

        await host.StartAsync();
        host.Services.GetRequiredService<LsstMetricsHostedService>().Client.ShouldBeNull();
        await host.StopAsync();
    }
}
