using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using MetricsOperator.Cli;

namespace MetricsOperator.Tests.Cli;

/// <summary>
/// The operator reads kubeconfig files with a deserializer of its own (<see cref="KubeconfigFile"/>); these check it
/// against KubernetesClient's own reader on the same files, field by field.
/// </summary>
public sealed class KubeconfigFileTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("kubeconfig-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void Reads_the_current_context_like_KubernetesClient_with_paths_relative_to_the_file()
    {
        var certs = Directory.CreateDirectory(Path.Combine(folder.FullName, "certs"));
        File.WriteAllText(Path.Combine(certs.FullName, "ca.crt"), SelfSignedPem("kubeconfig-test-ca"));
        var path = Write("""
            apiVersion: v1
            kind: Config
            preferences: {}
            current-context: operator
            clusters:
            - name: local
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority: certs/ca.crt
                tls-server-name: kubernetes.default
            - name: other
              cluster:
                server: https://10.0.0.1:443
                insecure-skip-tls-verify: true
            contexts:
            - name: operator
              context:
                cluster: local
                user: operator
                namespace: metrics-operator
            - name: admin
              context:
                cluster: other
                user: admin
            users:
            - name: operator
              user:
                token: not-a-real-token
            - name: admin
              user:
                client-certificate: certs/admin.crt
                client-key: certs/admin.key
            extensions:
            - name: unknown-to-both
              extension:
                anything: 1
            """);

        var ours = KubeconfigFile.Load(path);
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);

        ours.Host.ShouldBe("https://127.0.0.1:6443");
        ours.Host.ShouldBe(theirs.Host);
        ours.Namespace.ShouldBe("metrics-operator");
        ours.Namespace.ShouldBe(theirs.Namespace);
        ours.AccessToken.ShouldBe("not-a-real-token");
        ours.AccessToken.ShouldBe(theirs.AccessToken);
        ours.TlsServerName.ShouldBe("kubernetes.default");
        ours.TlsServerName.ShouldBe(theirs.TlsServerName);
        ours.SkipTlsVerify.ShouldBe(theirs.SkipTlsVerify);
        ours.SslCaCerts.ShouldNotBeNull().Count.ShouldBe(1);
        ours.SslCaCerts[0].Subject.ShouldBe("CN=kubeconfig-test-ca");
        ours.SslCaCerts[0].Thumbprint.ShouldBe(theirs.SslCaCerts.ShouldNotBeNull()[0].Thumbprint);
    }

    [Fact]
    public void Resolves_client_certificate_paths_against_the_files_folder_not_the_working_directory()
    {
        var path = Write("""
            apiVersion: v1
            kind: Config
            current-context: admin
            clusters:
            - name: other
              cluster:
                server: https://10.0.0.1:443
                insecure-skip-tls-verify: true
            contexts:
            - name: admin
              context:
                cluster: other
                user: admin
            users:
            - name: admin
              user:
                client-certificate: certs/admin.crt
                client-key: certs/admin.key
            """);

        var ours = KubeconfigFile.Load(path);
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);

        ours.SkipTlsVerify.ShouldBeTrue();
        ours.ClientCertificateFilePath.ShouldBe(Path.Combine(folder.FullName, "certs/admin.crt"));
        ours.ClientCertificateFilePath.ShouldBe(theirs.ClientCertificateFilePath);
        ours.ClientKeyFilePath.ShouldBe(Path.Combine(folder.FullName, "certs/admin.key"));
        ours.ClientKeyFilePath.ShouldBe(theirs.ClientKeyFilePath);
    }

    [Fact]
    public void Runs_an_exec_credential_plugin_with_its_args_and_env_as_KubernetesClient_does()
    {
        // How managed clusters authenticate (gke-gcloud-auth-plugin, aws eks get-token): the token comes from a command.
        // Here half of it reaches the plugin only through the kubeconfig's env entry, half only through its args.
        var plugin = Path.Combine(folder.FullName, "plugin.sh");
        File.WriteAllText(plugin, """
            #!/bin/sh
            printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s-%s"}}' "$PLUGIN_TOKEN" "$1"
            """);
        var path = Write($"""
            apiVersion: v1
            kind: Config
            current-context: managed
            clusters:
            - name: managed
              cluster:
                server: https://10.0.0.2:443
                insecure-skip-tls-verify: true
            contexts:
            - name: managed
              context:
                cluster: managed
                user: plugin
            users:
            - name: plugin
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: /bin/sh
                  args:
                  - {plugin}
                  - from-args
                  env:
                  - name: PLUGIN_TOKEN
                    value: from-env
                  provideClusterInfo: false
            """);

        var ours = KubeconfigFile.Load(path);
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);

        ours.AccessToken.ShouldBe("from-env-from-args");
        ours.AccessToken.ShouldBe(theirs.AccessToken);
        ours.TokenProvider.ShouldNotBeNull();
        ours.Host.ShouldBe(theirs.Host);
    }

    [Fact]
    public async Task An_exec_plugins_arguments_arrive_whole_and_an_expired_token_runs_it_again()
    {
        // KubernetesClient joins the arguments into one string with spaces, so "two words" arrived as two. Each run
        // appends a line to a file, and the token carries the run's number; the first two tokens expire at once.
        var plugin = Path.Combine(folder.FullName, "plugin.sh");
        var runs = Path.Combine(folder.FullName, "runs");
        File.WriteAllText(plugin, $$$"""
            #!/bin/sh
            echo "$#|$1|$KUBERNETES_EXEC_INFO" >> {{{runs}}}
            n=$(wc -l < {{{runs}}})
            if [ "$n" -lt 3 ]; then expiry=2000-01-01T00:00:00Z; else expiry=2999-01-01T00:00:00Z; fi
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"run-%s","expirationTimestamp":"%s"}}' "$n" "$expiry"
            """);
        var path = Write($"""
            apiVersion: v1
            kind: Config
            current-context: managed
            clusters:
            - name: managed
              cluster:
                server: https://10.0.0.2:443
            contexts:
            - name: managed
              context:
                cluster: managed
                user: plugin
            users:
            - name: plugin
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: /bin/sh
                  args: [{plugin}, "two words"]
            """);

        var configuration = KubeconfigFile.Load(path);
        configuration.AccessToken.ShouldBe("run-1");
        var provider = configuration.TokenProvider.ShouldNotBeNull();
        (await provider.GetAuthenticationHeaderAsync(CancellationToken.None)).Parameter.ShouldBe("run-2");
        (await provider.GetAuthenticationHeaderAsync(CancellationToken.None)).Parameter.ShouldBe("run-3");
        (await provider.GetAuthenticationHeaderAsync(CancellationToken.None)).Parameter.ShouldBe("run-3", "run 3's token has not expired");

        var lines = File.ReadAllLines(runs);
        lines.Length.ShouldBe(3);
        lines[0].ShouldBe("""1|two words|{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}""");
    }

    [Fact]
    public void A_failing_plugin_an_auth_provider_or_a_user_without_credentials_is_refused_naming_the_user()
    {
        const string Head = """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters:
            - name: c
              cluster:
                server: https://10.0.0.2:443
            contexts:
            - name: c
              context:
                cluster: c
                user: someone
            users:
            - name: someone
              user:

            """;
        var failing = Should.Throw<InvalidOperationException>(() => KubeconfigFile.Load(Write(Head + """
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: /bin/sh
                  args: ["-c", "echo 'not logged in' >&2; exit 3"]
            """)));
        failing.Message.ShouldContain("users[someone].user.exec");
        failing.Message.ShouldContain("exited with 3: not logged in");

        var missing = Should.Throw<InvalidOperationException>(() => KubeconfigFile.Load(Write(Head + """
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: no-such-credential-plugin
                  installHint: Install it with your package manager.
            """)));
        missing.Message.ShouldContain("cannot run no-such-credential-plugin");
        missing.Message.ShouldContain("Install it with your package manager.");

        Should.Throw<InvalidDataException>(() => KubeconfigFile.Load(Write(Head + """
                auth-provider:
                  name: oidc
                  config: {id-token: x}
            """))).Message.ShouldContain("users[someone].user.auth-provider oidc is not supported");

        Should.Throw<InvalidDataException>(() => KubeconfigFile.Load(Write(Head + """
                username: ""
            """))).Message.ShouldContain("users[someone].user has no credentials");
    }

    [Fact]
    public void Names_the_file_when_it_is_missing_or_empty()
    {
        var missing = Path.Combine(folder.FullName, "absent");
        Should.Throw<FileNotFoundException>(() => KubeconfigFile.Load(missing)).Message.ShouldContain(missing);

        var empty = Write("");
        Should.Throw<InvalidDataException>(() => KubeconfigFile.Load(empty)).Message.ShouldContain(empty);
    }

    private string Write(string yaml)
    {
        var path = Path.Combine(folder.FullName, $"config-{Guid.NewGuid():N}");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string SelfSignedPem(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }
}
