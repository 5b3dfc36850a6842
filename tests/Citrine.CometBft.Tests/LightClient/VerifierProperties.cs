using Citrine.CometBft.LightClient;
using Citrine.CometBft.Testing;
using Citrine.CometBft.Types;
using FsCheck.Xunit;

namespace Citrine.CometBft.Tests.LightClient;

public sealed class VerifierProperties
{
    private static readonly TimeSpan Period = TimeSpan.FromDays(7);

    private static SyntheticChain Chain(byte validators, byte churn, byte seed, bool varied) =>
        SyntheticChain.Generate(new SyntheticChainOptions
        {
            Heights = 8,
            Validators = 1 + (validators % 10),
            ChurnInterval = 1 + (churn % 4),
            ChurnFraction = (churn / 4 % 5) / 4.0,
            VariedPower = varied,
            Seed = $"prop-{seed}",
        });

    private static Timestamp NowFor(SyntheticChain chain) => chain.HeaderAt(chain.LatestHeight).Time.AddNanoseconds(1_000_000_000);

    [Property(MaxTest = 30)]
    public bool Every_honest_chain_verifies_step_by_step_and_never_invalid_when_skipping(byte validators, byte churn, byte seed, bool varied)
    {
        using var chain = Chain(validators, churn, seed, varied);
        var options = new TrustOptions(chain.ChainId, Period, Fraction.OneThird, TimeSpan.Zero);
        var now = NowFor(chain);
        for (long h = 2; h <= chain.LatestHeight; h++)
        {
            if (!Verifier.Verify(chain.LightBlockAt(h - 1), chain.LightBlockAt(h), options, now).IsSuccess)
            {
                return false;
            }
        }
        var skip = Verifier.Verify(chain.LightBlockAt(1), chain.LightBlockAt(chain.LatestHeight), options, now);
        return skip.Status != VerdictStatus.Invalid;
    }

    /// <summary>Every way to change one field of the untrusted block (header, commit or validator set).</summary>
    private static readonly (string Name, Func<LightBlock, int, LightBlock> Tamper)[] Tampers =
    [
        ("header.version", (b, _) => H(b, b.Header with { Version = b.Header.Version with { App = b.Header.Version.App + 1 } })),
        ("header.chain_id", (b, _) => H(b, b.Header with { ChainId = b.Header.ChainId + "x" })),
        ("header.height", (b, _) => H(b, b.Header with { Height = b.Header.Height + 1 })),
        ("header.time", (b, _) => H(b, b.Header with { Time = b.Header.Time.AddNanoseconds(1) })),
        ("header.last_block_id", (b, i) => H(b, b.Header with { LastBlockId = b.Header.LastBlockId with { Hash = Flip(b.Header.LastBlockId.Hash, i) } })),
        ("header.last_block_id.parts", (b, _) => H(b, b.Header with { LastBlockId = b.Header.LastBlockId with { PartSetHeader = b.Header.LastBlockId.PartSetHeader with { Total = 7 } } })),
        ("header.last_commit_hash", (b, i) => H(b, b.Header with { LastCommitHash = Flip(b.Header.LastCommitHash, i) })),
        ("header.data_hash", (b, i) => H(b, b.Header with { DataHash = Flip(b.Header.DataHash, i) })),
        ("header.validators_hash", (b, i) => H(b, b.Header with { ValidatorsHash = Flip(b.Header.ValidatorsHash, i) })),
        ("header.next_validators_hash", (b, i) => H(b, b.Header with { NextValidatorsHash = Flip(b.Header.NextValidatorsHash, i) })),
        ("header.consensus_hash", (b, i) => H(b, b.Header with { ConsensusHash = Flip(b.Header.ConsensusHash, i) })),
        ("header.app_hash", (b, i) => H(b, b.Header with { AppHash = Flip(b.Header.AppHash, i) })),
        ("header.last_results_hash", (b, i) => H(b, b.Header with { LastResultsHash = Flip(b.Header.LastResultsHash, i) })),
        ("header.evidence_hash", (b, i) => H(b, b.Header with { EvidenceHash = Flip(b.Header.EvidenceHash, i) })),
        ("header.proposer_address", (b, i) => H(b, b.Header with { ProposerAddress = Flip(b.Header.ProposerAddress, i) })),
        ("commit.height", (b, _) => C(b, b.Commit with { Height = b.Commit.Height + 1 })),
        ("commit.round", (b, _) => C(b, b.Commit with { Round = b.Commit.Round + 1 })),
        ("commit.block_id.hash", (b, i) => C(b, b.Commit with { BlockId = b.Commit.BlockId with { Hash = Flip(b.Commit.BlockId.Hash, i) } })),
        ("commit.block_id.parts.total", (b, _) => C(b, b.Commit with { BlockId = b.Commit.BlockId with { PartSetHeader = b.Commit.BlockId.PartSetHeader with { Total = 2 } } })),
        ("commit.block_id.parts.hash", (b, i) => C(b, b.Commit with { BlockId = b.Commit.BlockId with { PartSetHeader = b.Commit.BlockId.PartSetHeader with { Hash = Flip(b.Commit.BlockId.PartSetHeader.Hash, i) } } })),
        ("commit.signature", (b, i) => Sig(b, i, s => s with { Signature = Flip(s.Signature, i) })),
        ("commit.timestamp", (b, i) => Sig(b, i, s => s with { Timestamp = s.Timestamp.AddNanoseconds(1 + i) })),
        ("commit.validator_address", (b, i) => Sig(b, i, s => s with { ValidatorAddress = Flip(s.ValidatorAddress, i) })),
        ("commit.flag_absent", (b, i) => Sig(b, i, s => s with { Flag = BlockIdFlag.Absent })),
        ("validators.power", (b, i) => b with { Validators = new ValidatorSet(b.Validators.Validators.Select((v, k) => k == i % b.Validators.Count ? v.WithVotingPower(v.VotingPower + 1) : v)) }),
        ("validators.key", (b, i) => b with { Validators = new ValidatorSet(b.Validators.Validators.Select((v, k) => k == i % b.Validators.Count ? new Validator(v.Address, Flip(v.PublicKey, i), v.VotingPower) : v)) }),
        ("next_validators.power", (b, i) => b with { NextValidators = new ValidatorSet(b.NextValidators.Validators.Select((v, k) => k == i % b.NextValidators.Count ? v.WithVotingPower(v.VotingPower + 1) : v)) }),
    ];

    private static LightBlock H(LightBlock b, Header header) => b with { SignedHeader = b.SignedHeader with { Header = header } };

    private static LightBlock C(LightBlock b, Commit commit) => b with { SignedHeader = b.SignedHeader with { Commit = commit } };

    // Tampers the first signature: verification checks signatures in order and stops after 2/3,
    // so the first one is always checked.
    private static LightBlock Sig(LightBlock b, int i, Func<CommitSig, CommitSig> edit) =>
        C(b, b.Commit with { Signatures = [edit(b.Commit.Signatures[0]), .. b.Commit.Signatures.Skip(1)] });

    private static byte[] Flip(byte[] value, int i)
    {
        var copy = (byte[])value.Clone();
        if (copy.Length == 0)
        {
            return [1];
        }
        var bit = (int)((uint)i % (uint)(copy.Length * 8));
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    [Property(MaxTest = 200)]
    public bool Any_single_field_tamper_of_header_commit_or_validators_is_rejected(int pick, int where, byte seed, bool adjacent)
    {
        using var chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 6, Validators = 4, VariedPower = true, Seed = $"tamper-{seed % 8}" });
        var options = new TrustOptions(chain.ChainId, Period, Fraction.OneThird, TimeSpan.Zero);
        var (name, tamper) = Tampers[(int)((uint)pick % (uint)Tampers.Length)];
        var untrusted = chain.LightBlockAt(adjacent ? 2 : 6);
        var verdict = Verifier.Verify(chain.LightBlockAt(1), tamper(untrusted, where & 0x7fffffff), options, NowFor(chain));
        Assert.True(!verdict.IsSuccess, $"tamper {name} was accepted");
        return true;
    }
}
