using System.CommandLine;
using System.Text.Json.Nodes;
using MetricsOperator.Crds;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Validation;
using YamlDotNet.Core;

namespace MetricsOperator.Cli;

/// <summary>
/// <c>render -f stack.yaml</c>: prints every object the operator would apply for the MetricsStacks in the file,
/// as a YAML stream, with no cluster, so reviewers can diff what a change to a MetricsStack does. First it checks every
/// MetricsStack and AppAlert in the file as the API server and the reconciler would (<see cref="ManifestCheck"/>): if any
/// is invalid it lists every field error and renders nothing, since the operator would apply nothing either.
/// </summary>
public static class RenderCommand
{
    /// <summary>The command.</summary>
    public static Command Create()
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = "YAML file with one or more MetricsStacks (other kinds are skipped; AppAlerts are checked, not rendered); - reads standard input.",
            Required = true,
        };
        var ns = new Option<string>("--namespace", "-n")
        {
            Description = "Namespace of MetricsStacks that name none, as kubectl apply -n would.",
            DefaultValueFactory = _ => "default",
        };
        var operatorNamespace = new Option<string>("--operator-namespace")
        {
            Description = "Namespace the operator runs in; its pods may reach InfluxDB.",
            DefaultValueFactory = _ => StackBuildOptions.Default.OperatorNamespace,
        };

        var command = new Command("render", "Check the MetricsStacks (and AppAlerts) in a file, then print every object the operator would apply for them (YAML stream), without a cluster.")
        {
            file, ns, operatorNamespace,
        };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var path = result.GetRequiredValue(file);
            var defaultNamespace = result.GetRequiredValue(ns);
            if (Read(path, error) is not { } documents)
            {
                return 1;
            }

            if (!Valid(documents, defaultNamespace, error))
            {
                return 1;
            }

            var (stacks, skipped) = StackManifests.Split(documents);
            foreach (var kind in skipped)
            {
                error.WriteLine($"Skipped a document of kind {kind}: only MetricsStacks are rendered.");
            }

            var options = StackBuildOptions.Default with { OperatorNamespace = result.GetRequiredValue(operatorNamespace) };
            foreach (var stack in stacks)
            {
                stack.Metadata.NamespaceProperty ??= defaultNamespace;
                if (NotChecked(stack) is { } note)
                {
                    error.WriteLine(note);
                }

                output.Write(StackManifests.Write(StackBuilder.Build(DefaultedStack.Of(stack), options)));
            }

            return stacks.Count > 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// The note for what only a cluster can tell: that the Secrets the stack names exist (and hold the keys named), which
    /// the reconciler checks before it touches anything. Null when the stack names none.
    /// </summary>
    public static string? NotChecked(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var uses = StackValidation.SecretUses(DefaultedStack.Of(stack));
        return uses.Count == 0
            ? null
            : $"Not checked without a cluster: that MetricsStack {StackNames.Namespace(stack)}/{stack.Metadata.Name} finds these Secrets in its namespace: " +
              string.Join(", ", uses.Select(u => u.Key is null ? $"{u.Name} ({u.Field})" : $"{u.Name} with key {u.Key} ({u.Field})")) + ".";
    }

    private static IReadOnlyList<JsonObject>? Read(string path, TextWriter error)
    {
        try
        {
            using var reader = path == "-" ? Console.In : new StreamReader(path);
            return StackManifests.ReadDocuments(reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlException)
        {
            // A message, not a stack trace: the reviewer needs to know what is wrong with the file.
            error.WriteLine($"{path}: {e.Message}");
            return null;
        }
    }

    // Every error of every document, so one run shows everything to fix.
    private static bool Valid(IReadOnlyList<JsonObject> documents, string defaultNamespace, TextWriter error)
    {
        var valid = true;
        foreach (var document in documents)
        {
            var errors = ManifestCheck.Errors(document);
            if (errors.Count == 0)
            {
                continue;
            }

            valid = false;
            error.WriteLine($"{ManifestCheck.Label(document, defaultNamespace)} is invalid:");
            foreach (var fieldError in errors)
            {
                error.WriteLine("  " + SchemaValidator.Describe(fieldError));
            }
        }

        return valid;
    }
}
