namespace Transfers.Protocol;

/// <summary>A Transfers plaintext that is not exactly its format: names the format, the field and the offset.</summary>
public sealed class TransfersFormatException : Exception
{
    public TransfersFormatException()
    {
    }

    public TransfersFormatException(string message)
        : base(message)
    {
    }

    public TransfersFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TransfersFormatException(string format, string field, int offset, string problem)
        : base($"{format}: {field} at offset {offset}: {problem}")
    {
        Format = format;
        Field = field;
        Offset = offset;
    }

    /// <summary>The format being read, e.g. <c>transfer request</c>.</summary>
    public string? Format { get; }

    /// <summary>The field that failed, e.g. <c>amount</c>.</summary>
    public string? Field { get; }

    /// <summary>Byte offset of the field.</summary>
    public int Offset { get; }
}
