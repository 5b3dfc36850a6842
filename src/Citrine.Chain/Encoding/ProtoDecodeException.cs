using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.Chain.Encoding;

/// <summary>A protobuf field could not be decoded: what was wrong and at which byte offset.</summary>
public sealed class ProtoDecodeException : Exception
{
    public ProtoDecodeException()
    {
    }

    public ProtoDecodeException(string message)
        : base(message)
    {
    }

    public ProtoDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ProtoDecodeException(string what, int offset)
        : base($"{what} (at byte {offset})")
    {
        What = what;
        Offset = offset;
    }

    public string What { get; } = "";

    public int Offset { get; } = -1;

    /// <summary>The same failure, from the shared protobuf reader.</summary>
    internal static ProtoDecodeException From(ProtoFormatException e) => new($"{e.Field}: {e.Reason}", e.Offset);
}
