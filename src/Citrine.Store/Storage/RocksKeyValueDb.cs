using RocksDbSharp;

namespace Citrine.Store.Storage;

/// <summary>
/// <see cref="IKeyValueDb"/> on RocksDB. Every <see cref="Write"/> is one RocksDB WriteBatch written
/// with <c>sync = true</c>: after it returns the batch is in the WAL on disk, and a crash at any
/// moment leaves either all of it or none of it (RocksDB's WAL recovery replays whole batches).
/// </summary>
public sealed class RocksKeyValueDb : IKeyValueDb
{
    private readonly RocksDb _db;
    private readonly WriteOptions _syncWrite;
    private bool _disposed;

    private RocksKeyValueDb(RocksDb db)
    {
        _db = db;
        _syncWrite = new WriteOptions().SetSync(true);
    }

    public string Path { get; private init; } = "";

    /// <summary>Opens (creating when missing) the database in <paramref name="path"/>.</summary>
    public static RocksKeyValueDb Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(path);
        // Point reads dominate (one per uncached tree node): a bloom filter, a 64 MiB block cache
        // and LZ4 (cheap to decompress on every miss) keep them short.
        var table = new BlockBasedTableOptions()
            .SetBlockCache(Cache.CreateLru(64UL << 20))
            .SetFilterPolicy(BloomFilterPolicy.Create(10, false))
            .SetCacheIndexAndFilterBlocks(true);
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCompression(Compression.Lz4)
            .SetBlockBasedTableFactory(table)
            .SetMaxOpenFiles(256);
        return new RocksKeyValueDb(RocksDb.Open(options, path)) { Path = path };
    }

    public byte[]? TryGet(ReadOnlySpan<byte> key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _db.Get(key.ToArray());
    }

    public IEnumerable<KeyValuePair<byte[], byte[]>> Range(byte[] start, byte[] endExclusive)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(endExclusive);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RangeCore(start, endExclusive);
    }

    private IEnumerable<KeyValuePair<byte[], byte[]>> RangeCore(byte[] start, byte[] end)
    {
        using var iterator = _db.NewIterator();
        iterator.Seek(start);
        while (iterator.Valid())
        {
            var key = iterator.Key();
            if (ByteArrayComparer.Instance.Compare(key, end) >= 0)
            {
                yield break;
            }
            yield return new(key, iterator.Value());
            iterator.Next();
        }
    }

    public IWriteBatch CreateBatch() => new RocksWriteBatch();

    public void Write(IWriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (batch is not RocksWriteBatch rocks)
        {
            throw new ArgumentException("batch was not created by this database", nameof(batch));
        }
        _db.Write(rocks.Batch, _syncWrite);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _db.Dispose();
    }

    private sealed class RocksWriteBatch : IWriteBatch
    {
        public WriteBatch Batch { get; } = new();

        public int Count { get; private set; }

        public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            Batch.Put(key.ToArray(), value.ToArray());
            Count++;
        }

        public void Delete(ReadOnlySpan<byte> key)
        {
            Batch.Delete(key.ToArray());
            Count++;
        }

        public void Dispose() => Batch.Dispose();
    }
}
