using Citrine.Ics23.Abci;
using Citrine.Store.Iavl;
using Citrine.Store.Multistore;
using Citrine.Store.Storage;
using static Citrine.Store.Tests.TestTrees;

namespace Citrine.Store.Tests.Storage;

/// <summary>The same store on RocksDB on disk (temp directory).</summary>
public sealed class RocksStoreTests
{
    [Fact]
    public void Rocks_range_and_batches_behave_like_the_memory_database()
    {
        using var dir = new TempDirectory();
        using var rocks = RocksKeyValueDb.Open(dir.Path);
        var memory = new MemoryKeyValueDb();
        foreach (IKeyValueDb db in new IKeyValueDb[] { rocks, memory })
        {
            using var batch = db.CreateBatch();
            batch.Put([1, 2], [9]);
            batch.Put([1], [8]);
            batch.Put([2], [7]);
            batch.Put([0xFF], [6]);
            batch.Delete([2]);
            db.Write(batch);
        }
        Assert.Equal(memory.Range([1], [0xFF]).Select(e => Convert.ToHexString(e.Key)), rocks.Range([1], [0xFF]).Select(e => Convert.ToHexString(e.Key)));
        Assert.Equal([1], rocks.Range([1], [0xFF]).Select(e => e.Key.Length).Take(1));
        Assert.Null(rocks.TryGet([2]));
        Assert.Equal([6], rocks.TryGet([0xFF]));
    }

    [Fact]
    public void Tree_on_rocks_survives_close_and_reopen_with_every_version_intact()
    {
        using var dir = new TempDirectory();
        var hashes = new List<byte[]>();
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var models = new List<SortedDictionary<string, string>>();
        using (var db = RocksKeyValueDb.Open(dir.Path))
        {
            var tree = new MutableTree(db);
            for (var v = 1; v <= 10; v++)
            {
                for (var i = 0; i < 200; i++)
                {
                    var key = $"key{(v * 131 + i * 17) % 600:D4}";
                    if (i % 9 == 0)
                    {
                        tree.Remove(B(key));
                        model.Remove(key);
                    }
                    else
                    {
                        tree.Set(B(key), B($"v{v}.{i}"));
                        model[key] = $"v{v}.{i}";
                    }
                }
                hashes.Add(tree.SaveVersion().Hash);
                models.Add(new SortedDictionary<string, string>(model, StringComparer.Ordinal));
            }
        }
        using (var db = RocksKeyValueDb.Open(dir.Path))
        {
            var tree = new MutableTree(db);
            Assert.Equal(10, tree.Version);
            for (var v = 1; v <= 10; v++)
            {
                var snapshot = tree.GetImmutable(v);
                Assert.Equal(hashes[v - 1], snapshot.RootHash);
                snapshot.Verify();
                AssertContents(snapshot.Range(), models[v - 1]);
            }
            AssertProofsVerify(tree.GetImmutable(10), models[9], ["key9999", "a", "key0000x"]);
            tree.DeleteVersionsTo(7);
            Assert.Equal(StoreError.VersionPruned, Assert.Throws<StoreException>(() => tree.GetImmutable(7)).Error);
        }
        using (var db = RocksKeyValueDb.Open(dir.Path))
        {
            var tree = new MutableTree(db);
            Assert.Equal(8, tree.FirstVersion);
            Assert.Equal(StoreError.VersionPruned, Assert.Throws<StoreException>(() => tree.GetImmutable(3)).Error);
            for (var v = 8; v <= 10; v++)
            {
                tree.GetImmutable(v).Verify();
                AssertContents(tree.GetImmutable(v).Range(), models[v - 1]);
            }
        }
    }

    [Fact]
    public void Multistore_on_rocks_reopens_with_the_same_app_hash_and_verifiable_proofs()
    {
        using var dir = new TempDirectory();
        byte[] appHash;
        using (var ms = MultiStore.OpenRocks(dir.Path, ["a", "b"]))
        {
            for (var v = 1; v <= 5; v++)
            {
                ms.Store("a").Set(B($"x{v}"), B($"y{v}"));
                ms.Store("b").Set(B("counter"), B(v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                appHash = ms.Commit();
            }
        }
        using (var ms = MultiStore.OpenRocks(dir.Path, ["a", "b"]))
        {
            Assert.Equal(5, ms.LatestVersion);
            var result = ms.Query("b", B("counter"), prove: true);
            Assert.Equal(B("5"), result.Value);
            Assert.True(ProofOps.VerifyMembership(result.ProofOps!, result.AppHash, [B("b"), B("counter")], result.Value!).IsValid);
            var old = ms.Query("a", B("x5"), version: 4, prove: true);
            Assert.Null(old.Value);
            Assert.True(ProofOps.VerifyNonMembership(old.ProofOps!, old.AppHash, [B("a"), B("x5")]).IsValid);
        }
    }
}
