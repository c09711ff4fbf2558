using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// The YAML text of a tree of dictionaries, lists and scalars (or of a JSON document), in block style, written through YamlDotNet's emitter.
/// Not YamlDotNet's serializer: it reads the tree by reflection, which a Native AOT binary cannot do.
/// A string YAML would read as something else (<c>true</c>, <c>10</c>, <c>null</c>, <c>~</c>, a date) is double-quoted,
/// so the program reading the file (Grafana, Trickster: go-yaml, YAML 1.1 rules) gets the string it was given.
/// </summary>
public static partial class PlainYaml
{
    /// <summary>One YAML document holding <paramref name="tree"/>.</summary>
    public static string Write(object tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, tree);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void Emit(Emitter emitter, object? value)
    {
        switch (value)
        {
            case null:
                Plain(emitter, "null");
                break;
            case string text:
                // A multi-line text (a config file in a ConfigMap) as a literal block, kept as written.
                var style = ReadsAsOtherType(text) ? ScalarStyle.DoubleQuoted : text.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal : ScalarStyle.Any;
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, style, true, true));
                break;
            case JsonObject mapping:
                Mapping(emitter, mapping.Select(entry => ((string?)entry.Key, (object?)entry.Value)));
                break;
            case JsonValue scalar:
                switch (scalar.GetValueKind())
                {
                    case JsonValueKind.String:
                        Emit(emitter, scalar.GetValue<string>());
                        break;
                    case JsonValueKind.True or JsonValueKind.False:
                        Plain(emitter, scalar.GetValueKind() == JsonValueKind.True ? "true" : "false");
                        break;
                    default:
                        // A number: its JSON text is a YAML number.
                        Plain(emitter, scalar.ToJsonString());
                        break;
                }

                break;
            case bool flag:
                Plain(emitter, flag ? "true" : "false");
                break;
            case int or long or short or byte or uint or ulong or decimal:
                Plain(emitter, ((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                break;
            case double or float:
                Plain(emitter, ((IFormattable)value).ToString("R", CultureInfo.InvariantCulture));
                break;
            case IDictionary mapping:
                Mapping(emitter, Entries(mapping));
                break;
            case IEnumerable sequence:
                // Lists and JsonArrays alike: each item goes back through Emit.
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
                foreach (var item in sequence)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            default:
                throw new ArgumentException($"PlainYaml writes dictionaries, lists and scalars, not {value.GetType().Name}.", nameof(value));
        }
    }

    private static void Mapping(Emitter emitter, IEnumerable<(string? Key, object? Value)> entries)
    {
        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
        foreach (var (key, value) in entries)
        {
            Emit(emitter, key);
            Emit(emitter, value);
        }

        emitter.Emit(new MappingEnd());
    }

    // Through IDictionary's own enumerator: a generic dictionary's enumerates KeyValuePairs, not DictionaryEntries.
    private static IEnumerable<(string? Key, object? Value)> Entries(IDictionary mapping)
    {
        foreach (DictionaryEntry entry in mapping)
        {
            yield return (entry.Key.ToString(), entry.Value);
        }
    }

    private static void Plain(Emitter emitter, string text) =>
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.Plain, true, false));

    private static bool ReadsAsOtherType(string text) => text.Length == 0 || OtherType().IsMatch(text);

    // YAML 1.1's null, bool, int, float and timestamp forms (yaml.org/type), which go-yaml resolves when unquoted.
    [GeneratedRegex(@"^(?:~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|(?:0|[1-9][0-9_:]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))|\.(?:nan|NaN|NAN)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)$")]
    private static partial Regex OtherType();
}
