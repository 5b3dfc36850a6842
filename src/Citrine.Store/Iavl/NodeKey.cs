using System.Buffers.Binary;

namespace Citrine.Store.Iavl;

/// <summary>
/// The storage identity of a persisted node, as in iavl v1: the version that created it and a
/// sequence number within that version. Big-endian on disk so nodes sort by version.
/// </summary>
public readonly record struct NodeKey(long Version, uint Nonce)
{
    public const int Size = 12;

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, Version);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Nonce);
    }

    public static NodeKey Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadUInt32BigEndian(source[8..]));

    public override string ToString() => $"{Version}/{Nonce}";
}
