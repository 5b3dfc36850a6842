using Citrine.Store.Multistore;

namespace Citrine.Chain.State;

/// <summary>Reads of named key-value stores: the working state, or one committed version of it.</summary>
public interface IStateReader
{
    byte[]? Read(string store, ReadOnlySpan<byte> key);
}

/// <summary>
/// The application state as the node needs it: named key-value stores that are committed together
/// into one app hash per height, and can be read with proofs at a committed height.
/// </summary>
public interface IStateStore : IStateReader, IDisposable
{
    /// <summary>The last committed version (= block height), 0 before the first commit.</summary>
    long Version { get; }

    void Write(string store, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    void Remove(string store, ReadOnlySpan<byte> key);

    /// <summary>The app hash the working state would commit to now.</summary>
    byte[] WorkingAppHash();

    /// <summary>Commits the working state as <see cref="Version"/> + 1; returns its app hash.</summary>
    byte[] Commit();

    /// <summary>Discards uncommitted changes.</summary>
    void Rollback();

    /// <summary>Reads a key at a committed version (0 = latest), with ICS23 proof ops to the app hash when asked.</summary>
    StoreQueryResult Query(string store, ReadOnlySpan<byte> key, long version, bool prove);
}

/// <summary>The state on Citrine.Store's IAVL multistore (RocksDB on disk, or in memory for tests).</summary>
public sealed class MultiStoreState : IStateStore
{
    private readonly MultiStore _store;

    public MultiStoreState(MultiStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    public static MultiStoreState InMemory(IEnumerable<string> storeNames) =>
        new(new MultiStore(new Store.Storage.MemoryKeyValueDb(), storeNames, ownsDb: true));

    public static MultiStoreState OpenRocks(string path, IEnumerable<string> storeNames) =>
        new(MultiStore.OpenRocks(path, storeNames));

    /// <summary>The multistore underneath (state sync exports and imports it).</summary>
    public MultiStore MultiStore => _store;

    public long Version => _store.LatestVersion;

    public byte[]? Read(string store, ReadOnlySpan<byte> key) => _store.Store(store).Get(key);

    public void Write(string store, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => _store.Store(store).Set(key, value);

    public void Remove(string store, ReadOnlySpan<byte> key) => _store.Store(store).Remove(key);

    public byte[] WorkingAppHash() =>
        new CommitInfo(_store.LatestVersion + 1, _store.StoreNames.Select(n => new StoreInfo(n, _store.Store(n).WorkingHash()))).AppHash;

    public byte[] Commit() => _store.Commit();

    public void Rollback()
    {
        foreach (var name in _store.StoreNames)
        {
            _store.Store(name).Rollback();
        }
    }

    public StoreQueryResult Query(string store, ReadOnlySpan<byte> key, long version, bool prove) => _store.Query(store, key, version, prove);

    /// <summary>The oldest version still held (0 before the first commit).</summary>
    public long FirstVersion => _store.FirstVersion;

    /// <summary>The app hash of <see cref="Version"/> (meaningful once a version is committed).</summary>
    public byte[] LastAppHash => _store.LastAppHash;

    /// <summary>Deletes the versions up to and including <paramref name="version"/> (Cosmos pruning), in one synced batch.</summary>
    public void PruneTo(long version) => _store.PruneTo(version);

    public void Dispose() => _store.Dispose();
}
