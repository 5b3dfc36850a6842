namespace Citrine.Store.Snapshots;

/// <summary>
/// One item of a multistore export: a <see cref="SnapshotStoreItem"/> opens a store, then the
/// store's IAVL nodes follow in post-order as <see cref="SnapshotNodeItem"/>s (the shape of
/// cosmos/iavl's exporter).
/// </summary>
public abstract record SnapshotItem;

/// <summary>Starts the nodes of store <paramref name="Name"/>.</summary>
public sealed record SnapshotStoreItem(string Name) : SnapshotItem;

/// <summary>
/// One node: for a leaf (height 0) its key and value; for an inner node its key (the smallest key of
/// its right subtree) and no value. <paramref name="Version"/> is the version that created the node,
/// which its hash commits to.
/// </summary>
public sealed record SnapshotNodeItem(byte[] Key, byte[]? Value, long Version, int Height) : SnapshotItem
{
    public bool IsLeaf => Height == 0;
}
