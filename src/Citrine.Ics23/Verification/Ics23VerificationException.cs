namespace Citrine.Ics23.Verification;

/// <summary>A failed ICS23 check, with the code of the check that failed.</summary>
public sealed class Ics23VerificationException : Exception
{
    public Ics23VerificationException()
        : this(Ics23Error.None, "ICS23 verification failed")
    {
    }

    public Ics23VerificationException(string message)
        : this(Ics23Error.None, message)
    {
    }

    public Ics23VerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Ics23VerificationException(Ics23Error error, string message)
        : base(message)
    {
        Error = error;
    }

    public Ics23Error Error { get; }
}
