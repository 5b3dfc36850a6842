using System.Buffers.Binary;
using Citrine.Store.Storage;

namespace Citrine.Store.Iavl;

/// <summary>
/// Where one tree's records live inside an <see cref="IKeyValueDb"/>, all under a tree prefix P:
/// <code>
/// P 'n' nodeKey(12)                 node record (NodeCodec)
/// P 'r' version(8, BE)              root of that version: empty (empty tree) or nodeKey(12)
/// P 'o' toVersion(8) nodeKey(12)    orphan: the node is in versions [nodeKey.version, toVersion] only
/// P 'm'                             metadata: firstVersion(8) || latestVersion(8)
/// </code>
/// Reads of persisted nodes go through a bounded LRU cache; persisted nodes never change.
/// </summary>
internal sealed class NodeDb
{
    private const byte NodeTag = (byte)'n';
    private const byte RootTag = (byte)'r';
    private const byte OrphanTag = (byte)'o';
    private const byte MetaTag = (byte)'m';

    private readonly byte[] _prefix;
    private readonly LruCache _cache;

    public NodeDb(IKeyValueDb db, ReadOnlySpan<byte> prefix, int cacheSize)
    {
        Db = db;
        _prefix = prefix.ToArray();
        _cache = new LruCache(Math.Max(16, cacheSize));
    }

    public IKeyValueDb Db { get; }

    public int CachedNodes => _cache.Count;

    public Node Load(NodeKey id)
    {
        if (_cache.TryGet(id, out var cached))
        {
            return cached;
        }
        var data = Db.TryGet(NodeRecordKey(id))
            ?? throw new StoreException(StoreError.MissingNode, $"node {id} is missing from the database");
        var node = NodeCodec.Decode(id, data);
        _cache.Add(id, node);
        return node;
    }

    /// <summary>Like <see cref="Load"/>, but a node read from the database is not added to the cache (a full-tree export would flush the working set).</summary>
    public Node LoadWithoutCaching(NodeKey id)
    {
        if (_cache.TryGet(id, out var cached))
        {
            return cached;
        }
        var data = Db.TryGet(NodeRecordKey(id))
            ?? throw new StoreException(StoreError.MissingNode, $"node {id} is missing from the database");
        return NodeCodec.Decode(id, data);
    }

    public void Cache(Node node) => _cache.Add(node.Id!.Value, node);

    public void Evict(NodeKey id) => _cache.Remove(id);

    public void PutNode(IWriteBatch batch, Node node) => batch.Put(NodeRecordKey(node.Id!.Value), NodeCodec.Encode(node));

    public void DeleteNode(IWriteBatch batch, NodeKey id) => batch.Delete(NodeRecordKey(id));

    public bool HasNode(NodeKey id) => Db.TryGet(NodeRecordKey(id)) is not null;

    public void PutRoot(IWriteBatch batch, long version, NodeKey? root)
    {
        if (root is { } id)
        {
            var value = new byte[NodeKey.Size];
            id.Write(value);
            batch.Put(RootKey(version), value);
        }
        else
        {
            batch.Put(RootKey(version), []);
        }
    }

    public void DeleteRoot(IWriteBatch batch, long version) => batch.Delete(RootKey(version));

    /// <summary>The root of <paramref name="version"/>: (false, _) when no root record exists.</summary>
    public bool TryGetRoot(long version, out NodeKey? root)
    {
        var data = Db.TryGet(RootKey(version));
        root = null;
        if (data is null)
        {
            return false;
        }
        if (data.Length == 0)
        {
            return true;
        }
        if (data.Length != NodeKey.Size)
        {
            throw new StoreException(StoreError.CorruptRecord, $"root record of version {version} has {data.Length} bytes, expected 0 or {NodeKey.Size}");
        }
        root = NodeKey.Read(data);
        return true;
    }

    public void PutOrphan(IWriteBatch batch, long toVersion, NodeKey id) => batch.Put(OrphanKey(toVersion, id), []);

    /// <summary>Orphans whose last version is <paramref name="toVersion"/>, with their record keys.</summary>
    public IEnumerable<(byte[] RecordKey, NodeKey Node)> Orphans(long toVersion)
    {
        var start = OrphanKey(toVersion, new NodeKey(0, 0));
        var end = OrphanKey(toVersion + 1, new NodeKey(0, 0));
        foreach (var entry in Db.Range(start, end))
        {
            if (entry.Key.Length != _prefix.Length + 1 + 8 + NodeKey.Size)
            {
                throw new StoreException(StoreError.CorruptRecord, "orphan record key has the wrong length");
            }
            yield return (entry.Key, NodeKey.Read(entry.Key.AsSpan(_prefix.Length + 9)));
        }
    }

    public void PutMeta(IWriteBatch batch, long firstVersion, long latestVersion)
    {
        var value = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(value, firstVersion);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(8), latestVersion);
        batch.Put(Key(MetaTag, []), value);
    }

    public (long First, long Latest) GetMeta()
    {
        var data = Db.TryGet(Key(MetaTag, []));
        if (data is null)
        {
            return (0, 0);
        }
        if (data.Length != 16)
        {
            throw new StoreException(StoreError.CorruptRecord, $"tree metadata has {data.Length} bytes, expected 16");
        }
        var first = BinaryPrimitives.ReadInt64BigEndian(data);
        var latest = BinaryPrimitives.ReadInt64BigEndian(data.AsSpan(8));
        if (first < 1 || latest < first)
        {
            throw new StoreException(StoreError.CorruptRecord, $"tree metadata is inconsistent: first {first}, latest {latest}");
        }
        return (first, latest);
    }

    /// <summary>Every node id stored for this tree (for integrity checks and tests).</summary>
    public IEnumerable<NodeKey> AllNodeIds()
    {
        var start = Key(NodeTag, []);
        var end = Key((byte)(NodeTag + 1), []);
        foreach (var entry in Db.Range(start, end))
        {
            yield return NodeKey.Read(entry.Key.AsSpan(_prefix.Length + 1));
        }
    }

    public int CountOrphanRecords()
    {
        var start = Key(OrphanTag, []);
        var end = Key((byte)(OrphanTag + 1), []);
        return Db.Range(start, end).Count();
    }

    private byte[] NodeRecordKey(NodeKey id)
    {
        Span<byte> suffix = stackalloc byte[NodeKey.Size];
        id.Write(suffix);
        return Key(NodeTag, suffix);
    }

    private byte[] RootKey(long version)
    {
        Span<byte> suffix = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(suffix, version);
        return Key(RootTag, suffix);
    }

    private byte[] OrphanKey(long toVersion, NodeKey id)
    {
        Span<byte> suffix = stackalloc byte[8 + NodeKey.Size];
        BinaryPrimitives.WriteInt64BigEndian(suffix, toVersion);
        id.Write(suffix[8..]);
        return Key(OrphanTag, suffix);
    }

    private byte[] Key(byte tag, ReadOnlySpan<byte> suffix)
    {
        var key = new byte[_prefix.Length + 1 + suffix.Length];
        _prefix.CopyTo(key, 0);
        key[_prefix.Length] = tag;
        suffix.CopyTo(key.AsSpan(_prefix.Length + 1));
        return key;
    }

    private sealed class LruCache
    {
        private readonly int _capacity;
        private readonly Dictionary<NodeKey, LinkedListNode<(NodeKey Key, Node Node)>> _map = [];
        private readonly LinkedList<(NodeKey Key, Node Node)> _order = new();
        private readonly Lock _lock = new();

        public LruCache(int capacity) => _capacity = capacity;

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _map.Count;
                }
            }
        }

        public bool TryGet(NodeKey key, out Node node)
        {
            lock (_lock)
            {
                if (_map.TryGetValue(key, out var entry))
                {
                    _order.Remove(entry);
                    _order.AddFirst(entry);
                    node = entry.Value.Node;
                    return true;
                }
            }
            node = null!;
            return false;
        }

        public void Add(NodeKey key, Node node)
        {
            lock (_lock)
            {
                if (_map.TryGetValue(key, out var existing))
                {
                    _order.Remove(existing);
                }
                var entry = _order.AddFirst((key, node));
                _map[key] = entry;
                while (_map.Count > _capacity)
                {
                    var last = _order.Last!;
                    _order.RemoveLast();
                    _map.Remove(last.Value.Key);
                }
            }
        }

        public void Remove(NodeKey key)
        {
            lock (_lock)
            {
                if (_map.Remove(key, out var entry))
                {
                    _order.Remove(entry);
                }
            }
        }
    }
}
