using System.Buffers.Binary;
using System.Text;
using Citrine.Crypto.Encoding.Protobuf;
using Citrine.Ics23.Abci;
using Citrine.Ics23.Proofs;
using Citrine.Store.Iavl;
using Citrine.Store.Storage;

namespace Citrine.Store.Multistore;

/// <summary>Options of a <see cref="MultiStore"/>.</summary>
public sealed record MultiStoreOptions
{
    /// <summary>
    /// Cosmos "keep-recent": after committing version h, versions up to h - 1 - KeepRecent are pruned,
    /// so the latest and the KeepRecent before it stay. 0 keeps everything.
    /// </summary>
    public long KeepRecent { get; init; }

    /// <summary>Per-store node cache size.</summary>
    public int CacheSize { get; init; } = 50_000;
}

/// <summary>The answer of <see cref="MultiStore.Query"/>.</summary>
/// <param name="Value">The value, or null when the key is absent.</param>
/// <param name="Version">The version that was read.</param>
/// <param name="AppHash">The app hash of that version, the root the proof leads to.</param>
/// <param name="ProofOps">When asked: [ics23:iavl (key), ics23:simple (store name)], innermost first, as Cosmos abci_query returns them.</param>
public sealed record StoreQueryResult(byte[]? Value, long Version, byte[] AppHash, IReadOnlyList<ProofOp>? ProofOps);

/// <summary>
/// Named IAVL stores committed together, as a Cosmos SDK rootmulti store: one version number for
/// all, and an app hash over the stores' roots (<see cref="CommitInfo"/>). A commit writes every
/// store's new nodes, roots, orphans, the commit info and the metadata in ONE synced batch, so a
/// crash leaves the previous or the new version, never a mix.
/// Layout: store trees under <c>'s' || uvarint(len name) || name</c>; <c>'c' || version(8)</c> commit
/// info; <c>'M'</c> = firstVersion(8) || latestVersion(8).
/// </summary>
public sealed class MultiStore : IDisposable
{
    private const byte CommitTag = (byte)'c';
    private static readonly byte[] MetaKey = "M"u8.ToArray();

    private readonly IKeyValueDb _db;
    private readonly bool _ownsDb;
    private readonly SortedDictionary<string, MutableTree> _stores = new(StringComparer.Ordinal);
    private readonly MultiStoreOptions _options;
    // Versions held by exporters (version -> hold count); pruning stops below the lowest. Pruning and
    // taking a hold are serialised by this lock so a hold never lands on a version being deleted.
    private readonly SortedDictionary<long, int> _holds = [];
    private readonly Lock _holdLock = new();
    private bool _faulted;

    public MultiStore(IKeyValueDb db, IEnumerable<string> storeNames, MultiStoreOptions? options = null, bool ownsDb = false)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(storeNames);
        _db = db;
        _ownsDb = ownsDb;
        _options = options ?? new MultiStoreOptions();
        if (_options.KeepRecent < 0)
        {
            throw new StoreException(StoreError.InvalidArgument, "KeepRecent must be >= 0");
        }
        (FirstVersion, LatestVersion) = ReadMeta();
        foreach (var name in storeNames)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new StoreException(StoreError.InvalidArgument, "store names must not be empty");
            }
            if (_stores.ContainsKey(name))
            {
                throw new StoreException(StoreError.InvalidArgument, $"store name '{name}' appears twice");
            }
            var tree = new MutableTree(db, StorePrefix(name), _options.CacheSize);
            if (tree.Version != LatestVersion)
            {
                throw new StoreException(StoreError.CorruptRecord, $"store '{name}' is at version {tree.Version}, the multistore at {LatestVersion}");
            }
            _stores.Add(name, tree);
        }
        if (_stores.Count == 0)
        {
            throw new StoreException(StoreError.InvalidArgument, "a multistore needs at least one store");
        }
        if (LatestVersion > 0)
        {
            var info = GetCommitInfo(LatestVersion);
            var names = info.Stores.Select(s => s.Name).Order(StringComparer.Ordinal);
            if (!names.SequenceEqual(_stores.Keys, StringComparer.Ordinal))
            {
                throw new StoreException(StoreError.InvalidArgument, $"the stores given ({string.Join(",", _stores.Keys)}) differ from the committed ones ({string.Join(",", names)})");
            }
        }
    }

    /// <summary>Opens a multistore on RocksDB in <paramref name="path"/>.</summary>
    public static MultiStore OpenRocks(string path, IEnumerable<string> storeNames, MultiStoreOptions? options = null)
    {
        var db = RocksKeyValueDb.Open(path);
        try
        {
            return new MultiStore(db, storeNames, options, ownsDb: true);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    public long LatestVersion { get; private set; }

    public long FirstVersion { get; private set; }

    public IEnumerable<string> StoreNames => _stores.Keys;

    /// <summary>The app hash of the latest version (sha256("") stands for "nothing committed yet" only through <see cref="CommitInfo"/>).</summary>
    public byte[] LastAppHash => LatestVersion == 0 ? SimpleMerkle.HashFromItems([]) : GetCommitInfo(LatestVersion).AppHash;

    /// <summary>The working tree of store <paramref name="name"/>.</summary>
    public MutableTree Store(string name)
    {
        EnsureUsable();
        return _stores.TryGetValue(name, out var tree)
            ? tree
            : throw new StoreException(StoreError.UnknownStore, $"no store named '{name}'");
    }

    /// <summary>Commits every store as the next version, atomically and durably; returns the app hash.</summary>
    public byte[] Commit()
    {
        EnsureUsable();
        var version = LatestVersion + 1;
        using var batch = _db.CreateBatch();
        var pending = new List<(MutableTree Tree, PendingVersion Pending)>();
        var infos = new List<StoreInfo>();
        foreach (var (name, tree) in _stores)
        {
            var staged = tree.Stage(batch);
            pending.Add((tree, staged));
            infos.Add(new StoreInfo(name, staged.Hash));
        }
        var info = new CommitInfo(version, infos);
        batch.Put(CommitInfo.VersionKey(CommitTag, version), info.Encode());
        var first = FirstVersion == 0 ? version : FirstVersion;
        batch.Put(MetaKey, EncodeMeta(first, version));
        try
        {
            _db.Write(batch);
        }
        catch (Exception ex)
        {
            _faulted = true;
            foreach (var tree in _stores.Values)
            {
                tree.MarkFaulted();
            }
            throw new StoreException(StoreError.Faulted, $"writing version {version} failed; reopen the store", ex);
        }
        foreach (var (tree, staged) in pending)
        {
            tree.Publish(staged);
        }
        LatestVersion = version;
        FirstVersion = first;
        // Cosmos pruning manager: after committing height h, heights up to h - 1 - keepRecent go.
        var pruneTo = version - 1 - _options.KeepRecent;
        if (_options.KeepRecent > 0 && pruneTo >= FirstVersion)
        {
            PruneTo(pruneTo);
        }
        return info.AppHash;
    }

    /// <summary>
    /// Deletes versions up to and including <paramref name="toVersion"/> in every store, in one synced
    /// batch; when a version at or below it is held (<see cref="HoldVersion"/>), only the versions below
    /// the lowest held one go.
    /// </summary>
    public void PruneTo(long toVersion)
    {
        EnsureUsable();
        if (toVersion >= LatestVersion)
        {
            throw new StoreException(StoreError.InvalidPruning, $"cannot prune to {toVersion}: the latest version {LatestVersion} must be kept");
        }
        lock (_holdLock)
        {
            if (_holds.Count > 0)
            {
                toVersion = Math.Min(toVersion, _holds.Keys.First() - 1);
            }
            if (toVersion < FirstVersion)
            {
                return;
            }
            PruneHeldTo(toVersion);
        }
    }

    /// <summary>
    /// Keeps <paramref name="version"/> from being pruned until the returned handle is disposed, so an
    /// exporter can read it while newer versions are committed. Throws when the version does not exist
    /// or is already pruned.
    /// </summary>
    public IDisposable HoldVersion(long version)
    {
        lock (_holdLock)
        {
            CheckVersion(version);
            _holds[version] = _holds.GetValueOrDefault(version) + 1;
        }
        return new VersionHold(this, version);
    }

    /// <summary>The versions currently held, lowest first (for tests and diagnostics).</summary>
    public IReadOnlyList<long> HeldVersions
    {
        get
        {
            lock (_holdLock)
            {
                return [.. _holds.Keys];
            }
        }
    }

    /// <summary>
    /// Exports every store's tree at <paramref name="version"/> (0 = latest) as snapshot items, holding
    /// the version until the export is disposed (docs/abci.md, "State sync").
    /// </summary>
    public Snapshots.MultiStoreExport Export(long version = 0)
    {
        EnsureUsable();
        var v = version == 0 ? LatestVersion : version;
        var hold = HoldVersion(v);
        try
        {
            return new Snapshots.MultiStoreExport(this, v, GetCommitInfo(v), hold);
        }
        catch
        {
            hold.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Rebuilds an EMPTY multistore at <paramref name="version"/> from exported items; when
    /// <paramref name="expectedAppHash"/> is given the result must commit to it. Either the whole
    /// import lands (the store opens at <paramref name="version"/> = first = latest) or the store stays
    /// empty and <see cref="Snapshots.SnapshotImportException"/> says why.
    /// </summary>
    public CommitInfo Import(long version, IEnumerable<Snapshots.SnapshotItem> items, byte[]? expectedAppHash = null)
    {
        EnsureUsable();
        ArgumentNullException.ThrowIfNull(items);
        var info = new Snapshots.MultiStoreImporter(_db, [.. _stores.Keys], version, LatestVersion != 0 || _stores.Values.Any(t => t.Count != 0))
            .Run(items, expectedAppHash, (batch, commitInfo) =>
            {
                batch.Put(CommitInfo.VersionKey(CommitTag, version), commitInfo.Encode());
                batch.Put(MetaKey, EncodeMeta(version, version));
            });
        foreach (var tree in _stores.Values)
        {
            tree.Reload();
        }
        (FirstVersion, LatestVersion) = ReadMeta();
        return info;
    }

    internal ImmutableTree StoreAt(string name, long version) => Store(name).GetImmutable(version);

    private void Release(long version)
    {
        lock (_holdLock)
        {
            if (_holds.TryGetValue(version, out var count))
            {
                if (count <= 1)
                {
                    _holds.Remove(version);
                }
                else
                {
                    _holds[version] = count - 1;
                }
            }
        }
    }

    private void PruneHeldTo(long toVersion)
    {
        using var batch = _db.CreateBatch();
        var deleted = new List<(MutableTree, List<NodeKey>)>();
        foreach (var tree in _stores.Values)
        {
            deleted.Add((tree, tree.StagePrune(batch, toVersion)));
        }
        for (var v = FirstVersion; v <= toVersion; v++)
        {
            batch.Delete(CommitInfo.VersionKey(CommitTag, v));
        }
        batch.Put(MetaKey, EncodeMeta(toVersion + 1, LatestVersion));
        _db.Write(batch);
        foreach (var (tree, nodes) in deleted)
        {
            tree.CompletePrune(toVersion, nodes);
        }
        FirstVersion = toVersion + 1;
    }

    public CommitInfo GetCommitInfo(long version)
    {
        CheckVersion(version);
        var data = _db.TryGet(CommitInfo.VersionKey(CommitTag, version))
            ?? throw new StoreException(StoreError.VersionPruned, $"commit info of version {version} is missing (pruned)");
        return CommitInfo.Decode(version, data);
    }

    /// <summary>
    /// Reads <paramref name="key"/> from store <paramref name="storeName"/> at <paramref name="version"/>
    /// (0 = latest) and, when <paramref name="prove"/>, the proof chain to the app hash: an IAVL
    /// existence or non-existence proof for the key, then the simple-Merkle proof of the store's root.
    /// </summary>
    public StoreQueryResult Query(string storeName, ReadOnlySpan<byte> key, long version = 0, bool prove = false)
    {
        EnsureUsable();
        var tree = Store(storeName);
        if (version == 0)
        {
            version = LatestVersion;
        }
        var info = GetCommitInfo(version);
        var snapshot = tree.GetImmutable(version);
        var value = snapshot.Get(key);
        if (!prove)
        {
            return new StoreQueryResult(value, version, info.AppHash, null);
        }
        var iavl = snapshot.GetProof(key);
        var simple = new CommitmentProof { Exist = info.ProofFor(storeName) };
        ProofOp[] ops =
        [
            new ProofOp(ProofOps.IavlType, key.ToArray(), ProofCodec.Encode(iavl)),
            new ProofOp(ProofOps.SimpleType, Encoding.UTF8.GetBytes(storeName), ProofCodec.Encode(simple)),
        ];
        return new StoreQueryResult(value, version, info.AppHash, ops);
    }

    public void Dispose()
    {
        if (_ownsDb)
        {
            _db.Dispose();
        }
    }

    internal static byte[] StorePrefix(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        var prefix = new byte[1 + Varint.MaxLength + bytes.Length];
        prefix[0] = (byte)'s';
        var n = 1 + Varint.WriteUnsigned(prefix.AsSpan(1), (ulong)bytes.Length);
        bytes.CopyTo(prefix, n);
        return prefix.AsSpan(0, n + bytes.Length).ToArray();
    }

    private void CheckVersion(long version)
    {
        if (version < 1 || version > LatestVersion)
        {
            throw new StoreException(StoreError.VersionNotFound, $"version {version} does not exist (latest is {LatestVersion})");
        }
        if (version < FirstVersion)
        {
            throw new StoreException(StoreError.VersionPruned, $"version {version} was pruned (oldest kept is {FirstVersion})");
        }
    }

    private (long First, long Latest) ReadMeta()
    {
        var data = _db.TryGet(MetaKey);
        if (data is null)
        {
            return (0, 0);
        }
        if (data.Length != 16)
        {
            throw new StoreException(StoreError.CorruptRecord, $"multistore metadata has {data.Length} bytes, expected 16");
        }
        var first = BinaryPrimitives.ReadInt64BigEndian(data);
        var latest = BinaryPrimitives.ReadInt64BigEndian(data.AsSpan(8));
        if (first < 1 || latest < first)
        {
            throw new StoreException(StoreError.CorruptRecord, $"multistore metadata is inconsistent: first {first}, latest {latest}");
        }
        return (first, latest);
    }

    private static byte[] EncodeMeta(long first, long latest)
    {
        var value = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(value, first);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(8), latest);
        return value;
    }

    private sealed class VersionHold(MultiStore store, long version) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                store.Release(version);
            }
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
