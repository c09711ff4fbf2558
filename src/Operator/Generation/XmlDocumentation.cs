using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MetricsOperator.Generation;

/// <summary>
/// The <c>&lt;summary&gt;</c> texts of a compiled assembly's XML documentation file: the one source of the CRD
/// descriptions <c>kubectl explain</c> prints, as kubebuilder takes them from Go comments.
/// </summary>
public sealed partial class XmlDocumentation
{
    private readonly Dictionary<string, string> summariesByMemberId;

    private XmlDocumentation(Dictionary<string, string> summariesByMemberId) => this.summariesByMemberId = summariesByMemberId;

    /// <summary>Reads the documentation file the compiler wrote beside <paramref name="assembly"/> (GenerateDocumentationFile).</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty Location (a single-file binary) is handled: the path is then taken from AppContext.BaseDirectory.")]
    public static XmlDocumentation LoadBeside(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        // A Native AOT (single-file) binary has no assembly files, so no Location: the publish copies the .xml files
        // beside the binary, where AppContext.BaseDirectory points.
        var path = assembly.Location is { Length: > 0 } location
            ? Path.ChangeExtension(location, ".xml")
            : Path.Combine(AppContext.BaseDirectory, assembly.GetName().Name + ".xml");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The XML documentation of {assembly.GetName().Name} is missing at {path}; it holds the CRD descriptions. " +
                "Build with GenerateDocumentationFile on (Directory.Build.props sets it).", path);
        }

        return Parse(File.ReadAllText(path));
    }

    /// <summary>Parses the text of an XML documentation file.</summary>
    public static XmlDocumentation Parse(string xml)
    {
        var summaries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in XDocument.Parse(xml).Descendants("member"))
        {
            var id = (string?)member.Attribute("name");
            var summary = member.Element("summary");
            if (id is not null && summary is not null)
            {
                summaries[id] = PlainText(summary);
            }
        }

        return new XmlDocumentation(summaries);
    }

    /// <summary>The summary of a type, or null when it has none.</summary>
    public string? For(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Lookup("T:" + TypeId(type));
    }

    /// <summary>The summary of a property, looked up on the type that declares it (so inherited properties work).</summary>
    public string? For(PropertyInfo property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return Lookup("P:" + TypeId(property.DeclaringType!) + "." + property.Name);
    }

    private string? Lookup(string memberId) =>
        summariesByMemberId.TryGetValue(memberId, out var text) && text.Length > 0 ? text : null;

    // Nested types are written Outer.Inner in documentation IDs, where reflection writes Outer+Inner.
    private static string TypeId(Type type) => type.FullName!.Replace('+', '.');

    // Flattens the summary to what kubectl explain shows: <c>x</c> becomes x, <see cref="T:A.B"/> becomes B,
    // paragraphs are kept apart by a blank line, other whitespace collapses to one space.
    private static string PlainText(XElement summary)
    {
        var text = new StringBuilder();
        foreach (var node in summary.Nodes())
        {
            text.Append(node switch
            {
                XText plain => plain.Value,
                XElement { Name.LocalName: "see" or "seealso" } see => ReferencedName(see),
                XElement { Name.LocalName: "paramref" or "typeparamref" } reference => (string?)reference.Attribute("name") ?? "",
                XElement { Name.LocalName: "para" } paragraph => "\n\n" + PlainText(paragraph) + "\n\n",
                XElement element => PlainText(element),
                _ => "",
            });
        }

        var paragraphs = text.ToString()
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(paragraph => Whitespace().Replace(paragraph, " ").Trim())
            .Where(paragraph => paragraph.Length > 0);
        return string.Join("\n\n", paragraphs);
    }

    private static string ReferencedName(XElement see)
    {
        if ((string?)see.Attribute("langword") is { } keyword)
        {
            return keyword;
        }

        var cref = (string?)see.Attribute("cref") ?? "";
        var name = cref.Contains(':', StringComparison.Ordinal) ? cref[(cref.IndexOf(':', StringComparison.Ordinal) + 1)..] : cref;
        return see.Value.Length > 0 ? see.Value : name[(name.LastIndexOf('.') + 1)..];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
