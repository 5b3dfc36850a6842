using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.Ics23.Proofs;

/// <summary>
/// Malformed proof input: a protobuf message that cannot be decoded, or ProofOps JSON that does
/// not have the expected shape. Carries the byte offset (protobuf) and the field where it failed.
/// </summary>
public sealed class Ics23FormatException : FormatException
{
    public Ics23FormatException()
    {
        Field = string.Empty;
    }

    public Ics23FormatException(string message)
        : base(message)
    {
        Field = string.Empty;
    }

    public Ics23FormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = string.Empty;
    }

    public Ics23FormatException(string message, string field, int offset, Exception? innerException = null)
        : base($"{field} at offset {offset}: {message}", innerException)
    {
        Field = field;
        Offset = offset;
    }

    /// <summary>The same failure, from the shared protobuf reader.</summary>
    internal static Ics23FormatException From(ProtoFormatException e) => new(e.Reason, e.Field, e.Offset, e);

    /// <summary>The message field (e.g. <c>ExistenceProof.leaf</c>) or JSON property being read.</summary>
    public string Field { get; }

    /// <summary>Byte offset in the outermost input where the problem was found (-1 when not applicable).</summary>
    public int Offset { get; } = -1;
}
