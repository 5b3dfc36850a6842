using Citrine.Crypto;

namespace Citrine.Store.Storage;

/// <summary>An in-memory <see cref="IKeyValueDb"/> for tests: same ordering and batch semantics, no durability.</summary>
public sealed class MemoryKeyValueDb : IKeyValueDb
{
    private readonly SortedDictionary<byte[], byte[]> _data = new(ByteArrayComparer.Instance);
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _data.Count;
            }
        }
    }

    /// <summary>Number of batches written; lets tests check that a commit is one atomic write.</summary>
    public int BatchesWritten { get; private set; }

    public byte[]? TryGet(ReadOnlySpan<byte> key)
    {
        lock (_lock)
        {
            return _data.TryGetValue(key.ToArray(), out var value) ? (byte[])value.Clone() : null;
        }
    }

    public IEnumerable<KeyValuePair<byte[], byte[]>> Range(byte[] start, byte[] endExclusive)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(endExclusive);
        List<KeyValuePair<byte[], byte[]>> snapshot;
        lock (_lock)
        {
            snapshot = [];
            foreach (var entry in _data)
            {
                if (ByteArrayComparer.Instance.Compare(entry.Key, start) < 0)
                {
                    continue;
                }
                if (ByteArrayComparer.Instance.Compare(entry.Key, endExclusive) >= 0)
                {
                    break;
                }
                snapshot.Add(new((byte[])entry.Key.Clone(), (byte[])entry.Value.Clone()));
            }
        }
        return snapshot;
    }

    /// <summary>Every entry, for tests that inspect the stored layout.</summary>
    public IReadOnlyList<KeyValuePair<byte[], byte[]>> Snapshot()
    {
        lock (_lock)
        {
            return [.. _data];
        }
    }

    public IWriteBatch CreateBatch() => new MemoryWriteBatch();

    public void Write(IWriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch is not MemoryWriteBatch memory)
        {
            throw new ArgumentException("batch was not created by this database", nameof(batch));
        }
        lock (_lock)
        {
            foreach (var (key, value) in memory.Operations)
            {
                if (value is null)
                {
                    _data.Remove(key);
                }
                else
                {
                    _data[key] = value;
                }
            }
            BatchesWritten++;
        }
    }

    public void Dispose()
    {
    }

    private sealed class MemoryWriteBatch : IWriteBatch
    {
        public List<(byte[] Key, byte[]? Value)> Operations { get; } = [];

        public int Count => Operations.Count;

        public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Operations.Add((key.ToArray(), value.ToArray()));

        public void Delete(ReadOnlySpan<byte> key) => Operations.Add((key.ToArray(), null));

        public void Dispose()
        {
        }
    }
}
