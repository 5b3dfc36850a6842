using Citrine.Store.Iavl;
using Citrine.Store.Multistore;
using Citrine.Store.Storage;
using static Citrine.Store.Tests.TestTrees;

namespace Citrine.Store.Tests.Storage;

/// <summary>A commit whose write fails leaves the database at the previous version and the in-memory store refusing use.</summary>
public sealed class FaultedWriteTests
{
    private sealed class FailingDb(MemoryKeyValueDb inner) : IKeyValueDb
    {
        public bool FailWrites { get; set; }

        public byte[]? TryGet(ReadOnlySpan<byte> key) => inner.TryGet(key);

        public IEnumerable<KeyValuePair<byte[], byte[]>> Range(byte[] start, byte[] endExclusive) => inner.Range(start, endExclusive);

        public IWriteBatch CreateBatch() => inner.CreateBatch();

        public void Write(IWriteBatch batch)
        {
            if (FailWrites)
            {
                throw new IOException("disk full");
            }
            inner.Write(batch);
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public void Tree_whose_save_fails_is_faulted_and_reopens_at_the_previous_version()
    {
        var memory = new MemoryKeyValueDb();
        var db = new FailingDb(memory);
        var tree = new MutableTree(db);
        tree.Set(B("a"), B("1"));
        var (h1, _) = tree.SaveVersion();
        tree.Set(B("b"), B("2"));
        db.FailWrites = true;
        var ex = Assert.Throws<StoreException>(() => tree.SaveVersion());
        Assert.Equal(StoreError.Faulted, ex.Error);
        Assert.IsType<IOException>(ex.InnerException);
        Assert.Equal(StoreError.Faulted, Assert.Throws<StoreException>(() => tree.Get(B("a"))).Error);

        var reopened = new MutableTree(memory);
        Assert.Equal(1, reopened.Version);
        Assert.Equal(h1, reopened.LastSavedHash);
        Assert.Null(reopened.Get(B("b")));
        reopened.GetImmutable(1).Verify();
    }

    [Fact]
    public void Multistore_whose_commit_fails_is_faulted_and_reopens_at_the_previous_app_hash()
    {
        var memory = new MemoryKeyValueDb();
        var db = new FailingDb(memory);
        var ms = new MultiStore(db, ["x", "y"]);
        ms.Store("x").Set(B("k"), B("v"));
        var appHash = ms.Commit();
        ms.Store("y").Set(B("k"), B("w"));
        db.FailWrites = true;
        Assert.Equal(StoreError.Faulted, Assert.Throws<StoreException>(() => ms.Commit()).Error);
        Assert.Equal(StoreError.Faulted, Assert.Throws<StoreException>(() => ms.Store("x")).Error);

        var reopened = new MultiStore(memory, ["x", "y"]);
        Assert.Equal(1, reopened.LatestVersion);
        Assert.Equal(appHash, reopened.LastAppHash);
        Assert.Null(reopened.Store("y").Get(B("k")));
    }
}
