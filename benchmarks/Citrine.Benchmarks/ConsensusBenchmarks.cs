using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.Types;

namespace Citrine.Benchmarks;

/// <summary>
/// What the devnet adds per block for CometBFT fidelity: encoding the whole block as
/// <c>tendermint.types.Block</c> and computing its part set, next to its floor, one SHA-256 pass
/// over the same encoded bytes (the part-set Merkle root cannot hash less than every byte once).
/// </summary>
[MemoryDiagnoser]
public class ConsensusPartSetBenchmarks
{
    private Header _header = null!;
    private byte[][] _txs = null!;
    private Commit _lastCommit = null!;
    private byte[] _encoded = null!;

    /// <summary>Total transaction bytes in the block.</summary>
    [Params(1_000, 1_000_000)]
    public int TxBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] Hash32(byte seed) => Enumerable.Repeat(seed, 32).ToArray();
        _header = new Header
        {
            Version = new ConsensusVersion(Header.BlockProtocol, 0),
            ChainId = "citrine-bench",
            Height = 100,
            Time = new Timestamp(1_750_000_000, 5),
            LastBlockId = new BlockId(Hash32(1), new PartSetHeader(1, Hash32(2))),
            LastCommitHash = Hash32(3),
            DataHash = Hash32(4),
            ValidatorsHash = Hash32(5),
            NextValidatorsHash = Hash32(5),
            ConsensusHash = Hash32(6),
            AppHash = Hash32(7),
            LastResultsHash = Hash32(8),
            EvidenceHash = Hash32(9),
            ProposerAddress = new byte[20],
        };
        const int TxSize = 250;
        _txs = [.. Enumerable.Range(0, Math.Max(1, TxBytes / TxSize)).Select(i => Enumerable.Repeat((byte)i, TxSize).ToArray())];
        _lastCommit = new Commit(99, 0, _header.LastBlockId,
            [.. Enumerable.Range(0, 4).Select(i => new CommitSig(BlockIdFlag.Commit, new byte[20], new Timestamp(1_750_000_000, i), new byte[64]))]);
        _encoded = BlockEncoder.EncodeBlock(_header, _txs, _lastCommit);
    }

    [Benchmark]
    public PartSetHeader EncodeAndPartSet() => PartSet.FromData(BlockEncoder.EncodeBlockMemory(_header, _txs, _lastCommit)).Header;

    [Benchmark(Baseline = true)]
    public byte[] FloorSha256OfEncodedBlock() => SHA256.HashData(_encoded);
}

/// <summary>One proposer-priority increment (CometBFT <c>IncrementProposerPriority(1)</c>), done once per height.</summary>
[MemoryDiagnoser]
public class ConsensusProposerBenchmarks
{
    private ValidatorSet _set = null!;

    [Params(4, 100)]
    public int Validators { get; set; }

    [GlobalSetup]
    public void Setup() =>
        _set = ProposerPriority.NewValidatorSet(Enumerable.Range(0, Validators).Select(i =>
        {
            var address = new byte[20];
            address[0] = (byte)i;
            return new Validator(address, new byte[32], 1 + (i % 7));
        }));

    [Benchmark]
    public ValidatorSet Increment() => ProposerPriority.Increment(_set, 1);
}
