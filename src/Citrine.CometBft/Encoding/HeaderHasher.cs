using Citrine.CometBft.Types;

namespace Citrine.CometBft.Encoding;

/// <summary>
/// The header hash (CometBFT types/block.go <c>Header.Hash</c>): the simple Merkle root over 14
/// leaves, each a protobuf encoding: Consensus version, chain id (StringValue), height
/// (Int64Value), time (Timestamp), last BlockID, then the hashes and proposer address as
/// BytesValue, in field order.
/// </summary>
public static class HeaderHasher
{
    public static byte[] Hash(Header header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return Merkle.HashFromByteSlices(Leaves(header));
    }

    /// <summary>The 14 encoded fields that are the Merkle leaves.</summary>
    public static byte[][] Leaves(Header header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var w = new ProtoWriter(64);
        return
        [
            Consensus(w, header.Version),
            StringValue(w, header.ChainId),
            Int64Value(w, header.Height),
            TimestampBytes(w, header.Time),
            BlockIdBytes(w, header.LastBlockId),
            BytesValue(w, header.LastCommitHash),
            BytesValue(w, header.DataHash),
            BytesValue(w, header.ValidatorsHash),
            BytesValue(w, header.NextValidatorsHash),
            BytesValue(w, header.ConsensusHash),
            BytesValue(w, header.AppHash),
            BytesValue(w, header.LastResultsHash),
            BytesValue(w, header.EvidenceHash),
            BytesValue(w, header.ProposerAddress),
        ];
    }

    /// <summary><c>tendermint.version.Consensus{uint64 block = 1; uint64 app = 2}</c>.</summary>
    public static byte[] Consensus(ProtoWriter w, ConsensusVersion version)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Clear();
        w.WriteUInt64(1, version.Block);
        w.WriteUInt64(2, version.App);
        return w.ToArray();
    }

    /// <summary><c>google.protobuf.Timestamp{int64 seconds = 1; int32 nanos = 2}</c>.</summary>
    public static byte[] TimestampBytes(ProtoWriter w, Timestamp time)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Clear();
        w.WriteInt64(1, time.Seconds);
        w.WriteInt64(2, time.Nanos);
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
        var parts = new ProtoWriter(48);
        parts.WriteUInt64(1, blockId.PartSetHeader.Total);
        parts.WriteBytes(2, blockId.PartSetHeader.Hash);
        w.Clear();
        w.WriteBytes(1, blockId.Hash);
        w.WriteMessage(2, parts.WrittenSpan);
        return w.ToArray();
    }

    private static byte[] StringValue(ProtoWriter w, string value)
    {
        w.Clear();
        w.WriteString(1, value);
        return w.ToArray();
    }

    private static byte[] Int64Value(ProtoWriter w, long value)
    {
        w.Clear();
        w.WriteInt64(1, value);
        return w.ToArray();
    }

    private static byte[] BytesValue(ProtoWriter w, byte[] value)
    {
        w.Clear();
        w.WriteBytes(1, value);
        return w.ToArray();
    }
}
