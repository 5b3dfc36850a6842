using Citrine.CometBft.Types;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.CometBft.Encoding;

/// <summary>
/// Vote sign bytes (CometBFT types/vote.go <c>VoteSignBytes</c>): the varint-length-prefixed
/// protobuf <c>CanonicalVote</c>:
/// <code>
/// CanonicalVote { SignedMsgType type = 1;          // 2 = precommit
///                 sfixed64 height = 2; sfixed64 round = 3;
///                 CanonicalBlockID block_id = 4;   // omitted for nil votes
///                 google.protobuf.Timestamp timestamp = 5;  // non-nullable: always written
///                 string chain_id = 6; }
/// CanonicalBlockID { bytes hash = 1; CanonicalPartSetHeader part_set_header = 2; }  // non-nullable
/// CanonicalPartSetHeader { uint32 total = 1; bytes hash = 2; }
/// </code>
/// Within one commit the sign bytes of two validators differ only in the timestamp (and in the
/// block id for nil votes), so a template holds the fixed parts and each vote costs one copy.
/// </summary>
public sealed class VoteSignBytes
{
    /// <summary><c>SIGNED_MSG_TYPE_PRECOMMIT</c>.</summary>
    public const int PrecommitType = 2;

    // A Timestamp field is at most tag(1) + len(1) + seconds(1 + 10) + nanos(1 + 5) bytes.
    private const int MaxTimestampField = 19;

    private readonly byte[] _commitPrefix;
    private readonly byte[] _nilPrefix;
    private readonly byte[] _suffix;

    public VoteSignBytes(string chainId, long height, int round, BlockId blockId)
    {
        ArgumentNullException.ThrowIfNull(chainId);
        ArgumentNullException.ThrowIfNull(blockId);
        var w = new ProtoWriter(128);
        w.WriteInt64(1, PrecommitType);
        w.WriteSFixed64(2, height);
        w.WriteSFixed64(3, round);
        _nilPrefix = w.ToArray();
        if (!blockId.IsZero)
        {
            var parts = new ProtoWriter(48);
            parts.WriteUInt64(1, blockId.PartSetHeader.Total);
            parts.WriteBytes(2, blockId.PartSetHeader.Hash);
            var canonicalId = new ProtoWriter(80);
            canonicalId.WriteBytes(1, blockId.Hash);
            canonicalId.WriteMessage(2, parts.WrittenSpan);
            w.WriteMessage(4, canonicalId.WrittenSpan);
        }
        _commitPrefix = w.ToArray();
        w.Clear();
        w.WriteString(6, chainId);
        _suffix = w.ToArray();
    }

    /// <summary>The largest sign-bytes length this template can produce.</summary>
    public int MaxLength => 10 + _commitPrefix.Length + MaxTimestampField + _suffix.Length;

    /// <summary>Sign bytes of a precommit for the block (<paramref name="forBlock"/>) or for nil.</summary>
    public byte[] Create(bool forBlock, Timestamp timestamp)
    {
        var buffer = new byte[MaxLength];
        var written = Write(buffer, forBlock, timestamp);
        return buffer.AsSpan(0, written).ToArray();
    }

    /// <summary>Writes the sign bytes into <paramref name="destination"/> (at least <see cref="MaxLength"/>); returns the length.</summary>
    public int Write(Span<byte> destination, bool forBlock, Timestamp timestamp)
    {
        var prefix = forBlock ? _commitPrefix : _nilPrefix;
        Span<byte> ts = stackalloc byte[MaxTimestampField];
        var tsLength = WriteTimestampField(ts, timestamp);
        var bodyLength = prefix.Length + tsLength + _suffix.Length;
        var position = ProtoWriter.WriteVarint(destination, (ulong)bodyLength);
        prefix.CopyTo(destination[position..]);
        position += prefix.Length;
        ts[..tsLength].CopyTo(destination[position..]);
        position += tsLength;
        _suffix.CopyTo(destination[position..]);
        return position + _suffix.Length;
    }

    /// <summary>One vote's sign bytes without a template.</summary>
    public static byte[] For(string chainId, long height, int round, BlockId? blockId, Timestamp timestamp) =>
        new VoteSignBytes(chainId, height, round, blockId ?? BlockId.Empty).Create(blockId is not null && !blockId.IsZero, timestamp);

    private static int WriteTimestampField(Span<byte> destination, Timestamp timestamp)
    {
        Span<byte> body = stackalloc byte[17];
        var length = 0;
        if (timestamp.Seconds != 0)
        {
            body[length++] = 0x08;
            length += ProtoWriter.WriteVarint(body[length..], unchecked((ulong)timestamp.Seconds));
        }
        if (timestamp.Nanos != 0)
        {
            body[length++] = 0x10;
            length += ProtoWriter.WriteVarint(body[length..], unchecked((ulong)(long)timestamp.Nanos));
        }
        destination[0] = 0x2a;
        destination[1] = (byte)length;
        body[..length].CopyTo(destination[2..]);
        return length + 2;
    }

}
