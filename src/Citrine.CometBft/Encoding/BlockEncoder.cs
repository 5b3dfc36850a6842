using Citrine.CometBft.Types;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.CometBft.Encoding;

/// <summary>
/// The protobuf encoding of a whole block, <c>tendermint.types.Block</c> (proto/tendermint/types/block.proto,
/// types.proto), as CometBFT 0.38 <c>Block.MakePartSet</c> marshals it before splitting it into
/// parts. gogoproto non-nullable message fields are written even when empty; the last commit is
/// nullable and written when present (CometBFT gives height 1 an empty <c>Commit{}</c>, which is
/// present). Evidence is always the empty list: Citrine blocks carry none.
/// </summary>
public static class BlockEncoder
{
    /// <summary>
    /// <c>Block{Header header = 1; Data data = 2; EvidenceList evidence = 3; Commit last_commit = 4}</c>.
    /// </summary>
    public static byte[] EncodeBlock(Header header, IReadOnlyList<byte[]> txs, Commit? lastCommit) =>
        EncodeBlockMemory(header, txs, lastCommit).ToArray();

    /// <summary>
    /// <see cref="EncodeBlock"/> without the final copy: the encoding in the writer's (pre-sized)
    /// buffer, for callers that only read it, such as <see cref="Types.PartSet.FromData"/> — a
    /// 1 MB block then allocates 1 MB, not 2.
    /// </summary>
    public static ReadOnlyMemory<byte> EncodeBlockMemory(Header header, IReadOnlyList<byte[]> txs, Commit? lastCommit)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(txs);
        // Data{repeated bytes txs = 1}: every tx is written, an empty one too. Its length is known
        // up front, so the transactions are copied once, straight into the block.
        long dataLength = 0;
        foreach (var tx in txs)
        {
            dataLength += 1 + ProtoWriter.VarintSize((ulong)tx.Length) + tx.Length;
        }
        var encodedHeader = EncodeHeader(header);
        var lastCommitBytes = lastCommit is null ? null : EncodeCommit(lastCommit);
        var w = new ProtoWriter(checked((int)(64 + encodedHeader.Length + dataLength + (lastCommitBytes?.Length ?? 0))));
        w.WriteMessage(1, encodedHeader);
        w.WriteVarint((2 << 3) | 2);
        w.WriteVarint((ulong)dataLength);
        foreach (var tx in txs)
        {
            w.WriteMessage(1, tx);
        }
        // EvidenceList{repeated Evidence evidence = 1}: empty.
        w.WriteMessage(3, []);
        if (lastCommitBytes is not null)
        {
            w.WriteMessage(4, lastCommitBytes);
        }
        return w.WrittenMemory;
    }

    /// <summary>
    /// <c>Header{Consensus version = 1; string chain_id = 2; int64 height = 3; Timestamp time = 4;
    /// BlockID last_block_id = 5; bytes last_commit_hash = 6; data_hash = 7; validators_hash = 8;
    /// next_validators_hash = 9; consensus_hash = 10; app_hash = 11; last_results_hash = 12;
    /// evidence_hash = 13; proposer_address = 14}</c>; version, time and last_block_id are non-nullable.
    /// </summary>
    public static byte[] EncodeHeader(Header header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var w = new ProtoWriter(384);
        var inner = new ProtoWriter(96);
        inner.WriteUInt64(1, header.Version.Block);
        inner.WriteUInt64(2, header.Version.App);
        w.WriteMessage(1, inner.WrittenSpan);
        w.WriteString(2, header.ChainId);
        w.WriteInt64(3, header.Height);
        w.WriteMessage(4, HeaderHasher.TimestampBytes(inner, header.Time));
        w.WriteMessage(5, HeaderHasher.BlockIdBytes(inner, header.LastBlockId));
        w.WriteBytes(6, header.LastCommitHash);
        w.WriteBytes(7, header.DataHash);
        w.WriteBytes(8, header.ValidatorsHash);
        w.WriteBytes(9, header.NextValidatorsHash);
        w.WriteBytes(10, header.ConsensusHash);
        w.WriteBytes(11, header.AppHash);
        w.WriteBytes(12, header.LastResultsHash);
        w.WriteBytes(13, header.EvidenceHash);
        w.WriteBytes(14, header.ProposerAddress);
        return w.ToArray();
    }

    /// <summary>
    /// <c>Commit{int64 height = 1; int32 round = 2; BlockID block_id = 3; repeated CommitSig signatures = 4}</c>
    /// with <c>CommitSig{BlockIDFlag block_id_flag = 1; bytes validator_address = 2; Timestamp timestamp = 3; bytes signature = 4}</c>;
    /// block_id and timestamp are non-nullable.
    /// </summary>
    public static byte[] EncodeCommit(Commit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var w = new ProtoWriter(128 + (commit.Signatures.Count * 110));
        var inner = new ProtoWriter(96);
        var sig = new ProtoWriter(128);
        w.WriteInt64(1, commit.Height);
        w.WriteInt64(2, commit.Round);
        w.WriteMessage(3, HeaderHasher.BlockIdBytes(inner, commit.BlockId));
        foreach (var s in commit.Signatures)
        {
            sig.Clear();
            sig.WriteInt64(1, (long)s.Flag);
            sig.WriteBytes(2, s.ValidatorAddress);
            sig.WriteMessage(3, HeaderHasher.TimestampBytes(inner, s.Timestamp));
            sig.WriteBytes(4, s.Signature);
            w.WriteMessage(4, sig.WrittenSpan);
        }
        return w.ToArray();
    }
}
