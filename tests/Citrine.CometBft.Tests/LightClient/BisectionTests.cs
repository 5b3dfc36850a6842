using Citrine.CometBft.LightClient;
using Citrine.CometBft.Testing;
using Citrine.CometBft.Types;

namespace Citrine.CometBft.Tests.LightClient;

public sealed class BisectionTests
{
    private static TrustOptions OptionsFor(SyntheticChain chain) =>
        new(chain.ChainId, TimeSpan.FromDays(30), Fraction.OneThird, TimeSpan.FromSeconds(10));

    private static DateTimeOffset NowFor(SyntheticChain chain) => chain.HeaderAt(chain.LatestHeight).Time.ToDateTimeOffset().AddMinutes(1);

    [Fact]
    public async Task Bisection_reaches_the_target_in_one_step_when_validators_do_not_change()
    {
        using var chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 500, Validators = 4 });
        var provider = new SyntheticChainProvider(chain);
        var result = await Bisection.VerifyToHeightAsync(chain.LightBlockAt(1), 500, provider, OptionsFor(chain), NowFor(chain));
        Assert.True(result.IsSuccess, result.Verdict.ToString());
        Assert.Equal(500, result.Verified!.Height);
        Assert.Equal(1, result.StepsVerified);
        Assert.Equal([1L, 500L], result.Trace.Select(b => b.Height));
    }

    [Fact]
    public async Task Bisection_bisects_through_full_validator_replacement()
    {
        // All validators are replaced every 10 blocks: no skip over a change can be trusted.
        using var chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 100, Validators = 4, ChurnInterval = 10, ChurnFraction = 1 });
        var provider = new SyntheticChainProvider(chain);
        var result = await Bisection.VerifyToHeightAsync(chain.LightBlockAt(1), 0, provider, OptionsFor(chain), NowFor(chain));
        Assert.True(result.IsSuccess, result.Verdict.ToString());
        Assert.Equal(100, result.Verified!.Height);
        Assert.True(result.Trace.Count > 10);
        for (var i = 1; i < result.Trace.Count; i++)
        {
            Assert.True(result.Trace[i].Height > result.Trace[i - 1].Height);
        }
    }

    [Fact]
    public async Task Bisection_reports_the_failing_check_of_a_tampered_intermediate_block()
    {
        using var chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 40, Validators = 4, ChurnInterval = 10, ChurnFraction = 1 });
        var provider = new TamperingProvider(new SyntheticChainProvider(chain), 20);
        var result = await Bisection.VerifyToHeightAsync(chain.LightBlockAt(1), 40, provider, OptionsFor(chain), NowFor(chain));
        Assert.False(result.IsSuccess);
        Assert.Equal(VerdictReason.CommitBlockIdMismatch, result.Verdict.Reason);
    }

    [Fact]
    public async Task Bisection_refuses_a_target_below_the_trusted_height()
    {
        using var chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 10, Validators = 4 });
        var result = await Bisection.VerifyToHeightAsync(chain.LightBlockAt(5), 3, new SyntheticChainProvider(chain), OptionsFor(chain), NowFor(chain));
        Assert.Equal(VerdictReason.NonMonotonicHeight, result.Verdict.Reason);
    }

    [Fact]
    public async Task Trust_root_is_accepted_only_with_the_matching_hash()
    {
        using var chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 10, Validators = 4 });
        var provider = new SyntheticChainProvider(chain);
        var good = await Bisection.TrustRootAsync(3, chain.HeaderAt(3).Hash(), provider, OptionsFor(chain), NowFor(chain));
        Assert.True(good.Verdict.IsSuccess, good.Verdict.ToString());
        var wrong = chain.HeaderAt(3).Hash();
        wrong[0] ^= 1;
        var bad = await Bisection.TrustRootAsync(3, wrong, provider, OptionsFor(chain), NowFor(chain));
        Assert.Equal(VerdictReason.TrustedHashMismatch, bad.Verdict.Reason);
        Assert.Null(bad.Block);
    }

    [Fact]
    public void Trust_root_requires_two_thirds_of_its_validators()
    {
        using var chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 10, Validators = 4 });
        var block = chain.LightBlockAt(3);
        var weak = block with
        {
            SignedHeader = block.SignedHeader with { Commit = chain.SignCommit(block.Header, block.Validators, i => i == 0 ? BlockIdFlag.Commit : BlockIdFlag.Absent) },
        };
        var verdict = Verifier.VerifyTrustRoot(weak, block.Header.Hash(), OptionsFor(chain), Timestamp.FromDateTimeOffset(NowFor(chain)));
        Assert.Equal(VerdictReason.InsufficientVotingPower, verdict.Reason);
    }

    /// <summary>Alters the app hash of one height without re-signing.</summary>
    internal sealed class TamperingProvider(ILightBlockProvider inner, long height) : ILightBlockProvider
    {
        public string Id => inner.Id;

        public async Task<LightBlock> GetLightBlockAsync(long h, CancellationToken cancellationToken = default)
        {
            var block = await inner.GetLightBlockAsync(h, cancellationToken);
            if (block.Height != height)
            {
                return block;
            }
            var appHash = (byte[])block.Header.AppHash.Clone();
            appHash[0] ^= 1;
            return block with { SignedHeader = block.SignedHeader with { Header = block.Header with { AppHash = appHash } } };
        }
    }
}
