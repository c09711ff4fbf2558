namespace MetricsOperator.Cli;

/// <summary>An environment variable holding a credential is not set (in a backup Job: the Secret lacks the key).</summary>
public sealed class MissingCredentialException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public MissingCredentialException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public MissingCredentialException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MissingCredentialException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
