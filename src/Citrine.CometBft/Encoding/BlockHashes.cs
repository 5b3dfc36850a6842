using Citrine.CometBft.Types;
using Citrine.Crypto;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.CometBft.Encoding;

/// <summary>
/// The header hashes CometBFT 0.38 derives from block content (types/block.go, types/params.go,
/// types/results.go). Every function below cites the Go definition it follows.
/// </summary>
public static class BlockHashes
{
    /// <summary>The last commit of the first block: <c>Commit{}</c> with a zero block id and no signatures.</summary>
    public static readonly Commit EmptyCommit = new(0, 0, BlockId.Empty, []);

    /// <summary>
    /// <c>Commit.Hash()</c>: the simple Merkle root over each <c>CommitSig</c>'s protobuf encoding
    /// <c>{BlockIDFlag block_id_flag = 1; bytes validator_address = 2; Timestamp timestamp = 3 (non-nullable); bytes signature = 4}</c>.
    /// The empty commit (before height 1) hashes to SHA-256 of nothing.
    /// </summary>
    public static byte[] CommitHash(Commit? commit)
    {
        if (commit is null)
        {
            return Merkle.HashFromByteSlices([]);
        }
        var leaves = new byte[commit.Signatures.Count][];
        var w = new ProtoWriter(160);
        for (var i = 0; i < leaves.Length; i++)
        {
            var sig = commit.Signatures[i];
            w.Clear();
            w.WriteInt64(1, (long)sig.Flag);
            w.WriteBytes(2, sig.ValidatorAddress);
            var ts = new ProtoWriter(24);
            ts.WriteInt64(1, sig.Timestamp.Seconds);
            ts.WriteInt64(2, sig.Timestamp.Nanos);
            w.WriteMessage(3, ts.WrittenSpan);
            w.WriteBytes(4, sig.Signature);
            leaves[i] = w.ToArray();
        }
        return Merkle.HashFromByteSlices(leaves);
    }

    /// <summary><c>Data.Hash()</c> in 0.38: the Merkle root over SHA-256 of each transaction.</summary>
    public static byte[] DataHash(IReadOnlyList<byte[]> txs)
    {
        ArgumentNullException.ThrowIfNull(txs);
        var leaves = new byte[txs.Count][];
        for (var i = 0; i < leaves.Length; i++)
        {
            leaves[i] = Hashing.Sha256(txs[i]);
        }
        return Merkle.HashFromByteSlices(leaves);
    }

    /// <summary>
    /// <c>ConsensusParams.Hash()</c>: SHA-256 of <c>HashedParams{int64 block_max_bytes = 1; int64 block_max_gas = 2}</c>.
    /// </summary>
    public static byte[] ConsensusParamsHash(long blockMaxBytes, long blockMaxGas)
    {
        var w = new ProtoWriter(24);
        w.WriteInt64(1, blockMaxBytes);
        w.WriteInt64(2, blockMaxGas);
        return Hashing.Sha256(w.WrittenSpan);
    }

    /// <summary>
    /// <c>ABCIResults.Hash()</c>: the Merkle root over each result's deterministic part
    /// <c>ExecTxResult{uint32 code = 1; bytes data = 2; int64 gas_wanted = 5; int64 gas_used = 6}</c>.
    /// </summary>
    public static byte[] ResultsHash(IReadOnlyList<IDeterministicTxResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var leaves = new byte[results.Count][];
        var w = new ProtoWriter(64);
        for (var i = 0; i < leaves.Length; i++)
        {
            var r = results[i];
            w.Clear();
            w.WriteUInt64(1, r.Code);
            w.WriteBytes(2, r.Data);
            w.WriteInt64(5, r.GasWanted);
            w.WriteInt64(6, r.GasUsed);
            leaves[i] = w.ToArray();
        }
        return Merkle.HashFromByteSlices(leaves);
    }

    /// <summary>
    /// The block id of a block (types/block.go <c>Block.MakePartSet</c>): the header hash, and the
    /// part-set header of the protobuf-encoded <c>tendermint.types.Block</c> split into 64 KiB parts.
    /// A missing last commit (height 1) is encoded as the empty <c>Commit{}</c> CometBFT puts there.
    /// </summary>
    public static BlockId BlockIdOf(Header header, IReadOnlyList<byte[]> txs, Commit? lastCommit)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(txs);
        return PartSet.BlockIdOf(header, txs, lastCommit ?? EmptyCommit);
    }
}
