using System.Buffers.Binary;
using System.Text;
using Citrine.Crypto;
using Citrine.Crypto.Encoding.Protobuf;
using Citrine.Ics23.Proofs;

namespace Citrine.Store.Multistore;

/// <summary>One store's entry in a commit: its name and the root hash of its IAVL tree.</summary>
public sealed record StoreInfo(string Name, byte[] Hash);

/// <summary>
/// What the multistore committed at a version (Cosmos SDK <c>CommitInfo</c>): the app hash is the
/// simple Merkle root over the stores in byte order of their names, each item
/// <c>KVPair(name, sha256(root)).Bytes()</c> (store/types/commit_info.go <c>Hash</c>,
/// store/internal/maps <c>ProofsFromMap</c>); no stores hash to sha256("").
/// </summary>
public sealed class CommitInfo
{
    private readonly byte[][] _items;

    public CommitInfo(long version, IEnumerable<StoreInfo> stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        Version = version;
        Stores = [.. stores.OrderBy(s => Encoding.UTF8.GetBytes(s.Name), ByteArrayComparer.Instance)];
        for (var i = 1; i < Stores.Count; i++)
        {
            if (Stores[i].Name == Stores[i - 1].Name)
            {
                throw new StoreException(StoreError.InvalidArgument, $"store name '{Stores[i].Name}' appears twice");
            }
        }
        _items = [.. Stores.Select(s => SimpleMerkle.StoreItem(Encoding.UTF8.GetBytes(s.Name), s.Hash))];
        AppHash = SimpleMerkle.HashFromItems(_items);
    }

    public long Version { get; }

    /// <summary>Stores sorted by the bytes of their names.</summary>
    public IReadOnlyList<StoreInfo> Stores { get; }

    public byte[] AppHash { get; }

    /// <summary>The ICS23 existence proof (TendermintSpec) that store <paramref name="name"/> has its root under <see cref="AppHash"/>.</summary>
    public ExistenceProof ProofFor(string name)
    {
        for (var i = 0; i < Stores.Count; i++)
        {
            if (Stores[i].Name == name)
            {
                return SimpleMerkle.ExistenceProof(_items, i, Encoding.UTF8.GetBytes(name), Stores[i].Hash);
            }
        }
        throw new StoreException(StoreError.UnknownStore, $"store '{name}' is not part of commit {Version}");
    }

    /// <summary>uvarint(count) then per store: uvarint(len name) || name || uvarint(len hash) || hash.</summary>
    internal byte[] Encode()
    {
        using var stream = new MemoryStream();
        Span<byte> v = stackalloc byte[Varint.MaxLength];
        stream.Write(v[..Varint.WriteUnsigned(v, (ulong)Stores.Count)]);
        foreach (var store in Stores)
        {
            var name = Encoding.UTF8.GetBytes(store.Name);
            stream.Write(v[..Varint.WriteUnsigned(v, (ulong)name.Length)]);
            stream.Write(name);
            stream.Write(v[..Varint.WriteUnsigned(v, (ulong)store.Hash.Length)]);
            stream.Write(store.Hash);
        }
        return stream.ToArray();
    }

    internal static CommitInfo Decode(long version, ReadOnlySpan<byte> data)
    {
        var position = 0;
        var count = ReadLength(data, ref position, "store count");
        var stores = new List<StoreInfo>();
        for (var i = 0; i < count; i++)
        {
            var name = ReadBytes(data, ref position, "store name");
            var hash = ReadBytes(data, ref position, "store hash");
            stores.Add(new StoreInfo(Encoding.UTF8.GetString(name), hash.ToArray()));
        }
        if (position != data.Length)
        {
            throw new StoreException(StoreError.CorruptRecord, $"commit info {version}: {data.Length - position} trailing bytes");
        }
        return new CommitInfo(version, stores);
    }

    internal static byte[] VersionKey(byte tag, long version)
    {
        var key = new byte[9];
        key[0] = tag;
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(1), version);
        return key;
    }

    private static int ReadLength(ReadOnlySpan<byte> data, ref int position, string field)
    {
        if (!Varint.TryReadUnsigned(data[position..], out var value, out var read) || value > (ulong)(data.Length - position - read))
        {
            throw new StoreException(StoreError.CorruptRecord, $"commit info: bad {field} at offset {position}");
        }
        position += read;
        return (int)value;
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> data, ref int position, string field)
    {
        var length = ReadLength(data, ref position, field + " length");
        var slice = data.Slice(position, length);
        position += length;
        return slice;
    }
}
