using Citrine.Chain.App;
using Citrine.Chain.Txs;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;
using Citrine.Crypto.Signatures;

namespace Citrine.Chain.Tests.Node;

public class ChainNodeTests
{
    private static readonly TrustOptions Trust = TrustOptions.Create("citrine-test", TimeSpan.FromDays(14));

    private static void VerifyAll(TestChain chain)
    {
        var now = chain.Clock.Now().AddNanoseconds(1_000_000_000);
        var tip = chain.Node.Height;
        for (long h = 1; h < tip; h++)
        {
            var verdict = Verifier.Verify(chain.Node.LightBlockAt(h)!, chain.Node.LightBlockAt(h + 1)!, Trust, now);
            Assert.True(verdict.IsSuccess, $"adjacent {h}->{h + 1}: {verdict}");
        }
        // Skipping from genesis to every later height.
        for (long h = 3; h <= tip; h++)
        {
            var verdict = Verifier.Verify(chain.Node.LightBlockAt(1)!, chain.Node.LightBlockAt(h)!, Trust, now);
            Assert.True(verdict.IsSuccess, $"skipping 1->{h}: {verdict}");
        }
    }

    [Fact]
    public void Light_client_verifies_the_devnet_from_genesis_to_tip_adjacent_and_skipping()
    {
        using var chain = new TestChain(validators: 4);
        chain.Produce(3);
        Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 5, 0)).Result.IsOk);
        chain.Produce(5);
        VerifyAll(chain);
        Assert.Equal(8, chain.Node.Height);
    }

    [Fact]
    public void Header_links_previous_block_id_commit_hash_app_hash_and_results_hash()
    {
        using var chain = new TestChain();
        var b1 = chain.Produce();
        Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 5, 0)).Result.IsOk);
        var b2 = chain.Produce();
        var b3 = chain.Produce();
        Assert.Equal(TestChain.GenesisTime, b1.Block.Header.Time);
        Assert.Equal(b1.Block.BlockId.Hash, b2.Block.Header.LastBlockId.Hash);
        Assert.Equal(BlockHashes.CommitHash(b1.Block.Commit), b2.Block.Header.LastCommitHash);
        Assert.Equal(chain.Node.GetResults(1)!.AppHash, b2.Block.Header.AppHash);
        Assert.Equal(chain.Node.GetResults(2)!.AppHash, b3.Block.Header.AppHash);
        Assert.NotEqual(b2.Block.Header.AppHash, b3.Block.Header.AppHash);
        Assert.Equal(BlockHashes.ResultsHash(chain.Node.GetResults(2)!.TxResults), b3.Block.Header.LastResultsHash);
        Assert.Single(b2.Block.Txs);
        Assert.Equal(BlockHashes.DataHash(b2.Block.Txs), b2.Block.Header.DataHash);
        Assert.Equal(b1.Block.Commit.Signatures[0].Timestamp, b2.Block.Header.Time);
        // Height 1: empty last commit, results and evidence hash to SHA-256 of nothing.
        Assert.Equal("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", Convert.ToHexString(b1.Block.Header.LastCommitHash));
        Assert.Equal(b1.Block.BlockId.Hash, b1.Block.Header.Hash());
    }

    [Fact]
    public void Validator_change_takes_effect_two_heights_later_and_light_client_follows_it()
    {
        using var chain = new TestChain(validators: 2, extraKeys: 2);
        chain.Produce(2);
        var newKey = Ed25519.PublicKeyFromSeed(chain.ValidatorSeeds[2]);
        var removed = Ed25519.PublicKeyFromSeed(chain.ValidatorSeeds[0]);
        var tx = Tx.Create([new MsgSetValidator(chain.Address(0), newKey, 30), new MsgSetValidator(chain.Address(0), removed, 0)], "", chain.AccountKeys[0], 0, 500_000, "citrine-test", 0);
        Assert.True(chain.Node.SubmitTx(tx.Encode()).Result.IsOk);
        var decided = chain.Produce(); // height 3 decides the change
        Assert.True(chain.Node.GetResults(3)!.TxResults[0].IsOk, chain.Node.GetResults(3)!.TxResults[0].Log);
        var h4 = chain.Produce();
        var h5 = chain.Produce();
        Assert.Equal(decided.Block.Header.ValidatorsHash, h4.Block.Header.ValidatorsHash);
        Assert.NotEqual(h4.Block.Header.ValidatorsHash, h4.Block.Header.NextValidatorsHash);
        Assert.Equal(h4.Block.Header.NextValidatorsHash, h5.Block.Header.ValidatorsHash);
        Assert.Equal(2, h5.Validators.Count);
        Assert.Contains(h5.Validators.Validators, v => v.PublicKey.AsSpan().SequenceEqual(newKey));
        chain.Produce(3);
        VerifyAll(chain);
    }

    [Fact]
    public void Validator_change_that_would_exceed_the_maximum_total_power_is_refused_in_its_tx()
    {
        using var chain = new TestChain(validators: 1, extraKeys: 1);
        chain.Produce();
        var newKey = Ed25519.PublicKeyFromSeed(chain.ValidatorSeeds[1]);
        // Each power alone is within range; together with the existing validator the total is not.
        var tx = Tx.Create([new MsgSetValidator(chain.Address(0), newKey, ValidatorSet.MaxTotalVotingPower)], "", chain.AccountKeys[0], 0, 500_000, "citrine-test", 0);
        Assert.True(chain.Node.SubmitTx(tx.Encode()).Result.IsOk);
        var before = chain.Node.ValidatorsAt(chain.Node.Height + 1)!.Hash();
        chain.Produce();
        var result = chain.Node.GetResults(2)!.TxResults[0];
        Assert.Equal(TxCodes.InvalidRequest, result.Code);
        Assert.Contains("total voting power", result.Log, StringComparison.Ordinal);
        chain.Produce(3);
        Assert.Equal(before, chain.Node.ValidatorsAt(chain.Node.Height)!.Hash());
        VerifyAll(chain);
    }

    [Fact]
    public void Skipping_verification_across_a_full_validator_replacement_needs_bisection()
    {
        using var chain = new TestChain(validators: 1, extraKeys: 1);
        chain.Produce();
        var newKey = Ed25519.PublicKeyFromSeed(chain.ValidatorSeeds[1]);
        var oldKey = Ed25519.PublicKeyFromSeed(chain.ValidatorSeeds[0]);
        var tx = Tx.Create([new MsgSetValidator(chain.Address(0), newKey, 10), new MsgSetValidator(chain.Address(0), oldKey, 0)], "", chain.AccountKeys[0], 0, 500_000, "citrine-test", 0);
        Assert.True(chain.Node.SubmitTx(tx.Encode()).Result.IsOk);
        chain.Produce(5);
        var now = chain.Clock.Now().AddNanoseconds(1_000_000_000);
        var skip = Verifier.Verify(chain.Node.LightBlockAt(1)!, chain.Node.LightBlockAt(6)!, Trust, now);
        Assert.Equal(VerdictStatus.NotEnoughTrust, skip.Status);
        VerifyAll2(chain, now);
    }

    private static void VerifyAll2(TestChain chain, Timestamp now)
    {
        for (long h = 1; h < chain.Node.Height; h++)
        {
            Assert.True(Verifier.Verify(chain.Node.LightBlockAt(h)!, chain.Node.LightBlockAt(h + 1)!, Trust, now).IsSuccess);
        }
    }

    [Fact]
    public void Tampered_devnet_block_is_rejected_by_the_light_client()
    {
        using var chain = new TestChain(validators: 2);
        chain.Produce(3);
        var good = chain.Node.LightBlockAt(3)!;
        var header = good.Header with { AppHash = new byte[32] };
        var bad = new LightBlock(new SignedHeader(header, good.Commit), good.Validators, good.NextValidators);
        var verdict = Verifier.Verify(chain.Node.LightBlockAt(2)!, bad, Trust, chain.Clock.Now());
        Assert.Equal(VerdictReason.CommitBlockIdMismatch, verdict.Reason);
    }

    [Fact]
    public void Adding_a_validator_whose_key_the_node_lacks_is_refused()
    {
        using var chain = new TestChain();
        var foreign = Ed25519.PublicKeyFromSeed(new byte[32]);
        var tx = Tx.Create([new MsgSetValidator(chain.Address(0), foreign, 100)], "", chain.AccountKeys[0], 0, 500_000, "citrine-test", 0);
        Assert.True(chain.Node.SubmitTx(tx.Encode()).Result.IsOk);
        chain.Produce();
        var result = chain.Node.GetResults(1)!.TxResults[0];
        Assert.Equal(TxCodes.InvalidRequest, result.Code);
        Assert.Contains("no signing key", result.Log, StringComparison.Ordinal);
        chain.Produce(2);
        Assert.Single(chain.Node.ValidatorsAt(3)!.Validators);
    }

    [Fact]
    public void Only_the_admin_may_change_validators()
    {
        using var chain = new TestChain(validators: 1, extraKeys: 1);
        var key = Ed25519.PublicKeyFromSeed(chain.ValidatorSeeds[1]);
        var tx = Tx.Create([new MsgSetValidator(chain.Address(1), key, 10)], "", chain.AccountKeys[1], 0, 500_000, "citrine-test", 1);
        Assert.True(chain.Node.SubmitTx(tx.Encode()).Result.IsOk);
        chain.Produce();
        Assert.Equal(TxCodes.Unauthorized, chain.Node.GetResults(1)!.TxResults[0].Code);
    }
}
