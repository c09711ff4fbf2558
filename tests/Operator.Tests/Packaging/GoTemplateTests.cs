namespace MetricsOperator.Tests.Packaging;

/// <summary>The test renderer follows Go/Sprig/Helm semantics on the cases the chart relies on, and refuses the rest.</summary>
public sealed class GoTemplateTests
{
    private static string Render(string text, string values = "{}", params (string Name, string Text)[] others)
    {
        var template = new GoTemplate();
        foreach (var (name, body) in others)
        {
            template.Parse(name, body);
        }

        template.Parse("t", text);
        var root = new GoStruct("root", new Dictionary<string, object?>
        {
            ["Values"] = HelmYaml.Load(values),
            ["Release"] = new GoStruct("release", new Dictionary<string, object?> { ["Name"] = "rel", ["Namespace"] = "ns" }),
        });
        return template.Execute("t", root);
    }

    [Theory]
    [InlineData("a  {{- \"b\" -}}  \n c", "abc")]
    [InlineData("a\n{{- /* comment */ -}}\nb", "ab")]
    [InlineData("{{ if .Values.x }}yes{{ else if .Values.y }}maybe{{ else }}no{{ end }}", "no")]
    [InlineData("{{ .Values.missing }}|", "|")]
    [InlineData("{{ .Values.n }} {{ .Values.f }}", "2 0.5")]
    [InlineData("{{ .Values.s | quote }}", "\"a\\\"b\"")]
    [InlineData("{{ default \"d\" .Values.empty }} {{ default \"d\" .Values.s }}", "d a\"b")]
    [InlineData("{{ \"abcdef-\" | trunc 4 }} {{ \"abc-\" | trimSuffix \"-\" }}", "abcd abc")]
    [InlineData("{{ range .Values.list }}[{{ . }}:{{ $.Release.Name }}]{{ end }}", "[x:rel][y:rel]")]
    [InlineData("{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }};{{ end }}", "0=x;1=y;")]
    [InlineData("{{ with .Values.map }}{{ .b }}{{ else }}none{{ end }}", "2")]
    [InlineData("{{ with .Values.nomap }}{{ .b }}{{ else }}none{{ end }}", "none")]
    [InlineData("x:{{ toYaml .Values.map | nindent 2 }}", "x:\n  a: 1\n  b: 2")]
    [InlineData("{{ toYaml .Values.list | indent 1 }}", " - x\n - y")]
    [InlineData("{{ (default .Release.Name .Values.empty) | quote }}", "\"rel\"")]
    [InlineData("{{ if .Values.emptyList }}t{{ else }}f{{ end }}{{ if .Values.zero }}t{{ else }}f{{ end }}", "ff")]
    [InlineData("{{ range $k, $v := .Values.map }}{{ $k }}={{ $v }};{{ end }}", "a=1;b=2;")]
    [InlineData("{{ range .Values.map }}{{ . }}{{ end }}{{ range .Values.emptyMap }}x{{ else }}none{{ end }}", "12none")]
    [InlineData("{{ kindIs \"map\" .Values.map }} {{ kindIs \"slice\" .Values.list }} {{ kindIs \"string\" .Values.s }} {{ kindIs \"invalid\" .Values.missing }} {{ kindIs \"float64\" .Values.n }}", "true true true true true")]
    [InlineData("{{ not .Values.empty }} {{ and .Values.n .Values.empty }}|{{ or .Values.empty .Values.n }}", "true |2")]
    [InlineData("{{ range (\"b\\na\\nb\" | splitList \"\\n\" | uniq) }}[{{ . }}]{{ end }}", "[b][a]")]
    [InlineData("{{ has \"x\" .Values.list }} {{ has \"z\" .Values.list }} {{ has \"x\" .Values.missing }}", "true false false")]
    [InlineData("{{ index .Values.map \"b\" }}|{{ index .Values.map \"c\" }}|{{ \"  t \\n\" | trim }}", "2||t")]
    public void Renders_like_go_and_sprig(string text, string expected) =>
        Render(text, "n: 2\nf: 0.5\ns: 'a\"b'\nempty: ''\nlist: [x, y]\nmap: {b: 2, a: 1}\nemptyList: []\nzero: 0\nemptyMap: {}\n").ShouldBe(expected);

    [Fact]
    public void Include_renders_a_define_with_the_given_dot() =>
        Render("{{ include \"n\" .Release }}", "{}", ("_h.tpl", "{{- define \"n\" -}}{{ .Name }}-{{ .Namespace }}{{- end }}")).ShouldBe("rel-ns");

    [Theory]
    [InlineData("{{ .Values.x | upper }}", "upper")]
    [InlineData("{{ template \"n\" . }}", "template")]
    [InlineData("{{ include \"nope\" . }}", "no template")]
    [InlineData("{{ .Values.a.b }}", "nil pointer")]
    [InlineData("{{ .Release.Nope }}", "can't evaluate field Nope")]
    [InlineData("{{ .Values.big }}", "exponent")]
    [InlineData("{{ .Values.list }}", "toYaml")]
    [InlineData("{{ if .Values.x }}", "without end")]
    [InlineData("{{ $x = 1 }}", "assignment")]
    [InlineData("{{ uniq .Values.big }}", "needs a list")]
    [InlineData("{{ index .Values.list 0 }}", "index of anything but a map")]
    public void Refuses_what_it_does_not_implement_or_go_would_refuse(string text, string error) =>
        Should.Throw<GoTemplateException>(() => Render(text, "big: 1000000\nlist: [1]\n")).Message.ShouldContain(error);
}
