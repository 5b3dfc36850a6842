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
        var store = new FileLightStore(_dir);
        store.Save(_chain.LightBlockAt(2));
        store.Save(_chain.LightBlockAt(4));
        var reopened = new FileLightStore(_dir);
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
        var store = new FileLightStore(_dir);
        store.Save(_chain.LightBlockAt(2));
        File.WriteAllText(Path.Combine(_dir, "lightblock-0000000000000000003.json.abc.tmp"), "{\"partial");
        var reopened = new FileLightStore(_dir);
        Assert.Equal([2L], reopened.Heights());
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void File_store_reports_a_corrupt_file_with_a_specific_exception()
    {
        var store = new FileLightStore(_dir);
        store.Save(_chain.LightBlockAt(2));
        File.WriteAllText(Directory.GetFiles(_dir).Single(), "{\"signed_header\": 1}");
        Assert.Throws<LightStoreException>(() => store.TryGet(2));
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
