using Citrine.Store.Iavl;
using Citrine.Store.Multistore;
using Citrine.Store.Storage;

namespace Citrine.Store.Snapshots;

/// <summary>
/// Rebuilds the trees of an empty multistore from exported items (<see cref="MultiStore.Import"/>).
/// Checks, each with its <see cref="ImportError"/>:
/// <list type="number">
/// <item>the store is empty and the version is at least 1;</item>
/// <item>store items: exactly the multistore's names, in their sorted order, each once;</item>
/// <item>per node: height 0..255, version 1..V, a non-empty key; a leaf has a value, an inner node none;</item>
/// <item>leaf keys strictly increasing within a store;</item>
/// <item>an inner node takes the two subtrees on top of the stack: height = 1 + the larger child
/// height, children's heights within one, children no newer than it, and its key the smallest key of
/// its right subtree (docs/store.md, "Hashing");</item>
/// <item>a store ends as one tree or none;</item>
/// <item>the app hash of the rebuilt roots equals the expected one, when given.</item>
/// </list>
/// Sizes and hashes are recomputed, never taken from the items. Node records are written in
/// batches as the items stream in, under fresh ids (the node's version, a new nonce); the roots,
/// tree metadata, commit info and multistore metadata go last in one batch, so until that batch lands
/// the multistore still opens at version 0. A refused import deletes what it wrote.
/// </summary>
internal sealed class MultiStoreImporter
{
    private const int BatchLimit = 10_000;
    private const int MaxHeight = 255;

    private readonly IKeyValueDb _db;
    private readonly IReadOnlyList<string> _names;
    private readonly long _version;
    private readonly bool _notEmpty;

    public MultiStoreImporter(IKeyValueDb db, IReadOnlyList<string> sortedNames, long version, bool notEmpty)
    {
        _db = db;
        _names = sortedNames;
        _version = version;
        _notEmpty = notEmpty;
    }

    public CommitInfo Run(IEnumerable<SnapshotItem> items, byte[]? expectedAppHash, Action<IWriteBatch, CommitInfo> finish)
    {
        if (_notEmpty)
        {
            throw new SnapshotImportException(ImportError.NotEmpty, "the multistore is not empty; a snapshot can only be imported into an empty one");
        }
        if (_version < 1)
        {
            throw new SnapshotImportException(ImportError.InvalidVersion, $"cannot import at version {_version}");
        }
        // Leftovers of an import interrupted by a crash: unreachable records under the store prefixes.
        DeleteStoreRecords();
        try
        {
            return Import(items, expectedAppHash, finish);
        }
        catch (InvalidDataException ex)
        {
            DeleteStoreRecords();
            throw new SnapshotImportException(ImportError.Malformed, ex.Message, ex);
        }
        catch
        {
            DeleteStoreRecords();
            throw;
        }
    }

    private CommitInfo Import(IEnumerable<SnapshotItem> items, byte[]? expectedAppHash, Action<IWriteBatch, CommitInfo> finish)
    {
        var batch = _db.CreateBatch();
        try
        {
            var roots = new List<(NodeDb Db, Node? Root, string Name)>();
            TreeBuilder? current = null;
            var nextStore = 0;
            foreach (var item in items)
            {
                switch (item)
                {
                    case SnapshotStoreItem store:
                        if (current is not null)
                        {
                            roots.Add((current.Db, current.Finish(), current.Name));
                        }
                        CheckStoreName(store.Name, nextStore, roots);
                        nextStore++;
                        current = new TreeBuilder(new NodeDb(_db, MultiStore.StorePrefix(store.Name), 16), store.Name, _version);
                        break;
                    case SnapshotNodeItem node:
                        if (current is null)
                        {
                            throw new SnapshotImportException(ImportError.NodeBeforeStore, "a node came before any store item");
                        }
                        current.Add(node, batch);
                        if (batch.Count >= BatchLimit)
                        {
                            _db.Write(batch);
                            batch.Dispose();
                            batch = _db.CreateBatch();
                        }
                        break;
                    default:
                        throw new SnapshotImportException(ImportError.Malformed, $"unexpected item {item?.GetType().Name ?? "null"}");
                }
            }
            if (current is not null)
            {
                roots.Add((current.Db, current.Finish(), current.Name));
            }
            if (roots.Count != _names.Count)
            {
                throw new SnapshotImportException(ImportError.MissingStore, $"the items end after {roots.Count} of {_names.Count} stores; missing '{_names[roots.Count]}'");
            }
            var info = new CommitInfo(_version, roots.Select(r => new StoreInfo(r.Name, r.Root?.Hash ?? IavlHashing.EmptyTreeHash)));
            if (expectedAppHash is not null && !info.AppHash.AsSpan().SequenceEqual(expectedAppHash))
            {
                throw new SnapshotImportException(ImportError.AppHashMismatch, $"the rebuilt app hash {Convert.ToHexString(info.AppHash)} is not the expected {Convert.ToHexString(expectedAppHash)}");
            }
            foreach (var (db, root, _) in roots)
            {
                db.PutRoot(batch, _version, root?.Id);
                db.PutMeta(batch, _version, _version);
            }
            finish(batch, info);
            _db.Write(batch);
            return info;
        }
        finally
        {
            batch.Dispose();
        }
    }

    private void CheckStoreName(string name, int index, List<(NodeDb Db, Node? Root, string Name)> seen)
    {
        if (!_names.Contains(name, StringComparer.Ordinal))
        {
            throw new SnapshotImportException(ImportError.UnknownStore, $"store '{name}' is not one of this multistore's ({string.Join(",", _names)})");
        }
        if (seen.Any(s => s.Name == name))
        {
            throw new SnapshotImportException(ImportError.DuplicateStore, $"store '{name}' appears twice");
        }
        if (index >= _names.Count || _names[index] != name)
        {
            throw new SnapshotImportException(ImportError.StoreOutOfOrder, $"store '{name}' came where '{_names[index]}' was due");
        }
    }

    private void DeleteStoreRecords()
    {
        foreach (var name in _names)
        {
            var prefix = MultiStore.StorePrefix(name);
            var end = (byte[])prefix.Clone();
            end[^1]++; // the last prefix byte is a name byte; names are UTF-8, never 0xFF
            while (true)
            {
                using var batch = _db.CreateBatch();
                foreach (var entry in _db.Range(prefix, end).Take(BatchLimit))
                {
                    batch.Delete(entry.Key);
                }
                if (batch.Count == 0)
                {
                    break;
                }
                _db.Write(batch);
            }
        }
    }

    /// <summary>One store's post-order stack: each entry a finished subtree and its smallest key.</summary>
    private sealed class TreeBuilder
    {
        private readonly Stack<(Node Node, byte[] MinKey)> _stack = new();
        private readonly Dictionary<long, uint> _nonces = [];
        private readonly long _version;
        private byte[]? _lastLeafKey;

        public TreeBuilder(NodeDb db, string name, long version)
        {
            Db = db;
            Name = name;
            _version = version;
        }

        public NodeDb Db { get; }

        public string Name { get; }

        public void Add(SnapshotNodeItem item, IWriteBatch batch)
        {
            if (item.Height is < 0 or > MaxHeight)
            {
                throw Refuse(ImportError.HeightOutOfRange, $"height {item.Height} is outside 0..{MaxHeight}");
            }
            if (item.Version < 1 || item.Version > _version)
            {
                throw Refuse(ImportError.VersionOutOfRange, $"node version {item.Version} is outside 1..{_version}");
            }
            if (item.Key is null || item.Key.Length == 0)
            {
                throw Refuse(ImportError.EmptyKey, "a node has an empty key");
            }
            Node node;
            byte[] minKey;
            if (item.IsLeaf)
            {
                if (item.Value is null)
                {
                    throw Refuse(ImportError.LeafWithoutValue, $"leaf {Convert.ToHexString(item.Key)} has no value");
                }
                if (_lastLeafKey is not null && item.Key.AsSpan().SequenceCompareTo(_lastLeafKey) <= 0)
                {
                    throw Refuse(ImportError.KeysNotIncreasing, $"leaf {Convert.ToHexString(item.Key)} does not follow {Convert.ToHexString(_lastLeafKey)}");
                }
                _lastLeafKey = item.Key;
                node = new Node { Key = item.Key, Value = item.Value, Height = 0, Size = 1, Version = item.Version };
                node.Hash = IavlHashing.LeafHash(node.Key, node.Value, node.Version);
                minKey = item.Key;
            }
            else
            {
                if (item.Value is not null)
                {
                    throw Refuse(ImportError.InnerWithValue, $"inner node {Convert.ToHexString(item.Key)} carries a value");
                }
                if (_stack.Count < 2)
                {
                    throw Refuse(ImportError.MissingChildren, $"inner node {Convert.ToHexString(item.Key)} has {_stack.Count} subtrees before it, needs 2");
                }
                var (right, rightMin) = _stack.Pop();
                var (left, leftMin) = _stack.Pop();
                if (item.Height != Math.Max(left.Height, right.Height) + 1)
                {
                    throw Refuse(ImportError.HeightMismatch, $"inner node height {item.Height}, children {left.Height} and {right.Height}");
                }
                if (Math.Abs(left.Height - right.Height) > 1)
                {
                    throw Refuse(ImportError.Unbalanced, $"children's heights {left.Height} and {right.Height} differ by more than one");
                }
                if (left.Version > item.Version || right.Version > item.Version)
                {
                    throw Refuse(ImportError.ChildVersionNewer, $"children of versions {left.Version} and {right.Version} under a node of version {item.Version}");
                }
                if (!item.Key.AsSpan().SequenceEqual(rightMin))
                {
                    throw Refuse(ImportError.InnerKeyMismatch, $"inner key {Convert.ToHexString(item.Key)} is not the right subtree's smallest key {Convert.ToHexString(rightMin)}");
                }
                node = new Node
                {
                    Key = item.Key,
                    Height = item.Height,
                    Size = left.Size + right.Size,
                    Version = item.Version,
                    LeftId = left.Id,
                    LeftHash = left.Hash,
                    LeftHeight = left.Height,
                    LeftSize = left.Size,
                    RightId = right.Id,
                    RightHash = right.Hash,
                    RightHeight = right.Height,
                    RightSize = right.Size,
                };
                node.Hash = IavlHashing.InnerHash(node.Height, node.Size, node.Version, left.Hash, right.Hash);
                minKey = leftMin;
            }
            var nonce = _nonces.GetValueOrDefault(node.Version) + 1;
            _nonces[node.Version] = nonce;
            node.Id = new NodeKey(node.Version, nonce);
            Db.PutNode(batch, node);
            _stack.Push((node, minKey));
        }

        public Node? Finish()
        {
            if (_stack.Count > 1)
            {
                throw Refuse(ImportError.IncompleteTree, $"the nodes end as {_stack.Count} separate subtrees, not one tree");
            }
            return _stack.Count == 1 ? _stack.Pop().Node : null;
        }

        private SnapshotImportException Refuse(ImportError reason, string detail) =>
            new(reason, $"store '{Name}': {detail}");
    }
}
