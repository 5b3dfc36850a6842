using Citrine.CometBft.LightClient;
using Citrine.CometBft.Testing;
using Citrine.CometBft.Types;

namespace Citrine.CometBft.Tests.LightClient;

/// <summary>
/// The detector fails closed: each refusal has its own reason, asserted with every other witness
/// honest. Chains share validator keys (same seed), so a forked chain verifies from block 1.
/// </summary>
public sealed class ForkDetectorTests : IDisposable
{
    private static readonly DetectorOptions NoWait = new() { LaggingWitnessWait = TimeSpan.Zero };

    private readonly SyntheticChain _chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 30, Validators = 4 });

    public void Dispose() => _chain.Dispose();

    private TrustOptions Options => new(_chain.ChainId, TimeSpan.FromDays(30), Fraction.OneThird, TimeSpan.FromSeconds(10));

    private DateTimeOffset Now => _chain.HeaderAt(_chain.LatestHeight).Time.ToDateTimeOffset().AddMinutes(1);

    private SyntheticChainProvider Primary => new(_chain, "primary");

    private IReadOnlyList<LightBlock> PrimaryTrace => [_chain.LightBlockAt(1), _chain.LightBlockAt(30)];

    private Task<ForkReport> DetectAsync(params ILightBlockProvider[] witnesses) =>
        ForkDetector.DetectAsync(PrimaryTrace, Primary, witnesses, Options, Now, NoWait);

    private static void AssertRefused(VerdictReason reason, ForkReport report, string witnessId)
    {
        Assert.False(report.IsSuccess);
        Assert.Equal(VerdictStatus.Invalid, report.Verdict.Status);
        Assert.Equal(reason, report.Verdict.Reason);
        Assert.Contains(witnessId, report.Verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detector_accepts_when_every_witness_holds_the_same_block()
    {
        var report = await DetectAsync(new SyntheticChainProvider(_chain, "w1"), new SyntheticChainProvider(_chain, "w2"));
        Assert.True(report.IsSuccess, report.Verdict.ToString());
        Assert.All(report.Witnesses, w => Assert.True(w.Verdict.IsSuccess));
        Assert.False(report.AttackDetected);
    }

    [Fact]
    public async Task Detector_refuses_without_witnesses()
    {
        var report = await DetectAsync();
        Assert.Equal(VerdictReason.NoWitnesses, report.Verdict.Reason);
    }

    [Fact]
    public async Task Detector_refuses_when_a_witness_is_unreachable_even_if_another_agrees()
    {
        var report = await DetectAsync(new SyntheticChainProvider(_chain, "honest"), new FailingProvider("down", ProviderErrorKind.Unavailable));
        AssertRefused(VerdictReason.WitnessUnavailable, report, "down");
        Assert.True(report.Witnesses[0].Verdict.IsSuccess);
    }

    [Fact]
    public async Task Detector_refuses_a_witness_that_answers_with_another_height()
    {
        var report = await DetectAsync(new SyntheticChainProvider(_chain, "honest"), new ShiftingProvider(new SyntheticChainProvider(_chain, "shifty")));
        AssertRefused(VerdictReason.WitnessBadResponse, report, "shifty");
    }

    [Fact]
    public async Task Detector_refuses_a_witness_whose_conflicting_block_does_not_verify()
    {
        var liar = new BisectionTests.TamperingProvider(new SyntheticChainProvider(_chain, "liar"), 30);
        var report = await DetectAsync(new SyntheticChainProvider(_chain, "honest"), liar);
        AssertRefused(VerdictReason.FaultyWitness, report, "liar");
        Assert.Contains(nameof(VerdictReason.CommitBlockIdMismatch), report.Verdict.Message, StringComparison.Ordinal);
        Assert.False(report.AttackDetected);
    }

    [Fact]
    public async Task Detector_refuses_a_witness_still_behind_the_target_time_after_waiting()
    {
        using var behind = SyntheticChain.Generate(_chain.Options with { Heights = 10 });
        var witness = new SyntheticChainProvider(behind, "behind");
        var report = await DetectAsync(new SyntheticChainProvider(_chain, "honest"), witness);
        AssertRefused(VerdictReason.WitnessBehind, report, "behind");
        // Asked for the target, then twice for its latest (before and after the wait).
        Assert.Equal(3, witness.Requests);
    }

    [Fact]
    public async Task Detector_refuses_a_witness_with_the_same_block_but_other_proposer_priorities()
    {
        var report = await DetectAsync(new SyntheticChainProvider(_chain, "honest"), new ReprioritisingProvider(new SyntheticChainProvider(_chain, "reprioritised")));
        AssertRefused(VerdictReason.ProposerPrioritiesDiverge, report, "reprioritised");
    }

    [Fact]
    public async Task Detector_proves_an_attack_from_a_witness_with_a_conflicting_verified_block()
    {
        // Same validators, different app hashes from height 20: both branches verify from block 1.
        using var fork = SyntheticChain.Generate(_chain.Options with { ForkFromHeight = 20 });
        var report = await DetectAsync(new SyntheticChainProvider(_chain, "honest"), new SyntheticChainProvider(fork, "forked"));
        AssertRefused(VerdictReason.LightClientAttack, report, "forked");
        var attack = Assert.Single(report.Attacks);
        Assert.Equal("forked", attack.WitnessId);
        Assert.Equal(_chain.HeaderAt(30).Hash(), attack.PrimaryBlock.Header.Hash());
        Assert.Equal(fork.HeaderAt(30).Hash(), attack.WitnessBlock.Header.Hash());
        Assert.Equal([1L, 30L], attack.WitnessTrace.Select(b => b.Height));

        // App hashes differ: a lunatic attack, measured at the common block 1, every signer blamed.
        var against = attack.AgainstPrimary;
        Assert.Equal(_chain.HeaderAt(30).Hash(), against.ConflictingBlock.Header.Hash());
        Assert.Equal(1, against.CommonHeight);
        Assert.Equal(_chain.HeaderAt(1).Time, against.Timestamp);
        Assert.Equal(_chain.ValidatorsAt(1).TotalVotingPower, against.TotalVotingPower);
        Assert.Equal(4, against.ByzantineValidators.Count);
        Assert.NotNull(attack.AgainstWitness);
        Assert.Equal(fork.HeaderAt(30).Hash(), attack.AgainstWitness!.ConflictingBlock.Header.Hash());
        Assert.True(report.Witnesses[0].Verdict.IsSuccess);
    }

    [Fact]
    public async Task Detector_compares_a_witness_lacking_the_height_by_time_and_proves_a_conflict()
    {
        // The witness stops at 20, but its blocks are 10 s apart: block 20 is later than the
        // primary's block 30. CometBFT treats that latest block as conflicting (a forward lunatic attack).
        using var slow = SyntheticChain.Generate(_chain.Options with { Heights = 20, BlockIntervalSeconds = 10 });
        Assert.True(slow.HeaderAt(20).Time > _chain.HeaderAt(30).Time);
        var report = await DetectAsync(new SyntheticChainProvider(slow, "slow"));
        AssertRefused(VerdictReason.LightClientAttack, report, "slow");
        var attack = Assert.Single(report.Attacks);
        Assert.Equal(30, attack.PrimaryBlock.Height);
        Assert.Equal(slow.HeaderAt(20).Hash(), attack.WitnessBlock.Header.Hash());
        Assert.Equal(1, attack.AgainstPrimary.CommonHeight);
    }

    [Fact]
    public async Task Detector_ranks_an_attack_above_an_unreachable_witness()
    {
        using var fork = SyntheticChain.Generate(_chain.Options with { ForkFromHeight = 20 });
        var report = await DetectAsync(new FailingProvider("down", ProviderErrorKind.Unavailable), new SyntheticChainProvider(fork, "forked"));
        Assert.Equal(VerdictReason.LightClientAttack, report.Verdict.Reason);
        Assert.Equal(VerdictReason.WitnessUnavailable, report.Witnesses[0].Verdict.Reason);
    }

    [Fact]
    public async Task Update_refuses_without_witnesses_unless_asked_and_saves_nothing()
    {
        var store = new InMemoryLightStore();
        var refused = await LightClientUpdate.VerifyToHeightAsync(_chain.LightBlockAt(1), 30, Primary, [], Options, Now, store);
        Assert.Equal(VerdictReason.NoWitnesses, refused.Verdict.Reason);
        Assert.Null(refused.Bisection);
        Assert.Empty(store.Heights());

        var allowed = await LightClientUpdate.VerifyToHeightAsync(_chain.LightBlockAt(1), 30, Primary, [], Options, Now, store,
            new UpdateOptions { WithoutWitnesses = true });
        Assert.True(allowed.IsSuccess, allowed.Verdict.ToString());
        Assert.Null(allowed.Detection);
        Assert.Equal([30L], store.Heights());
    }

    [Fact]
    public async Task Update_saves_the_verified_trace_only_after_fork_detection_passes()
    {
        using var fork = SyntheticChain.Generate(_chain.Options with { ForkFromHeight = 20 });
        var store = new InMemoryLightStore();
        var update = new UpdateOptions { Detector = NoWait };
        var attacked = await LightClientUpdate.VerifyToHeightAsync(_chain.LightBlockAt(1), 30, Primary, [new SyntheticChainProvider(fork, "forked")], Options, Now, store, update);
        Assert.Equal(VerdictReason.LightClientAttack, attacked.Verdict.Reason);
        Assert.True(attacked.Bisection!.IsSuccess);
        Assert.Null(attacked.Verified);
        Assert.Empty(store.Heights());

        var agreed = await LightClientUpdate.VerifyToHeightAsync(_chain.LightBlockAt(1), 30, Primary, [new SyntheticChainProvider(_chain, "honest")], Options, Now, store, update);
        Assert.True(agreed.IsSuccess, agreed.Verdict.ToString());
        Assert.Equal([30L], store.Heights());
    }

    private sealed class FailingProvider(string id, ProviderErrorKind kind) : ILightBlockProvider
    {
        public string Id => id;

        public Task<LightBlock> GetLightBlockAsync(long height, CancellationToken cancellationToken = default) =>
            throw new ProviderException(kind, id, "injected failure");
    }

    /// <summary>The same blocks, with every validator's proposer priority shifted (not in any hash).</summary>
    private sealed class ReprioritisingProvider(SyntheticChainProvider inner) : ILightBlockProvider
    {
        public string Id => inner.Id;

        public async Task<LightBlock> GetLightBlockAsync(long height, CancellationToken cancellationToken = default)
        {
            var block = await inner.GetLightBlockAsync(height, cancellationToken);
            var shifted = new ValidatorSet(block.Validators.Validators.Select(v => new Validator(v.Address, v.PublicKey, v.VotingPower, v.ProposerPriority + 7)));
            return block with { Validators = shifted };
        }
    }

    /// <summary>Answers every request with the block one below.</summary>
    private sealed class ShiftingProvider(SyntheticChainProvider inner) : ILightBlockProvider
    {
        public string Id => inner.Id;

        public Task<LightBlock> GetLightBlockAsync(long height, CancellationToken cancellationToken = default) =>
            inner.GetLightBlockAsync(height - 1, cancellationToken);
    }
}
