namespace Citrine.Attestation.Dcap;

/// <summary>
/// A quote (or a structure inside it) is malformed. Carries the field that was being read and
/// the byte offset in the quote where reading it failed.
/// </summary>
public sealed class QuoteFormatException : Exception
{
    public QuoteFormatException()
    {
        Field = string.Empty;
    }

    public QuoteFormatException(string message)
        : base(message)
    {
        Field = string.Empty;
    }

    public QuoteFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = string.Empty;
    }

    public QuoteFormatException(string field, int offset, string message)
        : base($"quote field '{field}' at offset {offset}: {message}")
    {
        Field = field;
        Offset = offset;
    }

    /// <summary>The field being read when the error was found.</summary>
    public string Field { get; }

    /// <summary>Byte offset (from the start of the quote) of that field.</summary>
    public int Offset { get; }
}
