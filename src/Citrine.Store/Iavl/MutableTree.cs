using Citrine.Store.Storage;

namespace Citrine.Store.Iavl;

/// <summary>
/// A versioned IAVL+ tree: a working tree on top of the latest saved version. <see cref="Set"/> and
/// <see cref="Remove"/> change the working tree (AVL-balanced as cosmos/iavl balances it, so the
/// root hash matches iavl for the same history); <see cref="SaveVersion"/> persists it as the next
/// immutable version in one atomic, synced batch. Old versions stay readable through
/// <see cref="GetImmutable"/> until pruned with <see cref="DeleteVersionsTo"/>.
/// Not thread-safe for writers; readers of saved versions may run beside one writer.
/// </summary>
public sealed class MutableTree
{
    private readonly NodeDb _db;
    private readonly List<NodeKey> _orphans = [];
    private Node? _root;
    private Node? _savedRoot;
    private bool _faulted;

    /// <summary>Opens the tree stored under <paramref name="prefix"/> at its latest saved version.</summary>
    public MutableTree(IKeyValueDb db, ReadOnlySpan<byte> prefix = default, int cacheSize = 100_000)
    {
        ArgumentNullException.ThrowIfNull(db);
        _db = new NodeDb(db, prefix, cacheSize);
        (FirstVersion, Version) = _db.GetMeta();
        if (Version > 0)
        {
            if (!_db.TryGetRoot(Version, out var rootId))
            {
                throw new StoreException(StoreError.CorruptRecord, $"latest version {Version} has no root record");
            }
            _savedRoot = rootId is { } id ? _db.Load(id) : null;
        }
        _root = _savedRoot;
    }

    /// <summary>The latest saved version (0 when nothing was saved).</summary>
    public long Version { get; private set; }

    /// <summary>The oldest version still stored (0 when nothing was saved).</summary>
    public long FirstVersion { get; private set; }

    /// <summary>Number of keys in the working tree.</summary>
    public long Count => _root?.Size ?? 0;

    internal NodeDb NodeDb => _db;

    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        EnsureUsable();
        return TreeReader.Get(_db, _root, key);
    }

    public bool Has(ReadOnlySpan<byte> key) => Get(key) is not null;

    /// <summary>Working-tree entries in key order within [start, end).</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Range(byte[]? start = null, byte[]? end = null)
    {
        EnsureUsable();
        return TreeReader.Range(_db, _root, start, end);
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>; true when the key already existed.</summary>
    public bool Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        EnsureUsable();
        if (key.IsEmpty)
        {
            throw new StoreException(StoreError.InvalidArgument, "keys must not be empty");
        }
        var keyCopy = key.ToArray();
        var valueCopy = value.ToArray();
        if (_root is null)
        {
            _root = Node.NewLeaf(keyCopy, valueCopy, Version + 1);
            return false;
        }
        (_root, var updated) = RecursiveSet(_root, keyCopy, valueCopy);
        return updated;
    }

    /// <summary>Removes <paramref name="key"/>; true when it existed.</summary>
    public bool Remove(ReadOnlySpan<byte> key)
    {
        EnsureUsable();
        if (_root is null)
        {
            return false;
        }
        var (newRoot, _, removed) = RecursiveRemove(_root, key);
        if (removed)
        {
            _root = newRoot;
        }
        return removed;
    }

    /// <summary>Discards working changes, back to the latest saved version.</summary>
    public void Rollback()
    {
        EnsureUsable();
        _root = _savedRoot;
        _orphans.Clear();
    }

    /// <summary>The root hash the working tree would have if saved now as version <see cref="Version"/> + 1.</summary>
    public byte[] WorkingHash()
    {
        EnsureUsable();
        return _root is null ? IavlHashing.EmptyTreeHash : (byte[])ComputeHash(_root).Clone();
    }

    /// <summary>Root hash of the latest saved version.</summary>
    public byte[] LastSavedHash => _savedRoot?.Hash is { } h ? (byte[])h.Clone() : IavlHashing.EmptyTreeHash;

    /// <summary>Saves the working tree as version <see cref="Version"/> + 1 in one synced atomic write.</summary>
    public (byte[] Hash, long Version) SaveVersion()
    {
        EnsureUsable();
        using var batch = _db.Db.CreateBatch();
        var pending = Stage(batch);
        try
        {
            _db.Db.Write(batch);
        }
        catch (Exception ex)
        {
            _faulted = true;
            throw new StoreException(StoreError.Faulted, $"writing version {pending.Version} failed; reopen the store", ex);
        }
        Publish(pending);
        return (pending.Hash, pending.Version);
    }

    /// <summary>A read-only view of a saved version.</summary>
    public ImmutableTree GetImmutable(long version)
    {
        EnsureUsable();
        return ImmutableTree.Open(_db, version, FirstVersion, Version);
    }

    /// <summary>
    /// Deletes every version up to and including <paramref name="toVersion"/> (which must be older than
    /// the latest) and the nodes only they used, in one synced atomic write.
    /// </summary>
    public void DeleteVersionsTo(long toVersion)
    {
        EnsureUsable();
        using var batch = _db.Db.CreateBatch();
        var deleted = StagePrune(batch, toVersion);
        if (deleted.Count == 0 && toVersion < FirstVersion)
        {
            return;
        }
        _db.Db.Write(batch);
        foreach (var id in deleted)
        {
            _db.Evict(id);
        }
        FirstVersion = toVersion + 1;
    }

    /// <summary>Checks every node of the working tree's saved base; see <see cref="ImmutableTree.Verify"/>.</summary>
    internal long VerifyLatest() => Version == 0 ? 0 : GetImmutable(Version).Verify();

    internal PendingVersion Stage(IWriteBatch batch)
    {
        var version = Version + 1;
        uint nonce = 0;
        var newNodes = new List<Node>();
        if (_root is not null)
        {
            SaveNew(_root, batch, version, ref nonce, newNodes);
        }
        _db.PutRoot(batch, version, _root?.Id);
        if (Version > 0)
        {
            foreach (var orphan in _orphans)
            {
                _db.PutOrphan(batch, Version, orphan);
            }
        }
        var first = FirstVersion == 0 ? version : FirstVersion;
        _db.PutMeta(batch, first, version);
        var hash = _root?.Hash is { } h ? (byte[])h.Clone() : IavlHashing.EmptyTreeHash;
        return new PendingVersion(version, first, hash, newNodes);
    }

    internal void Publish(PendingVersion pending)
    {
        foreach (var node in pending.NewNodes)
        {
            // Persisted nodes keep ids only, so the working tree does not pin old nodes in memory.
            node.LeftNode = null;
            node.RightNode = null;
            _db.Cache(node);
        }
        Version = pending.Version;
        FirstVersion = pending.FirstVersion;
        _orphans.Clear();
        _savedRoot = _root;
    }

    internal void MarkFaulted() => _faulted = true;

    /// <summary>Re-reads the metadata and latest root after records were written around this tree (a snapshot import).</summary>
    internal void Reload()
    {
        (FirstVersion, Version) = _db.GetMeta();
        _savedRoot = null;
        if (Version > 0)
        {
            if (!_db.TryGetRoot(Version, out var rootId))
            {
                throw new StoreException(StoreError.CorruptRecord, $"latest version {Version} has no root record");
            }
            _savedRoot = rootId is { } id ? _db.Load(id) : null;
        }
        _root = _savedRoot;
        _orphans.Clear();
    }

    internal List<NodeKey> StagePrune(IWriteBatch batch, long toVersion)
    {
        if (Version == 0 || toVersion >= Version)
        {
            throw new StoreException(StoreError.InvalidPruning, $"cannot delete versions up to {toVersion}: the latest version is {Version} and must be kept");
        }
        var deleted = new List<NodeKey>();
        for (var v = FirstVersion; v <= toVersion; v++)
        {
            _db.DeleteRoot(batch, v);
            foreach (var (recordKey, node) in _db.Orphans(v))
            {
                _db.DeleteNode(batch, node);
                batch.Delete(recordKey);
                deleted.Add(node);
            }
        }
        if (toVersion >= FirstVersion)
        {
            _db.PutMeta(batch, toVersion + 1, Version);
        }
        return deleted;
    }

    internal void CompletePrune(long toVersion, List<NodeKey> deleted)
    {
        foreach (var id in deleted)
        {
            _db.Evict(id);
        }
        if (toVersion >= FirstVersion)
        {
            FirstVersion = toVersion + 1;
        }
    }

    private void SaveNew(Node node, IWriteBatch batch, long version, ref uint nonce, List<Node> newNodes)
    {
        if (node.IsPersisted)
        {
            return;
        }
        if (!node.IsLeaf)
        {
            if (node.LeftId is null)
            {
                var left = node.LeftNode!;
                SaveNew(left, batch, version, ref nonce, newNodes);
                node.LeftId = left.Id;
                node.LeftHash = left.Hash;
            }
            if (node.RightId is null)
            {
                var right = node.RightNode!;
                SaveNew(right, batch, version, ref nonce, newNodes);
                node.RightId = right.Id;
                node.RightHash = right.Hash;
            }
        }
        node.Version = version;
        node.Hash = null;
        ComputeHash(node);
        node.Id = new NodeKey(version, ++nonce);
        _db.PutNode(batch, node);
        newNodes.Add(node);
    }

    private static byte[] ComputeHash(Node node)
    {
        if (node.Hash is { } cached)
        {
            return cached;
        }
        if (node.IsLeaf)
        {
            node.Hash = IavlHashing.LeafHash(node.Key, node.Value!, node.Version);
        }
        else
        {
            var leftHash = node.LeftHash ?? ComputeHash(node.LeftNode!);
            var rightHash = node.RightHash ?? ComputeHash(node.RightNode!);
            node.Hash = IavlHashing.InnerHash(node.Height, node.Size, node.Version, leftHash, rightHash);
        }
        return node.Hash;
    }

    // cosmos/iavl mutable_tree.go recursiveSet: a new key splits a leaf into an inner node of
    // height 1 whose key is the larger of the two; an existing key replaces the leaf and the path is
    // copied without rebalancing.
    private (Node Node, bool Updated) RecursiveSet(Node node, byte[] key, byte[] value)
    {
        var version = Version + 1;
        if (node.IsLeaf)
        {
            var cmp = key.AsSpan().SequenceCompareTo(node.Key);
            if (cmp < 0)
            {
                var inner = new Node { Key = node.Key, Height = 1, Size = 2, Version = version };
                inner.SetLeft(Node.NewLeaf(key, value, version));
                inner.SetRight(node);
                return (inner, false);
            }
            if (cmp > 0)
            {
                var inner = new Node { Key = key, Height = 1, Size = 2, Version = version };
                inner.SetLeft(node);
                inner.SetRight(Node.NewLeaf(key, value, version));
                return (inner, false);
            }
            AddOrphan(node);
            return (Node.NewLeaf(key, value, version), true);
        }

        node = Mutate(node);
        bool updated;
        if (key.AsSpan().SequenceCompareTo(node.Key) < 0)
        {
            (var child, updated) = RecursiveSet(LeftForWrite(node), key, value);
            node.SetLeft(child);
        }
        else
        {
            (var child, updated) = RecursiveSet(RightForWrite(node), key, value);
            node.SetRight(child);
        }
        if (updated)
        {
            return (node, true);
        }
        CalcHeightAndSize(node);
        return (Balance(node), false);
    }

    // cosmos/iavl recursiveRemove: returns the replacement subtree, the new leftmost key of the
    // subtree when it changed (so the first ancestor reached through its right child can update its
    // key), and whether the key was found.
    private (Node? Node, byte[]? NewKey, bool Removed) RecursiveRemove(Node node, ReadOnlySpan<byte> key)
    {
        if (node.IsLeaf)
        {
            if (key.SequenceEqual(node.Key))
            {
                AddOrphan(node);
                return (null, null, true);
            }
            return (node, null, false);
        }

        if (key.SequenceCompareTo(node.Key) < 0)
        {
            var (newLeft, newKey, removed) = RecursiveRemove(LeftForWrite(node), key);
            if (!removed)
            {
                return (node, null, false);
            }
            if (newLeft is null)
            {
                AddOrphan(node);
                return (RightForWrite(node), node.Key, true);
            }
            node = Mutate(node);
            node.SetLeft(newLeft);
            CalcHeightAndSize(node);
            return (Balance(node), newKey, true);
        }
        else
        {
            var (newRight, newKey, removed) = RecursiveRemove(RightForWrite(node), key);
            if (!removed)
            {
                return (node, null, false);
            }
            if (newRight is null)
            {
                AddOrphan(node);
                return (LeftForWrite(node), null, true);
            }
            node = Mutate(node);
            node.SetRight(newRight);
            if (newKey is not null)
            {
                node.Key = newKey;
            }
            CalcHeightAndSize(node);
            return (Balance(node), null, true);
        }
    }

    // cosmos/iavl balance(): AVL rotations on a node that is already a working copy.
    private Node Balance(Node node)
    {
        var balance = BalanceOf(node);
        if (balance > 1)
        {
            var left = LeftForWrite(node);
            if (BalanceOf(left) >= 0)
            {
                return RotateRight(node);
            }
            node.SetLeft(RotateLeft(left));
            return RotateRight(node);
        }
        if (balance < -1)
        {
            var right = RightForWrite(node);
            if (BalanceOf(right) <= 0)
            {
                return RotateLeft(node);
            }
            node.SetRight(RotateRight(right));
            return RotateLeft(node);
        }
        return node;
    }

    private Node RotateRight(Node node)
    {
        node = Mutate(node);
        var newRoot = Mutate(LeftForWrite(node));
        node.SetLeft(RightForWrite(newRoot));
        CalcHeightAndSize(node);
        newRoot.SetRight(node);
        CalcHeightAndSize(newRoot);
        return newRoot;
    }

    private Node RotateLeft(Node node)
    {
        node = Mutate(node);
        var newRoot = Mutate(RightForWrite(node));
        node.SetRight(LeftForWrite(newRoot));
        CalcHeightAndSize(node);
        newRoot.SetLeft(node);
        CalcHeightAndSize(newRoot);
        return newRoot;
    }

    private static int BalanceOf(Node node) =>
        node.IsLeaf ? 0 : node.LeftHeight - node.RightHeight;

    // Child heights and sizes are kept on the parent (SetLeft/SetRight, and in stored records), so
    // this needs no sibling load.
    private static void CalcHeightAndSize(Node node)
    {
        node.Height = Math.Max(node.LeftHeight, node.RightHeight) + 1;
        node.Size = node.LeftSize + node.RightSize;
    }

    // Working copies keep pointers to the children they load, so later steps of the same change see them.
    private Node LeftForWrite(Node node)
    {
        if (node.LeftNode is { } n)
        {
            return n;
        }
        var child = TreeReader.Left(_db, node);
        if (!node.IsPersisted)
        {
            node.LeftNode = child;
        }
        return child;
    }

    private Node RightForWrite(Node node)
    {
        if (node.RightNode is { } n)
        {
            return n;
        }
        var child = TreeReader.Right(_db, node);
        if (!node.IsPersisted)
        {
            node.RightNode = child;
        }
        return child;
    }

    private Node Mutate(Node node)
    {
        if (node.IsPersisted)
        {
            AddOrphan(node);
            return node.CloneForWrite(Version + 1);
        }
        node.Hash = null;
        return node;
    }

    private void AddOrphan(Node node)
    {
        if (node.Id is { } id)
        {
            _orphans.Add(id);
        }
    }

    private void EnsureUsable()
    {
        if (_faulted)
        {
            throw new StoreException(StoreError.Faulted, "a commit failed part-way; reopen the store to continue from the last committed version");
        }
    }
}

/// <summary>A version staged into a batch but not yet known to be written.</summary>
internal sealed record PendingVersion(long Version, long FirstVersion, byte[] Hash, List<Node> NewNodes);
