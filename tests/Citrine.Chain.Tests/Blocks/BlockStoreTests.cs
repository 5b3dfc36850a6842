using Citrine.Chain.Blocks;
using Citrine.Chain.Devnet;
using FsCheck.Xunit;

// Not Citrine.Chain.Tests.Blocks: that namespace would shadow Citrine.Chain.Blocks in the other test files.
namespace Citrine.Chain.Tests.BlockStorage;

public sealed class BlockStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citrine-blockstore-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string BlockFile(long height) => Path.Combine(_dir, "blocks", DevnetHome.HeightName(height) + ".json");

    private List<byte[]> WriteChain(int blocks)
    {
        using var chain = new TestChain(validators: 2, blocks: new BlockStore(_dir, cacheSize: 4));
        chain.Produce(blocks);
        return [.. Enumerable.Range(1, blocks).Select(h => chain.Node.GetBlock(h)!.Block.BlockId.Hash)];
    }

    [Fact]
    public void Reopened_store_has_the_last_height_and_serves_every_height_from_disk()
    {
        var hashes = WriteChain(40);
        var store = new BlockStore(_dir, cacheSize: 4);
        Assert.Equal(40, store.Height);
        foreach (var h in new long[] { 1, 17, 40, 2, 39, 1 })
        {
            Assert.Equal(hashes[(int)h - 1], store.Get(h)!.Block.BlockId.Hash);
            Assert.Equal(h, store.GetResults(h)!.Height);
        }
        Assert.Null(store.Get(0));
        Assert.Null(store.Get(41));
        Assert.Null(store.GetResults(41));
    }

    [Fact]
    public void Stored_sets_keep_their_priorities_and_proposers()
    {
        using (var chain = new TestChain(validators: 3, blocks: new BlockStore(_dir)))
        {
            chain.Produce(2);
        }
        var store = new BlockStore(_dir);
        for (long h = 1; h <= 2; h++)
        {
            var stored = store.Get(h)!;
            Assert.Equal(stored.Block.Header.ProposerAddress, stored.Validators.Proposer!.Address);
            Assert.NotNull(stored.NextValidators.Proposer);
            Assert.Equal(store.Get(h + 1)?.Block.Header.ProposerAddress ?? stored.NextValidators.Proposer!.Address, stored.NextValidators.Proposer!.Address);
            Assert.Contains(stored.Validators.Validators, v => v.ProposerPriority != 0);
        }
    }

    [Fact]
    public void Truncated_last_block_is_reported_with_its_file_name_on_open()
    {
        WriteChain(5);
        var bytes = File.ReadAllBytes(BlockFile(5));
        File.WriteAllBytes(BlockFile(5), bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<BlockStoreException>(() => new BlockStore(_dir));
        Assert.Contains(DevnetHome.HeightName(5) + ".json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_middle_block_is_reported_with_its_file_name_when_read()
    {
        WriteChain(5);
        File.WriteAllText(BlockFile(3), "{\"block_id\": 7}");
        var store = new BlockStore(_dir);
        Assert.Equal(5, store.Height);
        var e = Assert.Throws<BlockStoreException>(() => store.Get(3));
        Assert.Contains(DevnetHome.HeightName(3) + ".json", e.Message, StringComparison.Ordinal);
        Assert.NotNull(store.Get(4));
    }

    [Fact]
    public void Corrupt_results_file_is_reported_with_its_file_name()
    {
        WriteChain(3);
        var path = Path.Combine(_dir, "results", DevnetHome.HeightName(2) + ".json");
        File.WriteAllBytes(path, [0xff, 0x00, 0x7b]);
        var e = Assert.Throws<BlockStoreException>(() => new BlockStore(_dir).GetResults(2));
        Assert.Contains(DevnetHome.HeightName(2) + ".json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Proposer_outside_the_stored_set_is_reported()
    {
        WriteChain(2);
        var text = File.ReadAllText(BlockFile(2));
        var next = new BlockStore(_dir).Get(2)!.NextValidators.Proposer!.Address;
        var tampered = text.Replace($"\"next_proposer_address\":\"{Convert.ToHexString(next)}\"", $"\"next_proposer_address\":\"{new string('0', 40)}\"", StringComparison.Ordinal);
        Assert.NotEqual(text, tampered);
        File.WriteAllText(BlockFile(2), tampered);
        var e = Assert.Throws<BlockStoreException>(() => new BlockStore(_dir));
        Assert.Contains("is not in the set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_directory_opens_at_height_zero()
    {
        var store = new BlockStore(_dir);
        Assert.Equal(0, store.Height);
        Assert.Null(store.Get(1));
    }

    [Property(MaxTest = 200)]
    public bool Last_height_search_finds_the_prefix_end_in_logarithmic_probes(ushort stored)
    {
        var probes = 0;
        var found = BlockStore.LastContiguousHeight(h =>
        {
            probes++;
            return h <= stored;
        });
        return found == stored && probes <= 2 + (2 * (64 - long.LeadingZeroCount(stored + 1L)));
    }

    [Fact]
    public void Recent_cache_evicts_the_least_recently_used_height()
    {
        var cache = new RecentCache<string>(2);
        cache.Add(1, "a");
        cache.Add(2, "b");
        Assert.True(cache.TryGet(1, out _));
        cache.Add(3, "c");
        Assert.False(cache.TryGet(2, out _));
        Assert.True(cache.TryGet(1, out var one));
        Assert.Equal("a", one);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Block_file_of_another_height_or_with_a_wrong_block_id_is_refused()
    {
        WriteChain(3);
        var text = File.ReadAllText(BlockFile(1));
        var appHash = Convert.ToHexString(new BlockStore(_dir).Get(1)!.Block.Header.AppHash);
        var tampered = text.Replace(appHash, new string('F', appHash.Length), StringComparison.Ordinal);
        Assert.NotEqual(text, tampered);
        var wrongId = Assert.Throws<BlockStoreException>(() => BlockStore.ParseBlock(System.Text.Encoding.UTF8.GetBytes(tampered), 1));
        Assert.Contains("is not the hash of the stored header", wrongId.Message, StringComparison.Ordinal);

        File.Copy(BlockFile(2), BlockFile(3), overwrite: true);
        var e = Assert.Throws<BlockStoreException>(() => new BlockStore(_dir));
        Assert.Contains("holds block 2, expected 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutated_block_and_results_files_only_ever_raise_BlockStoreException()
    {
        using (var chain = new TestChain(validators: 2, blocks: new BlockStore(_dir)))
        {
            chain.Produce();
            Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 5, 0)).Result.IsOk);
            chain.Produce(2);
        }
        var block = File.ReadAllBytes(BlockFile(2));
        var results = File.ReadAllBytes(Path.Combine(_dir, "results", DevnetHome.HeightName(2) + ".json"));
        Assert.Equal(2, BlockStore.ParseBlock(block, 2).Block.Height);
        Assert.Single(BlockStore.ParseResults(results, 2).TxResults);
        var random = new Random(20261123);
        var accepted = 0;
        for (var i = 0; i < 3000; i++)
        {
            var input = i % 2 == 0 ? block : results;
            var mutated = Mutate(input, random);
            try
            {
                _ = i % 2 == 0 ? BlockStore.ParseBlock(mutated, 2) : (object)BlockStore.ParseResults(mutated, 2);
                accepted++;
            }
            catch (BlockStoreException)
            {
                // The documented failure.
            }
        }
        Assert.InRange(accepted, 1, 2999);
    }

    private static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = (byte[])input.Clone();
        switch (random.Next(4))
        {
            case 0:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
                // Replace a JSON token character with one of the structural ones.
                ReadOnlySpan<byte> structural = "{}[]\":,0-n"u8;
                bytes[random.Next(bytes.Length)] = structural[random.Next(structural.Length)];
                return bytes;
            default:
                var at = random.Next(bytes.Length);
                return [.. bytes[..at], .. "null"u8, .. bytes[at..]];
        }
    }
}
