using Citrine.Crypto;
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
    private readonly DbOptions _options;
    private bool _disposed;

    private RocksKeyValueDb(RocksDb db, DbOptions options)
    {
        _db = db;
        _options = options;
        _syncWrite = new WriteOptions().SetSync(true);
    }

    public string Path { get; private init; } = "";

    /// <summary>Opens (creating when missing) the database in <paramref name="path"/>.</summary>
    public static RocksKeyValueDb Open(string path) => Open(path, statistics: false);

    /// <summary>
    /// Opens the database; <paramref name="statistics"/> turns on RocksDB's statistics (a few percent
    /// slower) so that tests can read its counters with <see cref="StatisticsTicker"/>.
    /// </summary>
    internal static RocksKeyValueDb Open(string path, bool statistics)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(path);
        // Point reads dominate (one per uncached tree node): a bloom filter, a 64 MiB block cache
        // for data blocks and LZ4 (cheap to decompress on every miss) keep them short.
        // Index and filter blocks stay OUT of the block cache (cache_index_and_filter_blocks =
        // false, RocksDB's default): each table reader loads them once when it opens the file and
        // keeps them (at most max_open_files tables, ~1.25 bytes of filter per key). With them in
        // the cache, a 1,000,000-key store (SST files of 50-70 MB whose full bloom filter block is
        // ~1.35 MB) missed the filter on most point reads: the 64 MiB LRU cache is split into 64
        // shards of 1 MiB, a block larger than its shard is dropped as soon as it is released, so
        // nearly every node read re-read and re-inserted 1.35 MB of filter (measured: 454,437
        // filter misses, 615 GB inserted, for ~1.4M gets; 70 us per node read against 6 us).
        var table = new BlockBasedTableOptions()
            .SetBlockCache(Cache.CreateLru(64UL << 20))
            .SetFilterPolicy(BloomFilterPolicy.Create(10, false))
            .SetCacheIndexAndFilterBlocks(false);
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCompression(Compression.Lz4)
            .SetBlockBasedTableFactory(table)
            .SetMaxOpenFiles(256);
        if (statistics)
        {
            options.EnableStatistics();
        }
        return new RocksKeyValueDb(RocksDb.Open(options, path), options) { Path = path };
    }

    /// <summary>
    /// The value of a RocksDB statistics ticker (e.g. <c>rocksdb.block.cache.filter.miss</c>);
    /// only for a database opened with statistics.
    /// </summary>
    internal long StatisticsTicker(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var text = _options.GetStatisticsString()
            ?? throw new InvalidOperationException("the database was not opened with statistics");
        var prefix = name + " COUNT : ";
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(prefix.Length).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"no statistics ticker named {name}");
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
