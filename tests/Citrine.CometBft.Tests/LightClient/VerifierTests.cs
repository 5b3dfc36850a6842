using Citrine.CometBft.LightClient;
using Citrine.CometBft.Testing;
using Citrine.CometBft.Types;

namespace Citrine.CometBft.Tests.LightClient;

/// <summary>One test per check: only that check fails, and the exact reason code is asserted.</summary>
public sealed class VerifierTests : IDisposable
{
    private readonly SyntheticChain _chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 12, Validators = 4 });

    public void Dispose() => _chain.Dispose();

    private TrustOptions Options => new(_chain.ChainId, TimeSpan.FromDays(1), Fraction.OneThird, TimeSpan.FromSeconds(10));

    private Timestamp Now => _chain.HeaderAt(_chain.LatestHeight).Time.AddNanoseconds(60_000_000_000);

    private LightBlock Trusted => _chain.LightBlockAt(1);

    private LightBlock Resigned(LightBlock block, Header header) =>
        block with { SignedHeader = new SignedHeader(header, _chain.SignCommit(header, block.Validators)) };

    private static LightBlock WithCommit(LightBlock block, Commit commit) =>
        block with { SignedHeader = block.SignedHeader with { Commit = commit } };

    private static LightBlock WithSignatures(LightBlock block, Func<List<CommitSig>, List<CommitSig>> edit) =>
        WithCommit(block, block.Commit with { Signatures = edit([.. block.Commit.Signatures]) });

    private void AssertRejected(VerdictReason reason, LightBlock untrusted, TrustOptions? options = null, Timestamp? now = null, LightBlock? trusted = null)
    {
        var verdict = Verifier.Verify(trusted ?? Trusted, untrusted, options ?? Options, now ?? Now);
        Assert.Equal(VerdictStatus.Invalid, verdict.Status);
        Assert.Equal(reason, verdict.Reason);
        Assert.False(string.IsNullOrEmpty(verdict.Message));
    }

    [Fact]
    public void Verify_accepts_an_adjacent_and_a_skipping_honest_header()
    {
        Assert.Equal(Verdict.Success, Verifier.Verify(Trusted, _chain.LightBlockAt(2), Options, Now));
        Assert.Equal(Verdict.Success, Verifier.Verify(Trusted, _chain.LightBlockAt(12), Options, Now));
    }

    [Fact]
    public void Verify_accepts_datetimeoffset_now() =>
        Assert.True(Verifier.Verify(Trusted, _chain.LightBlockAt(2), Options, Now.ToDateTimeOffset()).IsSuccess);

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 1)]
    [InlineData(1, 0)]
    public void Verify_rejects_trust_threshold_outside_one_third_to_one(ulong numerator, ulong denominator) =>
        AssertRejected(VerdictReason.InvalidTrustOptions, _chain.LightBlockAt(5), Options with { TrustThreshold = new Fraction(numerator, denominator) });

    [Fact]
    public void Verify_rejects_nonpositive_trusting_period() =>
        AssertRejected(VerdictReason.InvalidTrustOptions, _chain.LightBlockAt(5), Options with { TrustingPeriod = TimeSpan.Zero });

    [Fact]
    public void Verify_rejects_trusted_header_of_another_chain() =>
        AssertRejected(VerdictReason.ChainIdMismatch, _chain.LightBlockAt(5), Options with { ChainId = "other-chain" });

    [Fact]
    public void Verify_rejects_header_whose_chain_id_differs()
    {
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.ChainIdMismatch, Resigned(block, block.Header with { ChainId = "other-chain" }));
    }

    [Fact]
    public void Verify_rejects_header_whose_chain_id_is_too_long()
    {
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.InvalidChainId, Resigned(block, block.Header with { ChainId = new string('c', 51) }));
    }

    [Fact]
    public void Verify_rejects_header_with_another_block_protocol()
    {
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.UnsupportedBlockVersion, Resigned(block, block.Header with { Version = new ConsensusVersion(10, 1) }));
    }

    [Fact]
    public void Verify_rejects_header_of_height_zero()
    {
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.InvalidHeight, Resigned(block, block.Header with { Height = 0 }));
    }

    [Fact]
    public void Verify_rejects_header_with_out_of_range_time()
    {
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.InvalidTime, Resigned(block, block.Header with { Time = new Timestamp(Timestamp.MaxSeconds + 1, 0) }));
    }

    [Fact]
    public void Verify_rejects_header_whose_data_hash_is_not_32_bytes()
    {
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.InvalidHeaderField, Resigned(block, block.Header with { DataHash = new byte[31] }));
    }

    [Fact]
    public void Verify_rejects_header_whose_proposer_address_is_not_20_bytes()
    {
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.InvalidHeaderField, Resigned(block, block.Header with { ProposerAddress = new byte[19] }));
    }

    [Fact]
    public void Verify_rejects_validator_with_zero_power()
    {
        var block = _chain.LightBlockAt(5);
        var broken = new ValidatorSet(block.Validators.Validators.Select((v, i) => i == 0 ? v.WithVotingPower(0) : v));
        AssertRejected(VerdictReason.InvalidValidatorSet, block with { Validators = broken });
    }

    [Fact]
    public void Verify_rejects_validator_whose_address_is_not_derived_from_its_key()
    {
        var block = _chain.LightBlockAt(5);
        var v = block.Validators.Validators[0];
        var forged = new Validator(block.Validators.Validators[1].Address.Reverse().ToArray(), v.PublicKey, v.VotingPower);
        var broken = new ValidatorSet(block.Validators.Validators.Skip(1).Append(forged));
        AssertRejected(VerdictReason.InvalidValidatorSet, block with { Validators = broken });
    }

    [Fact]
    public void Verify_rejects_validator_set_whose_total_power_exceeds_the_cometbft_maximum()
    {
        var block = _chain.LightBlockAt(5);
        var heavy = new ValidatorSet(block.Validators.Validators.Select(v => v.WithVotingPower(ValidatorSet.MaxTotalVotingPower / 2)));
        var verdict = Verifier.Verify(Trusted, block with { Validators = heavy }, Options, Now);
        Assert.Equal(VerdictReason.InvalidValidatorSet, verdict.Reason);
        Assert.Contains("total voting power", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_rejects_a_trusted_block_whose_next_validator_set_is_malformed()
    {
        var broken = new ValidatorSet(Trusted.NextValidators.Validators.Select((v, i) => i == 0 ? v.WithVotingPower(-1) : v));
        AssertRejected(VerdictReason.InvalidValidatorSet, _chain.LightBlockAt(5), trusted: Trusted with { NextValidators = broken });
    }

    [Fact]
    public void Verify_rejects_commit_for_an_empty_block_id()
    {
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.InvalidCommit, WithCommit(block, block.Commit with { BlockId = BlockId.Empty }));
    }

    [Fact]
    public void Verify_rejects_validator_set_with_a_duplicate_validator()
    {
        var block = _chain.LightBlockAt(5);
        var duplicated = new ValidatorSet(block.Validators.Validators.Append(block.Validators.Validators[0]));
        AssertRejected(VerdictReason.DuplicateValidator, block with { Validators = duplicated });
    }

    [Fact]
    public void Verify_rejects_validator_set_that_does_not_hash_to_validators_hash()
    {
        var block = _chain.LightBlockAt(5);
        var other = new ValidatorSet(block.Validators.Validators.Select((v, i) => i == 0 ? v.WithVotingPower(11) : v));
        AssertRejected(VerdictReason.ValidatorsHashMismatch, block with { Validators = other });
    }

    [Fact]
    public void Verify_rejects_next_validator_set_that_does_not_hash_to_next_validators_hash()
    {
        var block = _chain.LightBlockAt(5);
        var other = new ValidatorSet(block.NextValidators.Validators.Select((v, i) => i == 0 ? v.WithVotingPower(11) : v));
        AssertRejected(VerdictReason.NextValidatorsHashMismatch, block with { NextValidators = other });
    }

    [Fact]
    public void Verify_rejects_commit_for_another_height()
    {
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.CommitHeightMismatch, WithCommit(block, block.Commit with { Height = 6 }));
    }

    [Fact]
    public void Verify_rejects_header_whose_app_hash_was_altered_after_signing()
    {
        var block = _chain.LightBlockAt(5);
        var appHash = (byte[])block.Header.AppHash.Clone();
        appHash[0] ^= 1;
        var tampered = block with { SignedHeader = block.SignedHeader with { Header = block.Header with { AppHash = appHash } } };
        AssertRejected(VerdictReason.CommitBlockIdMismatch, tampered);
    }

    [Fact]
    public void Verify_rejects_commit_with_negative_round()
    {
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.InvalidCommit, WithCommit(block, block.Commit with { Round = -1 }));
    }

    [Fact]
    public void Verify_rejects_commit_without_signatures() =>
        AssertRejected(VerdictReason.InvalidCommit, WithSignatures(_chain.LightBlockAt(5), _ => []));

    [Fact]
    public void Verify_rejects_commit_signature_of_wrong_length() =>
        AssertRejected(VerdictReason.InvalidCommitSig, WithSignatures(_chain.LightBlockAt(5), s =>
        {
            s[1] = s[1] with { Signature = [] };
            return s;
        }));

    [Fact]
    public void Verify_rejects_absent_vote_that_carries_an_address() =>
        AssertRejected(VerdictReason.InvalidCommitSig, WithSignatures(_chain.LightBlockAt(5), s =>
        {
            s[1] = CommitSig.Absent() with { ValidatorAddress = s[1].ValidatorAddress };
            return s;
        }));

    [Fact]
    public void Verify_rejects_commit_with_fewer_signatures_than_validators() =>
        AssertRejected(VerdictReason.CommitSignatureCountMismatch, WithSignatures(_chain.LightBlockAt(5), s => s[..^1]));

    [Fact]
    public void Verify_rejects_commit_whose_signatures_are_out_of_validator_order() =>
        AssertRejected(VerdictReason.CommitSignerMismatch, WithSignatures(_chain.LightBlockAt(5), s => [s[1], s[0], .. s[2..]]));

    [Fact]
    public void Verify_rejects_adjacent_commit_with_an_altered_signature() =>
        AssertRejected(VerdictReason.InvalidSignature, WithSignatures(_chain.LightBlockAt(2), FlipFirstSignatureBit));

    [Fact]
    public void Verify_rejects_skipping_commit_with_an_altered_signature() =>
        AssertRejected(VerdictReason.InvalidSignature, WithSignatures(_chain.LightBlockAt(8), FlipFirstSignatureBit));

    [Fact]
    public void Verify_rejects_commit_whose_vote_timestamp_was_altered() =>
        AssertRejected(VerdictReason.InvalidSignature, WithSignatures(_chain.LightBlockAt(8), s =>
        {
            s[0] = s[0] with { Timestamp = s[0].Timestamp.AddNanoseconds(1) };
            return s;
        }));

    private static List<CommitSig> FlipFirstSignatureBit(List<CommitSig> s)
    {
        var signature = (byte[])s[0].Signature.Clone();
        signature[5] ^= 0x01;
        s[0] = s[0] with { Signature = signature };
        return s;
    }

    [Fact]
    public void Verify_rejects_when_trusted_header_is_past_its_trusting_period()
    {
        var now = Trusted.Header.Time.AddNanoseconds((Int128)TimeSpan.FromDays(1).Ticks * 100);
        AssertRejected(VerdictReason.TrustedHeaderExpired, _chain.LightBlockAt(5), now: now);
    }

    [Fact]
    public void Verify_rejects_header_from_the_future_beyond_clock_drift()
    {
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.HeaderFromFuture, block, now: block.Header.Time.AddNanoseconds(-10_000_000_001));
        Assert.True(Verifier.Verify(Trusted, block, Options, block.Header.Time.AddNanoseconds(-9_999_999_999)).IsSuccess);
    }

    [Fact]
    public void Verify_rejects_header_timed_exactly_at_now_plus_max_clock_drift()
    {
        // CometBFT and tendermint-rs both require time < now + drift.
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.HeaderFromFuture, block, now: block.Header.Time.AddNanoseconds(-10_000_000_000));
    }

    [Fact]
    public void Verify_rejects_a_trusted_block_whose_next_validators_are_not_the_ones_its_header_names()
    {
        // The trusted block carries a next set its header does not name: the untrusted header's
        // signers are then exactly that set, so only the binding check can refuse it.
        using var other = SyntheticChain.Generate(_chain.Options with { Seed = "other-validators" });
        var untrusted = _chain.LightBlockAt(5);
        var trusted = Trusted with { NextValidators = other.ValidatorsAt(2) };
        AssertRejected(VerdictReason.TrustedNextValidatorsMismatch, untrusted, trusted: trusted);
    }

    [Fact]
    public void Verify_trust_root_rejects_header_timed_exactly_at_now_plus_max_clock_drift()
    {
        var block = _chain.LightBlockAt(5);
        var verdict = Verifier.VerifyTrustRoot(block, block.Header.Hash(), Options, block.Header.Time.AddNanoseconds(-10_000_000_000));
        Assert.Equal(VerdictReason.HeaderFromFuture, verdict.Reason);
        Assert.True(Verifier.VerifyTrustRoot(block, block.Header.Hash(), Options, block.Header.Time.AddNanoseconds(-9_999_999_999)).IsSuccess);
    }

    [Fact]
    public void Verify_rejects_header_whose_time_is_not_after_the_trusted_time()
    {
        var block = _chain.LightBlockAt(5);
        AssertRejected(VerdictReason.NonMonotonicTime, Resigned(block, block.Header with { Time = Trusted.Header.Time }));
    }

    [Fact]
    public void Verify_rejects_header_whose_height_is_not_above_the_trusted_height()
    {
        var trusted = _chain.LightBlockAt(6);
        var block = _chain.LightBlockAt(3);
        AssertRejected(VerdictReason.NonMonotonicHeight, Resigned(block, block.Header with { Time = _chain.HeaderAt(7).Time }), trusted: trusted);
    }

    [Fact]
    public void Verify_rejects_adjacent_header_whose_validators_are_not_the_trusted_next_validators()
    {
        using var churning = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 4, Validators = 4, ChurnInterval = 1, ChurnFraction = 0.25 });
        var trusted = churning.LightBlockAt(1);
        var next = churning.LightBlockAt(2);
        // Header 2 re-made as if validator set 1 signed it: self-consistent, but not what block 1 announced.
        var header = next.Header with { ValidatorsHash = trusted.Validators.Hash() };
        var forged = new LightBlock(new SignedHeader(header, churning.SignCommit(header, trusted.Validators)), trusted.Validators, next.NextValidators);
        var verdict = Verifier.Verify(trusted, forged, Options with { ChainId = churning.ChainId }, Now);
        Assert.Equal(VerdictReason.AdjacentValidatorsMismatch, verdict.Reason);
    }

    [Fact]
    public void Verify_rejects_commit_signed_by_two_thirds_or_less_of_the_power()
    {
        var block = _chain.LightBlockAt(8);
        var commit = _chain.SignCommit(block.Header, block.Validators, i => i < 2 ? BlockIdFlag.Commit : BlockIdFlag.Absent);
        AssertRejected(VerdictReason.InsufficientVotingPower, WithCommit(block, commit));
    }

    [Fact]
    public void Verify_says_not_enough_trust_when_the_trusted_validators_were_all_replaced()
    {
        using var churning = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 12, Validators = 4, ChurnInterval = 5, ChurnFraction = 1 });
        var verdict = Verifier.Verify(churning.LightBlockAt(1), churning.LightBlockAt(7), Options with { ChainId = churning.ChainId }, Now);
        Assert.Equal(VerdictStatus.NotEnoughTrust, verdict.Status);
        Assert.Equal(VerdictReason.NotEnoughTrust, verdict.Reason);
        // Adjacent steps through the change succeed.
        Assert.True(Verifier.Verify(churning.LightBlockAt(5), churning.LightBlockAt(6), Options with { ChainId = churning.ChainId }, Now).IsSuccess);
    }

    [Fact]
    public void Verify_stops_checking_signatures_once_more_than_two_thirds_signed()
    {
        // CometBFT VerifyCommitLight returns as soon as the tally passes 2/3: a bad fourth signature
        // after three good ones of four equal validators is never looked at.
        var block = WithSignatures(_chain.LightBlockAt(2), s =>
        {
            var signature = (byte[])s[3].Signature.Clone();
            signature[0] ^= 1;
            s[3] = s[3] with { Signature = signature };
            return s;
        });
        Assert.True(Verifier.Verify(Trusted, block, Options, Now).IsSuccess);
    }
}
