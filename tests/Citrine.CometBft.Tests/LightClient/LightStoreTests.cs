using Citrine.CometBft.LightClient;
using Citrine.CometBft.Testing;

namespace Citrine.CometBft.Tests.LightClient;

public sealed class LightStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citrine-lightstore-" + Guid.NewGuid().ToString("N"));
    private readonly SyntheticChain _chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 5, Validators = 3 });

    public void Dispose()
    {
        _chain.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void File_store_round_trips_light_blocks_across_instances()
    {
        var store = new FileLightStore(_dir, _chain.ChainId);
        store.Save(_chain.LightBlockAt(2));
        store.Save(_chain.LightBlockAt(4));
        var reopened = new FileLightStore(_dir, _chain.ChainId);
        Assert.Equal([2L, 4L], reopened.Heights());
        var latest = reopened.Latest()!;
        Assert.Equal(_chain.HeaderAt(4).Hash(), latest.Header.Hash());
        Assert.Equal(_chain.ValidatorsAt(4).Hash(), latest.Validators.Hash());
        Assert.Equal(_chain.ValidatorsAt(5).Hash(), latest.NextValidators.Hash());
        Assert.Equal(_chain.LightBlockAt(4).Commit.Signatures[0].Signature, latest.Commit.Signatures[0].Signature);
        Assert.Null(reopened.TryGet(3));
        reopened.Delete(2);
        Assert.Equal([4L], reopened.Heights());
    }

    [Fact]
    public void File_store_ignores_and_removes_a_leftover_temporary_file()
    {
        var store = new FileLightStore(_dir, _chain.ChainId);
        store.Save(_chain.LightBlockAt(2));
        File.WriteAllText(Path.Combine(_dir, "lightblock-0000000000000000003.json.abc.tmp"), "{\"partial");
        var reopened = new FileLightStore(_dir, _chain.ChainId);
        Assert.Equal([2L], reopened.Heights());
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void File_store_reports_a_corrupt_file_with_a_specific_exception()
    {
        var store = new FileLightStore(_dir, _chain.ChainId);
        store.Save(_chain.LightBlockAt(2));
        File.WriteAllText(Directory.GetFiles(_dir).Single(), "{\"signed_header\": 1}");
        Assert.Throws<LightStoreException>(() => store.TryGet(2));
    }

    private void Overwrite(long height, Citrine.CometBft.Types.LightBlock block)
    {
        var path = Directory.GetFiles(_dir, $"lightblock-*{height}.json").Single();
        File.WriteAllBytes(path, Citrine.CometBft.Json.CometJson.ToUtf8(w => Citrine.CometBft.Json.CometJson.WriteLightBlock(w, block)));
    }

    private Verdict RejectionOf(long height)
    {
        var e = Assert.Throws<LightStoreException>(() => new FileLightStore(_dir, _chain.ChainId).TryGet(height));
        return Assert.NotNull(e.Verdict);
    }

    [Fact]
    public void File_store_refuses_a_stored_block_whose_header_was_altered()
    {
        new FileLightStore(_dir, _chain.ChainId).Save(_chain.LightBlockAt(3));
        var block = _chain.LightBlockAt(3);
        var appHash = (byte[])block.Header.AppHash.Clone();
        appHash[0] ^= 1;
        Overwrite(3, block with { SignedHeader = block.SignedHeader with { Header = block.Header with { AppHash = appHash } } });
        Assert.Equal(VerdictReason.CommitBlockIdMismatch, RejectionOf(3).Reason);
    }

    [Fact]
    public void File_store_refuses_a_stored_block_whose_signature_was_altered()
    {
        new FileLightStore(_dir, _chain.ChainId).Save(_chain.LightBlockAt(3));
        var block = _chain.LightBlockAt(3);
        var signatures = block.Commit.Signatures.ToList();
        var signature = (byte[])signatures[0].Signature.Clone();
        signature[5] ^= 1;
        signatures[0] = signatures[0] with { Signature = signature };
        Overwrite(3, block with { SignedHeader = block.SignedHeader with { Commit = block.Commit with { Signatures = signatures } } });
        Assert.Equal(VerdictReason.InvalidSignature, RejectionOf(3).Reason);
    }

    [Fact]
    public void File_store_refuses_a_stored_block_whose_next_validators_were_swapped()
    {
        new FileLightStore(_dir, _chain.ChainId).Save(_chain.LightBlockAt(3));
        using var other = SyntheticChain.Generate(_chain.Options with { Seed = "other" });
        Overwrite(3, _chain.LightBlockAt(3) with { NextValidators = other.ValidatorsAt(4) });
        Assert.Equal(VerdictReason.NextValidatorsHashMismatch, RejectionOf(3).Reason);
    }

    [Fact]
    public void File_store_refuses_a_stored_block_of_another_chain()
    {
        new FileLightStore(_dir, _chain.ChainId).Save(_chain.LightBlockAt(3));
        var e = Assert.Throws<LightStoreException>(() => new FileLightStore(_dir, "another-chain").TryGet(3));
        Assert.Equal(VerdictReason.ChainIdMismatch, e.Verdict!.Value.Reason);
    }

    [Fact]
    public void Memory_store_keeps_the_latest_by_height()
    {
        var store = new InMemoryLightStore();
        store.Save(_chain.LightBlockAt(3));
        store.Save(_chain.LightBlockAt(1));
        Assert.Equal(3, store.Latest()!.Height);
        Assert.Equal([1L, 3L], store.Heights());
    }
}
