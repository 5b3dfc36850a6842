using Citrine.CometBft.Types;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.CometBft.Encoding;

/// <summary>
/// The header hash (CometBFT types/block.go <c>Header.Hash</c>): the simple Merkle root over 14
/// leaves, each a protobuf encoding: Consensus version, chain id (StringValue), height
/// (Int64Value), time (Timestamp), last BlockID, then the hashes and proposer address as
/// BytesValue, in field order.
/// </summary>
public static class HeaderHasher
{
    public const int LeafCount = 14;

    public static byte[] Hash(Header header)
    {
        ArgumentNullException.ThrowIfNull(header);
        // Each leaf is encoded into one reused writer and hashed in place: no per-leaf arrays.
        Span<byte> leafHashes = stackalloc byte[LeafCount * Merkle.HashSize];
        var w = new ProtoWriter(128);
        var index = 0;
        for (var field = 0; field < LeafCount; field++)
        {
            w.Clear();
            WriteLeaf(w, header, field);
            Merkle.LeafHash(w.WrittenSpan, leafHashes.Slice(index++ * Merkle.HashSize, Merkle.HashSize));
        }
        return Merkle.HashFromLeafHashes(leafHashes, LeafCount);
    }

    /// <summary>The 14 encoded fields that are the Merkle leaves.</summary>
    public static byte[][] Leaves(Header header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var leaves = new byte[LeafCount][];
        var w = new ProtoWriter(128);
        for (var field = 0; field < LeafCount; field++)
        {
            w.Clear();
            WriteLeaf(w, header, field);
            leaves[field] = w.ToArray();
        }
        return leaves;
    }

    private static void WriteLeaf(ProtoWriter w, Header header, int field)
    {
        switch (field)
        {
            case 0:
                // tendermint.version.Consensus{uint64 block = 1; uint64 app = 2}
                w.WriteUInt64(1, header.Version.Block);
                w.WriteUInt64(2, header.Version.App);
                break;
            case 1:
                w.WriteString(1, header.ChainId);
                break;
            case 2:
                w.WriteInt64(1, header.Height);
                break;
            case 3:
                WriteTimestamp(w, header.Time);
                break;
            case 4:
                WriteBlockId(w, header.LastBlockId);
                break;
            default:
                w.WriteBytes(1, field switch
                {
                    5 => header.LastCommitHash,
                    6 => header.DataHash,
                    7 => header.ValidatorsHash,
                    8 => header.NextValidatorsHash,
                    9 => header.ConsensusHash,
                    10 => header.AppHash,
                    11 => header.LastResultsHash,
                    12 => header.EvidenceHash,
                    _ => header.ProposerAddress,
                });
                break;
        }
    }

    /// <summary><c>google.protobuf.Timestamp{int64 seconds = 1; int32 nanos = 2}</c>.</summary>
    public static byte[] TimestampBytes(ProtoWriter w, Timestamp time)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Clear();
        WriteTimestamp(w, time);
        return w.ToArray();
    }

    /// <summary>
    /// <c>tendermint.types.BlockID{bytes hash = 1; PartSetHeader part_set_header = 2}</c>; the part
    /// set header is non-nullable, so it is written even when empty (<c>12 00</c>).
    /// </summary>
    public static byte[] BlockIdBytes(ProtoWriter w, BlockId blockId)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(blockId);
        w.Clear();
        WriteBlockId(w, blockId);
        return w.ToArray();
    }

    private static void WriteTimestamp(ProtoWriter w, Timestamp time)
    {
        w.WriteInt64(1, time.Seconds);
        w.WriteInt64(2, time.Nanos);
    }

    private static void WriteBlockId(ProtoWriter w, BlockId blockId)
    {
        var parts = blockId.PartSetHeader;
        w.WriteBytes(1, blockId.Hash);
        // PartSetHeader{uint32 total = 1; bytes hash = 2}, length computed up front.
        var partsLength = (parts.Total == 0 ? 0 : 1 + ProtoWriter.VarintSize(parts.Total))
            + (parts.Hash.Length == 0 ? 0 : 1 + ProtoWriter.VarintSize((ulong)parts.Hash.Length) + parts.Hash.Length);
        w.WriteVarint((2 << 3) | 2);
        w.WriteVarint((ulong)partsLength);
        w.WriteUInt64(1, parts.Total);
        w.WriteBytes(2, parts.Hash);
    }
}
