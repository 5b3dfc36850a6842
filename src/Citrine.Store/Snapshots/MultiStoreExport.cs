using Citrine.Store.Iavl;
using Citrine.Store.Multistore;

namespace Citrine.Store.Snapshots;

/// <summary>
/// An export of a multistore at one committed version (<see cref="MultiStore.Export"/>): the version
/// stays held against pruning until this is disposed. <see cref="Items"/> streams the stores in the
/// sorted order of their names, each as a <see cref="SnapshotStoreItem"/> then its nodes in
/// post-order, loading nodes as it goes without adding them to the node cache (memory: the tree's height, not its size), so it may run on
/// another thread while the store commits newer versions.
/// </summary>
public sealed class MultiStoreExport : IDisposable
{
    private readonly MultiStore _store;
    private readonly IDisposable _hold;
    private bool _disposed;

    internal MultiStoreExport(MultiStore store, long version, CommitInfo info, IDisposable hold)
    {
        _store = store;
        Version = version;
        CommitInfo = info;
        _hold = hold;
    }

    public long Version { get; }

    public CommitInfo CommitInfo { get; }

    public byte[] AppHash => CommitInfo.AppHash;

    /// <summary>The items; each enumeration walks the trees again.</summary>
    public IEnumerable<SnapshotItem> Items()
    {
        foreach (var name in _store.StoreNames.ToList())
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            yield return new SnapshotStoreItem(name);
            var tree = _store.Store(name).GetImmutable(Version);
            foreach (var item in PostOrder(tree))
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                yield return item;
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _hold.Dispose();
    }

    private static IEnumerable<SnapshotNodeItem> PostOrder(ImmutableTree tree)
    {
        if (tree.Root is not { } root)
        {
            yield break;
        }
        var db = tree.NodeDb;
        // (node, children pushed): a node is emitted the second time it is on top.
        var stack = new Stack<(Node Node, bool Expanded)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (node, expanded) = stack.Pop();
            if (node.IsLeaf || expanded)
            {
                yield return new SnapshotNodeItem(node.Key, node.IsLeaf ? node.Value : null, node.Version, node.Height);
                continue;
            }
            stack.Push((node, true));
            stack.Push((node.RightNode ?? db.LoadWithoutCaching(node.RightId!.Value), false));
            stack.Push((node.LeftNode ?? db.LoadWithoutCaching(node.LeftId!.Value), false));
        }
    }
}
