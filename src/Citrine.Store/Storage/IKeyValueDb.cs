namespace Citrine.Store.Storage;

/// <summary>
/// The ordered key-value database the store persists into. Keys compare as unsigned bytes.
/// Writes go through <see cref="IWriteBatch"/> so that a commit is applied atomically and durably.
/// </summary>
public interface IKeyValueDb : IDisposable
{
    /// <summary>The value stored under <paramref name="key"/>, or null.</summary>
    byte[]? TryGet(ReadOnlySpan<byte> key);

    /// <summary>Entries with <paramref name="start"/> &lt;= key &lt; <paramref name="endExclusive"/>, ascending.</summary>
    IEnumerable<KeyValuePair<byte[], byte[]>> Range(byte[] start, byte[] endExclusive);

    IWriteBatch CreateBatch();

    /// <summary>Applies every operation of <paramref name="batch"/> atomically; durable when this returns.</summary>
    void Write(IWriteBatch batch);
}

/// <summary>An ordered list of puts and deletes applied together by <see cref="IKeyValueDb.Write"/>.</summary>
public interface IWriteBatch : IDisposable
{
    int Count { get; }

    void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    void Delete(ReadOnlySpan<byte> key);
}
