namespace MetricsOperator.Runtime.Logging;

/// <summary>
/// An exception's message followed by its causes', for a log line. .NET's networking puts the reason a request failed
/// (a certificate refused, a name that does not resolve, a connection refused) in an inner exception and says only
/// "The SSL connection could not be established, see inner exception." outside, which told an operator whose CA did
/// not match the API server nothing it could act on.
/// </summary>
public static class ErrorText
{
    // Deep enough for HttpRequestException → AuthenticationException → the platform's error; a longer chain is noise.
    private const int MostCauses = 4;

    private static readonly string[] Pointers = [", see inner exception", " See the inner exception for details", " See inner exception"];

    /// <summary>"outer: cause: its cause", each message once, without the pointers to the inner exception.</summary>
    public static string Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var messages = new List<string>();
        for (var e = exception; e is not null && messages.Count < MostCauses; e = e.InnerException)
        {
            var message = e.Message.Trim();
            foreach (var pointer in Pointers)
            {
                message = message.Replace(pointer, "", StringComparison.Ordinal);
            }

            message = message.TrimEnd('.', ' ');
            if (message.Length > 0 && !messages.Contains(message, StringComparer.Ordinal))
            {
                messages.Add(message);
            }
        }

        return string.Join(": ", messages);
    }
}
