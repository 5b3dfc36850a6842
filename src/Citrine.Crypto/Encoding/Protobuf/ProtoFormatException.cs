namespace Citrine.Crypto.Encoding.Protobuf;

/// <summary>
/// Protobuf wire format that <see cref="ProtoReader"/> cannot read: what was wrong
/// (<see cref="Reason"/>), in which field (<see cref="Field"/>, <c>Message.field</c> when the reader
/// was given a message name) and at which absolute byte offset.
/// </summary>
public sealed class ProtoFormatException : FormatException
{
    public ProtoFormatException()
        : this("malformed protobuf", string.Empty, -1)
    {
    }

    public ProtoFormatException(string message)
        : this(message, string.Empty, -1)
    {
    }

    public ProtoFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
        Field = string.Empty;
        Offset = -1;
    }

    public ProtoFormatException(string reason, string field, int offset, Exception? innerException = null)
        : base($"{field} at offset {offset}: {reason}", innerException)
    {
        Reason = reason;
        Field = field;
        Offset = offset;
    }

    /// <summary>The problem alone, without field or offset.</summary>
    public string Reason { get; }

    public string Field { get; }

    /// <summary>Byte offset in the outermost input (-1 when not known).</summary>
    public int Offset { get; }
}
