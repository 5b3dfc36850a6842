namespace Citrine.Store.Storage;

/// <summary>
/// An <see cref="IKeyValueDb"/> that counts the point reads and range scans made through it
/// (writes pass through uncounted): how tests pin and benchmarks report a store's read cost.
/// Not thread-safe counting; it does not own <c>inner</c>.
/// </summary>
public sealed class CountingKeyValueDb(IKeyValueDb inner) : IKeyValueDb
{
    public long Gets { get; private set; }

    public long Ranges { get; private set; }

    public void Reset()
    {
        Gets = 0;
        Ranges = 0;
    }

    public byte[]? TryGet(ReadOnlySpan<byte> key)
    {
        Gets++;
        return inner.TryGet(key);
    }

    public IEnumerable<KeyValuePair<byte[], byte[]>> Range(byte[] start, byte[] endExclusive)
    {
        Ranges++;
        return inner.Range(start, endExclusive);
    }

    public IWriteBatch CreateBatch() => inner.CreateBatch();

    public void Write(IWriteBatch batch) => inner.Write(batch);

    public void Dispose()
    {
    }
}
