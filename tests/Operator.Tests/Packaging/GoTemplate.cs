using System.Globalization;
using System.Text;

namespace MetricsOperator.Tests.Packaging;

/// <summary>Thrown for anything the renderer does not implement or Go/Helm would refuse: the chart must stay inside the subset.</summary>
public sealed class GoTemplateException(string message) : Exception(message);

/// <summary>A method value, such as <c>.Capabilities.APIVersions.Has</c>, called with arguments in a command.</summary>
public sealed record GoMethod(string Name, Func<IReadOnlyList<object?>, object?> Invoke);

/// <summary>
/// A struct as Go sees it (Release, Chart, Capabilities): a field that does not exist is an error, unlike a missing
/// key of a map (Values), which yields nil.
/// </summary>
public sealed class GoStruct(string name, IReadOnlyDictionary<string, object?> fields)
{
    public object? Field(string field) => fields.TryGetValue(field, out var value)
        ? value
        : throw new GoTemplateException($"can't evaluate field {field} in type {name}");
}

/// <summary>
/// The part of Go's text/template and Sprig that the chart uses, with Helm's conventions, implemented from the
/// Go documentation: text and actions with <c>{{-</c>/<c>-}}</c> trimming, comments, pipelines, parenthesised
/// pipelines, fields of maps and structs, <c>$</c> and declared variables, <c>if/else if/else</c>, <c>with/else</c>,
/// <c>range/else</c> (lists, with optional <c>$v :=</c> or <c>$i, $v :=</c>; maps in Go's sorted key order, with
/// <c>$k, $v :=</c>), <c>define</c>, and the functions
/// include, toYaml, nindent, indent, quote, default, trunc, trimSuffix, trim, splitList, uniq, has, kindIs, index
/// (of a map), not, and, or, set (of a map, as Sprig: changes it and returns it), required (Helm's: an error with the
/// message when the value is nil or empty) (and/or's arguments all evaluated: Go stops at the first that decides). Anything else (other keywords, other
/// functions, printing a list or a map, assignment with <c>=</c>) throws, so the chart cannot quietly rely on
/// something this renderer does not check. Values follow Helm: numbers from YAML are float64 (printed the way Go
/// prints them; numbers Go would print in exponent form are refused), a missing map key is nil and prints empty.
/// </summary>
public sealed class GoTemplate
{
    private static readonly HashSet<string> Functions = [
        "include", "toYaml", "nindent", "indent", "quote", "default", "trunc", "trimSuffix",
        "trim", "splitList", "uniq", "has", "kindIs", "index", "not", "and", "or", "set", "required",
    ];

    private readonly Dictionary<string, List<Node>> templates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Node>> files = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="text"/> as the file <paramref name="name"/>; its <c>define</c>s become visible to every file.</summary>
    public void Parse(string name, string text)
    {
        var parser = new Parser(name, Lexer.Split(name, text), templates);
        files[name] = parser.ParseAll();
    }

    /// <summary>Executes the file <paramref name="name"/> with <paramref name="data"/> as dot and <c>$</c>.</summary>
    public string Execute(string name, object? data)
    {
        if (!files.TryGetValue(name, out var nodes))
        {
            throw new GoTemplateException($"no file {name}");
        }

        var output = new StringBuilder();
        new Executor(this, data).Run(nodes, data, output);
        return output.ToString();
    }

    /// <summary>Go's truth: false, 0, nil, and empty strings, lists and maps are false.</summary>
    public static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        double d => d != 0,
        long l => l != 0,
        System.Collections.IDictionary map => map.Count > 0,
        System.Collections.ICollection list => list.Count > 0,
        _ => true,
    };

    /// <summary>How <c>{{ value }}</c> prints, as Go's fmt %v would, for the types Helm values hold.</summary>
    public static string Print(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => PrintFloat(d),
        _ => throw new GoTemplateException($"printing a {value.GetType().Name} (Go prints lists and maps as [a b] / map[...]): use toYaml"),
    };

    private static string PrintFloat(double d)
    {
        // Go's %v of a float64 is %g with the shortest representation: exponent form from 1e21 up or below 1e-4,
        // and also for integers with 7+ digits when the shortest form has fewer digits (1e+06). Refuse those.
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal) || (Math.Abs(d) >= 1e6 && d == Math.Floor(d)) || (d != 0 && Math.Abs(d) < 1e-4))
        {
            throw new GoTemplateException($"the number {text} would print in Go's exponent form (e.g. 1e+06): quote it in values.yaml");
        }

        return text;
    }

    private static string Quote(string s)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in s)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => throw new GoTemplateException("quote of a control character: not implemented"),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    // ---- lexer: text and actions -------------------------------------------------------------------------------

    private abstract record Piece(int Line);

    private sealed record TextPiece(string Text, int Line) : Piece(Line);

    private sealed record ActionPiece(List<Token> Tokens, int Line) : Piece(Line);

    private enum TokenKind { Field, Variable, Identifier, String, Number, Pipe, LeftParen, RightParen, Declare, Assign, Comma, Dot }

    private sealed record Token(TokenKind Kind, string Text);

    private static class Lexer
    {
        public static List<Piece> Split(string name, string text)
        {
            var pieces = new List<Piece>();
            var position = 0;
            var trimNext = false;
            while (position < text.Length)
            {
                var open = text.IndexOf("{{", position, StringComparison.Ordinal);
                var literal = open < 0 ? text[position..] : text[position..open];
                if (trimNext)
                {
                    literal = literal.TrimStart(' ', '\t', '\r', '\n');
                }

                var line = 1 + text.AsSpan(0, position).Count('\n');
                if (open < 0)
                {
                    pieces.Add(new TextPiece(literal, line));
                    break;
                }

                var inner = open + 2;
                var trimLeft = inner + 1 < text.Length && text[inner] == '-' && IsSpace(text[inner + 1]);
                if (trimLeft)
                {
                    literal = literal.TrimEnd(' ', '\t', '\r', '\n');
                    inner += 2;
                }

                pieces.Add(new TextPiece(literal, line));
                var actionLine = 1 + text.AsSpan(0, open).Count('\n');
                var body = inner;
                while (body < text.Length && IsSpace(text[body]))
                {
                    body++;
                }

                int close;
                if (text.AsSpan(body).StartsWith("/*"))
                {
                    var end = text.IndexOf("*/", body + 2, StringComparison.Ordinal);
                    if (end < 0)
                    {
                        throw new GoTemplateException($"{name}:{actionLine}: unclosed comment");
                    }

                    close = text.IndexOf("}}", end, StringComparison.Ordinal);
                    var between = text[(end + 2)..close];
                    trimNext = between.Trim() == "-";
                    if (between.Trim().Length > 0 && !trimNext)
                    {
                        throw new GoTemplateException($"{name}:{actionLine}: comment ends with unexpected text");
                    }

                    pieces.Add(new ActionPiece([], actionLine));
                    position = close + 2;
                    continue;
                }

                var (tokens, after) = Tokenize(name, text, inner, actionLine);
                close = after;
                trimNext = text[close - 1] == '-' && close - 2 >= 0 && IsSpace(text[close - 2]);
                if (trimNext)
                {
                    tokens.RemoveAt(tokens.Count - 1);
                }

                pieces.Add(new ActionPiece(tokens, actionLine));
                position = close + 2;
            }

            return pieces;
        }

        private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

        // Tokens up to the closing braces; returns the index of the closing "}}". A trailing " -" is returned as a Dot-free marker token.
        private static (List<Token> Tokens, int Close) Tokenize(string name, string text, int start, int line)
        {
            var tokens = new List<Token>();
            var i = start;
            while (true)
            {
                if (i >= text.Length)
                {
                    throw new GoTemplateException($"{name}:{line}: unclosed action");
                }

                var c = text[i];
                if (c == '}' && i + 1 < text.Length && text[i + 1] == '}')
                {
                    return (tokens, i);
                }

                if (c == '-' && IsSpace(text[i - 1]) && text.AsSpan(i + 1).StartsWith("}}"))
                {
                    tokens.Add(new Token(TokenKind.Comma, "-"));
                    i++;
                    continue;
                }

                if (IsSpace(c))
                {
                    i++;
                }
                else if (c == '"')
                {
                    var value = new StringBuilder();
                    i++;
                    while (text[i] != '"')
                    {
                        if (text[i] == '\\')
                        {
                            i++;
                            value.Append(text[i] switch
                            {
                                'n' => '\n',
                                't' => '\t',
                                '"' => '"',
                                '\\' => '\\',
                                _ => throw new GoTemplateException($"{name}:{line}: escape \\{text[i]} not implemented"),
                            });
                        }
                        else
                        {
                            value.Append(text[i]);
                        }

                        i++;
                    }

                    i++;
                    tokens.Add(new Token(TokenKind.String, value.ToString()));
                }
                else if (c == '`')
                {
                    var end = text.IndexOf('`', i + 1);
                    tokens.Add(new Token(TokenKind.String, text[(i + 1)..end]));
                    i = end + 1;
                }
                else if (c == '|')
                {
                    tokens.Add(new Token(TokenKind.Pipe, "|"));
                    i++;
                }
                else if (c == '(')
                {
                    tokens.Add(new Token(TokenKind.LeftParen, "("));
                    i++;
                }
                else if (c == ')')
                {
                    tokens.Add(new Token(TokenKind.RightParen, ")"));
                    i++;
                }
                else if (c == ',')
                {
                    tokens.Add(new Token(TokenKind.Comma, ","));
                    i++;
                }
                else if (c == ':' && text[i + 1] == '=')
                {
                    tokens.Add(new Token(TokenKind.Declare, ":="));
                    i += 2;
                }
                else if (c == '=')
                {
                    tokens.Add(new Token(TokenKind.Assign, "="));
                    i++;
                }
                else if (c == '.' || c == '$' || char.IsLetter(c))
                {
                    var end = i + 1;
                    while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] is '_' or '.'))
                    {
                        end++;
                    }

                    var word = text[i..end];
                    tokens.Add(new Token(word == "." ? TokenKind.Dot : c == '.' ? TokenKind.Field : c == '$' ? TokenKind.Variable : TokenKind.Identifier, word));
                    i = end;
                }
                else if (char.IsDigit(c) || (c == '-' && char.IsDigit(text[i + 1])))
                {
                    var end = i + 1;
                    while (end < text.Length && (char.IsDigit(text[end]) || text[end] == '.'))
                    {
                        end++;
                    }

                    tokens.Add(new Token(TokenKind.Number, text[i..end]));
                    i = end;
                }
                else
                {
                    throw new GoTemplateException($"{name}:{line}: unexpected character '{c}' in action");
                }
            }
        }
    }

    // ---- parser ------------------------------------------------------------------------------------------------

    private abstract record Node(string Where);

    private sealed record Text(string Value, string Where) : Node(Where);

    private sealed record Output(Pipeline Pipeline, string Where) : Node(Where);

    private sealed record Branch(string Keyword, Pipeline Pipeline, List<Node> Then, List<Node>? Else, string Where) : Node(Where);

    private sealed record Pipeline(List<string> Declared, List<Command> Commands);

    private sealed record Command(List<Operand> Operands);

    private abstract record Operand;

    private sealed record Literal(object? Value) : Operand;

    private sealed record FieldChain(string? Variable, string[] Fields) : Operand;

    private sealed record Function(string Name) : Operand;

    private sealed record Nested(Pipeline Pipeline) : Operand;

    private sealed class Parser(string name, List<Piece> pieces, Dictionary<string, List<Node>> templates)
    {
        private int index;

        public List<Node> ParseAll()
        {
            var nodes = ParseList(out var end);
            if (end is not null)
            {
                throw new GoTemplateException($"{name}:{end.Line}: unexpected {{{{ {string.Join(' ', end.Tokens.Select(t => t.Text))} }}}}");
            }

            return nodes;
        }

        // Parses until {{ end }} / {{ else ... }} (returned in `stop`) or the end of the file (stop = null).
        private List<Node> ParseList(out ActionPiece? stop)
        {
            var nodes = new List<Node>();
            while (index < pieces.Count)
            {
                var piece = pieces[index++];
                var where = $"{name}:{piece.Line}";
                if (piece is TextPiece text)
                {
                    if (text.Text.Length > 0)
                    {
                        nodes.Add(new Text(text.Text, where));
                    }

                    continue;
                }

                var tokens = ((ActionPiece)piece).Tokens;
                if (tokens.Count == 0)
                {
                    continue; // a comment
                }

                var first = tokens[0];
                if (first.Kind == TokenKind.Identifier && first.Text is "end" or "else")
                {
                    stop = (ActionPiece)piece;
                    return nodes;
                }

                if (first.Kind == TokenKind.Identifier && first.Text is "if" or "with" or "range")
                {
                    nodes.Add(ParseBranch(first.Text, tokens.Skip(1).ToList(), where));
                }
                else if (first.Kind == TokenKind.Identifier && first.Text == "define")
                {
                    if (tokens.Count != 2 || tokens[1].Kind != TokenKind.String)
                    {
                        throw new GoTemplateException($"{where}: define takes one string");
                    }

                    var body = ParseList(out var end);
                    if (end is null || end.Tokens[0].Text != "end" || end.Tokens.Count != 1)
                    {
                        throw new GoTemplateException($"{where}: define without end");
                    }

                    templates[tokens[1].Text] = body;
                }
                else if (first.Kind == TokenKind.Identifier && first.Text is "template" or "block" or "break" or "continue" or "nil")
                {
                    throw new GoTemplateException($"{where}: '{first.Text}' is not implemented by the test renderer");
                }
                else
                {
                    nodes.Add(new Output(ParsePipeline(tokens, where, allowDeclare: true), where));
                }
            }

            stop = null;
            return nodes;
        }

        private Branch ParseBranch(string keyword, List<Token> tokens, string where)
        {
            var pipeline = ParsePipeline(tokens, where, allowDeclare: keyword == "range");
            var then = ParseList(out var stop);
            if (stop is null)
            {
                throw new GoTemplateException($"{where}: {keyword} without end");
            }

            var stopTokens = stop.Tokens;
            if (stopTokens[0].Text == "end")
            {
                if (stopTokens.Count != 1)
                {
                    throw new GoTemplateException($"{where}: end takes nothing");
                }

                return new Branch(keyword, pipeline, then, null, where);
            }

            // else / else if ...: an "else if" is an if nested in the else branch sharing the same end.
            if (stopTokens.Count == 1)
            {
                var otherwise = ParseList(out var end);
                if (end is null || end.Tokens[0].Text != "end" || end.Tokens.Count != 1)
                {
                    throw new GoTemplateException($"{where}: {keyword} ... else without end");
                }

                return new Branch(keyword, pipeline, then, otherwise, where);
            }

            if (stopTokens[1].Text == "if" && keyword == "if")
            {
                var nested = ParseBranch("if", stopTokens.Skip(2).ToList(), $"{name}:{stop.Line}");
                return new Branch(keyword, pipeline, then, [nested], where);
            }

            throw new GoTemplateException($"{where}: else {stopTokens[1].Text} is not implemented by the test renderer");
        }

        private static Pipeline ParsePipeline(List<Token> tokens, string where, bool allowDeclare)
        {
            if (tokens.Any(t => t.Kind == TokenKind.Assign))
            {
                throw new GoTemplateException($"{where}: assignment with = is not implemented by the test renderer");
            }

            var declared = new List<string>();
            var declare = tokens.FindIndex(t => t.Kind == TokenKind.Declare);
            if (declare >= 0)
            {
                if (!allowDeclare)
                {
                    throw new GoTemplateException($"{where}: declaration not allowed here");
                }

                declared.AddRange(tokens.Take(declare).Where(t => t.Kind != TokenKind.Comma).Select(t =>
                    t.Kind == TokenKind.Variable && !t.Text.Contains('.', StringComparison.Ordinal) ? t.Text : throw new GoTemplateException($"{where}: bad declaration")));
                tokens = tokens.Skip(declare + 1).ToList();
            }

            var position = 0;
            var pipeline = ParseCommands(tokens, ref position, where);
            if (position != tokens.Count)
            {
                throw new GoTemplateException($"{where}: unexpected {tokens[position].Text}");
            }

            return pipeline with { Declared = declared };
        }

        private static Pipeline ParseCommands(List<Token> tokens, ref int position, string where)
        {
            var commands = new List<Command>();
            var operands = new List<Operand>();
            while (position < tokens.Count && tokens[position].Kind != TokenKind.RightParen)
            {
                var token = tokens[position++];
                switch (token.Kind)
                {
                    case TokenKind.Pipe:
                        commands.Add(new Command(operands.Count > 0 ? operands : throw new GoTemplateException($"{where}: empty command")));
                        operands = [];
                        break;
                    case TokenKind.LeftParen:
                        var nested = ParseCommands(tokens, ref position, where);
                        if (position >= tokens.Count || tokens[position++].Kind != TokenKind.RightParen)
                        {
                            throw new GoTemplateException($"{where}: unclosed (");
                        }

                        operands.Add(new Nested(nested));
                        break;
                    case TokenKind.String:
                        operands.Add(new Literal(token.Text));
                        break;
                    case TokenKind.Number:
                        operands.Add(new Literal(token.Text.Contains('.', StringComparison.Ordinal)
                            ? double.Parse(token.Text, CultureInfo.InvariantCulture)
                            : long.Parse(token.Text, CultureInfo.InvariantCulture)));
                        break;
                    case TokenKind.Dot:
                        operands.Add(new FieldChain(null, []));
                        break;
                    case TokenKind.Field:
                        operands.Add(new FieldChain(null, token.Text[1..].Split('.')));
                        break;
                    case TokenKind.Variable:
                        var parts = token.Text.Split('.');
                        operands.Add(new FieldChain(parts[0], parts[1..]));
                        break;
                    case TokenKind.Identifier when token.Text is "true" or "false":
                        operands.Add(new Literal(token.Text == "true"));
                        break;
                    case TokenKind.Identifier when Functions.Contains(token.Text):
                        operands.Add(new Function(token.Text));
                        break;
                    case TokenKind.Identifier:
                        throw new GoTemplateException($"{where}: function \"{token.Text}\" is not implemented by the test renderer (keep the chart inside its subset)");
                    default:
                        throw new GoTemplateException($"{where}: unexpected {token.Text}");
                }
            }

            if (operands.Count == 0)
            {
                throw new GoTemplateException($"{where}: missing value");
            }

            commands.Add(new Command(operands));
            return new Pipeline([], commands);
        }
    }

    // ---- executor ----------------------------------------------------------------------------------------------

    private sealed class Executor(GoTemplate owner, object? root)
    {
        private readonly List<(string Name, object? Value)> variables = [("$", root)];
        private int depth;

        public void Run(List<Node> nodes, object? dot, StringBuilder output)
        {
            foreach (var node in nodes)
            {
                switch (node)
                {
                    case Text text:
                        output.Append(text.Value);
                        break;
                    case Output action:
                        var value = Evaluate(action.Pipeline, dot, action.Where);
                        if (action.Pipeline.Declared.Count > 0)
                        {
                            variables.Add((action.Pipeline.Declared[0], value));
                        }
                        else
                        {
                            output.Append(Print(value));
                        }

                        break;
                    case Branch branch:
                        RunBranch(branch, dot, output);
                        break;
                }
            }
        }

        private void RunBranch(Branch branch, object? dot, StringBuilder output)
        {
            var mark = variables.Count;
            var value = Evaluate(branch.Pipeline with { Declared = [] }, dot, branch.Where);
            switch (branch.Keyword)
            {
                case "if" when IsTrue(value):
                    Run(branch.Then, dot, output);
                    break;
                case "with" when IsTrue(value):
                    Run(branch.Then, value, output);
                    break;
                case "range" when value is System.Collections.IList { Count: > 0 } list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        var inner = variables.Count;
                        if (branch.Pipeline.Declared.Count == 1)
                        {
                            variables.Add((branch.Pipeline.Declared[0], list[i]));
                        }
                        else if (branch.Pipeline.Declared.Count == 2)
                        {
                            variables.Add((branch.Pipeline.Declared[0], (double)i));
                            variables.Add((branch.Pipeline.Declared[1], list[i]));
                        }

                        Run(branch.Then, list[i], output);
                        variables.RemoveRange(inner, variables.Count - inner);
                    }

                    break;
                case "range" when value is IDictionary<string, object?> { Count: > 0 } map:
                    // Go ranges over a map in sorted key order; "$k, $v :=" declares the key and the value.
                    foreach (var key in map.Keys.Order(StringComparer.Ordinal).ToList())
                    {
                        var inner = variables.Count;
                        if (branch.Pipeline.Declared.Count == 1)
                        {
                            variables.Add((branch.Pipeline.Declared[0], map[key]));
                        }
                        else if (branch.Pipeline.Declared.Count == 2)
                        {
                            variables.Add((branch.Pipeline.Declared[0], key));
                            variables.Add((branch.Pipeline.Declared[1], map[key]));
                        }

                        Run(branch.Then, map[key], output);
                        variables.RemoveRange(inner, variables.Count - inner);
                    }

                    break;
                case "range" when value is System.Collections.IDictionary and not IDictionary<string, object?>:
                    throw new GoTemplateException($"{branch.Where}: range over a {value.GetType().Name} is not implemented by the test renderer");
                case "range" when value is not null and not System.Collections.IList and not IDictionary<string, object?>:
                    throw new GoTemplateException($"{branch.Where}: range can't iterate over {Print(value)}");
                default:
                    if (branch.Else is not null)
                    {
                        Run(branch.Else, dot, output);
                    }

                    break;
            }

            variables.RemoveRange(mark, variables.Count - mark);
        }

        private object? Evaluate(Pipeline pipeline, object? dot, string where)
        {
            object? piped = null;
            var first = true;
            foreach (var command in pipeline.Commands)
            {
                piped = EvaluateCommand(command, dot, where, first ? null : new[] { piped });
                first = false;
            }

            return piped;
        }

        private object? EvaluateCommand(Command command, object? dot, string where, object?[]? piped)
        {
            var head = command.Operands[0];
            var args = command.Operands.Skip(1).Select(operand => Operand(operand, dot, where)).ToList();
            if (piped is not null)
            {
                args.AddRange(piped);
            }

            if (head is Function function)
            {
                return Call(function.Name, args, where);
            }

            var value = Operand(head, dot, where);
            if (value is GoMethod method)
            {
                return method.Invoke(args);
            }

            return args.Count == 0 ? value : throw new GoTemplateException($"{where}: can't give arguments to a non-function value");
        }

        private object? Operand(Operand operand, object? dot, string where) => operand switch
        {
            Literal literal => literal.Value,
            Nested nested => Evaluate(nested.Pipeline, dot, where),
            FieldChain chain => Fields(chain.Variable is null ? dot : Variable(chain.Variable, where), chain.Fields, where),
            Function function => Call(function.Name, [], where),
            _ => throw new GoTemplateException($"{where}: unexpected operand"),
        };

        private object? Variable(string name, string where)
        {
            for (var i = variables.Count - 1; i >= 0; i--)
            {
                if (variables[i].Name == name)
                {
                    return variables[i].Value;
                }
            }

            throw new GoTemplateException($"{where}: undefined variable {name}");
        }

        private static object? Fields(object? value, string[] fields, string where)
        {
            foreach (var field in fields)
            {
                value = value switch
                {
                    null => throw new GoTemplateException($"{where}: nil pointer evaluating interface {{}}.{field}"),
                    GoStruct structure => structure.Field(field),
                    IDictionary<string, object?> map => map.TryGetValue(field, out var found) ? found : null,
                    _ => throw new GoTemplateException($"{where}: can't evaluate field {field} in {value.GetType().Name}"),
                };
            }

            return value;
        }

        private object? Call(string name, List<object?> args, string where)
        {
            void Arity(int count)
            {
                if (args.Count != count)
                {
                    throw new GoTemplateException($"{where}: wrong number of args for {name}: want {count} got {args.Count}");
                }
            }

            switch (name)
            {
                case "include":
                    Arity(2);
                    var templateName = args[0] as string ?? throw new GoTemplateException($"{where}: include needs a template name");
                    if (!owner.templates.TryGetValue(templateName, out var body))
                    {
                        throw new GoTemplateException($"{where}: no template \"{templateName}\" associated with template");
                    }

                    if (++depth > 100)
                    {
                        throw new GoTemplateException($"{where}: include nested too deeply");
                    }

                    var output = new StringBuilder();
                    var included = new Executor(owner, args[1]) { depth = depth };
                    included.Run(body, args[1], output);
                    depth--;
                    return output.ToString();
                case "toYaml":
                    Arity(1);
                    return HelmYaml.ToYaml(args[0]);
                case "nindent":
                    Arity(2);
                    return "\n" + Indent(Int(args[0], where), AsString(args[1], where));
                case "indent":
                    Arity(2);
                    return Indent(Int(args[0], where), AsString(args[1], where));
                case "quote":
                    return string.Join(' ', args.Where(a => a is not null).Select(a => Quote(a is string s ? s : Print(a))));
                case "default":
                    Arity(2);
                    return IsTrue(args[1]) ? args[1] : args[0];
                case "trunc":
                    Arity(2);
                    var length = Int(args[0], where);
                    var text = AsString(args[1], where);
                    return length < 0 ? throw new GoTemplateException($"{where}: negative trunc not implemented") : text.Length > length ? text[..length] : text;
                case "trimSuffix":
                    Arity(2);
                    var suffix = AsString(args[0], where);
                    var whole = AsString(args[1], where);
                    return whole.EndsWith(suffix, StringComparison.Ordinal) && suffix.Length > 0 ? whole[..^suffix.Length] : whole;
                case "trim":
                    Arity(1);
                    return AsString(args[0], where).Trim();
                case "splitList":
                    Arity(2);
                    return AsString(args[1], where).Split(AsString(args[0], where)).Cast<object?>().ToList();
                case "uniq":
                    Arity(1);
                    return List(args[0], name, where).Distinct().ToList();
                case "has":
                    Arity(2);
                    return args[1] is null ? false : List(args[1], name, where).Contains(args[0]);
                case "kindIs":
                    Arity(2);
                    return AsString(args[0], where) == KindOf(args[1]);
                case "index":
                    Arity(2);
                    return args[0] switch
                    {
                        null => null,
                        IDictionary<string, object?> map when args[1] is string key => map.TryGetValue(key, out var item) ? item : null,
                        _ => throw new GoTemplateException($"{where}: index of anything but a map by a string is not implemented by the test renderer"),
                    };
                case "not":
                    Arity(1);
                    return !IsTrue(args[0]);
                case "and":
                    return args.Count < 1 ? throw new GoTemplateException($"{where}: and needs arguments") : args.FirstOrDefault(a => !IsTrue(a), args[^1]);
                case "or":
                    return args.Count < 1 ? throw new GoTemplateException($"{where}: or needs arguments") : args.FirstOrDefault(IsTrue, args[^1]);
                case "set":
                    Arity(3);
                    if (args[0] is not IDictionary<string, object?> target || args[1] is not string setKey)
                    {
                        throw new GoTemplateException($"{where}: set needs a map and a string key");
                    }

                    target[setKey] = args[2];
                    return target;
                case "required":
                    // Helm's required: "execution error at (<template>): <message>" when the value is nil or "".
                    Arity(2);
                    return args[1] is null or "" ? throw new GoTemplateException($"execution error at ({where}): {AsString(args[0], where)}") : args[1];
                default:
                    throw new GoTemplateException($"{where}: function \"{name}\" not implemented");
            }
        }

        // Sprig's list functions take a []interface{}; anything else is an error in Sprig too.
        private static List<object?> List(object? value, string function, string where) => value switch
        {
            IList<object?> list => [.. list],
            _ => throw new GoTemplateException($"{where}: {function} needs a list, got {value?.GetType().Name ?? "nil"}"),
        };

        // reflect.Kind's name, as Sprig's kindOf gives it, for the types Helm values hold.
        private static string KindOf(object? value) => value switch
        {
            null => "invalid",
            string => "string",
            bool => "bool",
            double => "float64",
            long => "int64",
            IDictionary<string, object?> => "map",
            IList<object?> => "slice",
            _ => throw new GoTemplateException($"kindIs of a {value.GetType().Name} is not implemented by the test renderer"),
        };

        private static string Indent(int spaces, string text)
        {
            var pad = new string(' ', spaces);
            return pad + text.Replace("\n", "\n" + pad, StringComparison.Ordinal);
        }

        private static int Int(object? value, string where) => value switch
        {
            long l => (int)l,
            double d when d == Math.Floor(d) => (int)d,
            _ => throw new GoTemplateException($"{where}: expected an integer, got {value}"),
        };

        // Sprig's string functions take interface{} and print it: strings as they are, nil as "".
        private static string AsString(object? value, string where) => value switch
        {
            string s => s,
            null => "",
            bool or long or double => Print(value),
            _ => throw new GoTemplateException($"{where}: expected a string, got a {value.GetType().Name}"),
        };
    }
}
