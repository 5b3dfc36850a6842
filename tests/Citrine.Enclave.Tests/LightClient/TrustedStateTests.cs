using Citrine.CometBft.LightClient;
using Citrine.Enclave.LightClient;

namespace Citrine.Enclave.Tests.LightClient;

public sealed class TrustedStateTests : IDisposable
{
    private readonly Devnet _chain = new();

    public TrustedStateTests() => _chain.Produce(3);

    public void Dispose() => _chain.Dispose();

    [Fact]
    public void Initialise_trusts_the_block_the_root_names()
    {
        var verdict = TrustedState.Initialise(_chain.Root(2), _chain.Block(2));
        Assert.True(verdict.IsSuccess, verdict.ToString());
        Assert.Equal(2, verdict.State!.Height);
        Assert.Equal(0UL, verdict.State.Generation);
        Assert.Equal(_chain.Block(2).Header.Time, verdict.State.Clock);
    }

    [Theory]
    [InlineData(1UL, 4UL)]
    [InlineData(4UL, 3UL)]
    [InlineData(1UL, 0UL)]
    public void Initialise_refuses_a_trust_threshold_outside_one_third_to_one(ulong numerator, ulong denominator)
    {
        var root = _chain.Root(2) with { TrustThreshold = new Fraction(numerator, denominator) };
        var verdict = TrustedState.Initialise(root, _chain.Block(2));
        Assert.Equal(TrustRootReason.InvalidTrustRoot, verdict.Reason);
        Assert.Contains("trust threshold", verdict.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1UL, 3UL)]
    [InlineData(2UL, 3UL)]
    [InlineData(1UL, 1UL)]
    public void Initialise_accepts_trust_thresholds_within_bounds(ulong numerator, ulong denominator) =>
        Assert.True(TrustedState.Initialise(_chain.Root(2) with { TrustThreshold = new Fraction(numerator, denominator) }, _chain.Block(2)).IsSuccess);

    [Fact]
    public void Initialise_refuses_a_zero_clock_drift_or_block_lag()
    {
        Assert.Equal(TrustRootReason.InvalidTrustRoot, TrustedState.Initialise(_chain.Root(2) with { MaxClockDrift = TimeSpan.Zero }, _chain.Block(2)).Reason);
        Assert.Equal(TrustRootReason.InvalidTrustRoot, TrustedState.Initialise(_chain.Root(2, maxBlockLag: 0), _chain.Block(2)).Reason);
    }

    [Fact]
    public void Initialise_refuses_a_block_at_another_height() =>
        Assert.Equal(TrustRootReason.HeightMismatch, TrustedState.Initialise(_chain.Root(2), _chain.Block(3)).Reason);

    [Fact]
    public void Initialise_refuses_a_block_that_does_not_hash_to_the_trusted_hash()
    {
        var root = _chain.Root(2) with { TrustedHash = _chain.Block(3).Header.Hash() };
        Assert.Equal(TrustRootReason.HashMismatch, TrustedState.Initialise(root, _chain.Block(2)).Reason);
    }

    [Fact]
    public void Initialise_refuses_a_block_whose_commit_does_not_verify()
    {
        var good = _chain.Block(2);
        var badSig = good.Commit.Signatures[0] with { Signature = new byte[64] };
        var bad = good with { SignedHeader = good.SignedHeader with { Commit = good.Commit with { Signatures = [badSig] } } };
        var verdict = TrustedState.Initialise(_chain.Root(2), bad);
        Assert.Equal(TrustRootReason.BlockRefused, verdict.Reason);
        Assert.Equal(VerdictReason.InvalidSignature, verdict.LightClientReason);
    }

    [Fact]
    public void Every_reason_has_a_test()
    {
        var tested = typeof(TrustedStateTests).GetMethods()
            .Where(m => m.GetCustomAttributes(typeof(FactAttribute), true).Length > 0)
            .Select(m => m.Name)
            .ToHashSet(StringComparer.Ordinal);
        var expectedTests = new Dictionary<TrustRootReason, string>
        {
            [TrustRootReason.None] = nameof(Initialise_trusts_the_block_the_root_names),
            [TrustRootReason.InvalidTrustRoot] = nameof(Initialise_refuses_a_trust_threshold_outside_one_third_to_one),
            [TrustRootReason.HeightMismatch] = nameof(Initialise_refuses_a_block_at_another_height),
            [TrustRootReason.HashMismatch] = nameof(Initialise_refuses_a_block_that_does_not_hash_to_the_trusted_hash),
            [TrustRootReason.BlockRefused] = nameof(Initialise_refuses_a_block_whose_commit_does_not_verify),
        };
        foreach (var reason in Enum.GetValues<TrustRootReason>())
        {
            Assert.True(expectedTests.TryGetValue(reason, out var test) && tested.Contains(test), $"reason {reason} has no test");
        }
    }
}
