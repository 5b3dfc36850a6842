namespace Citrine.Store.Iavl;

/// <summary>
/// One IAVL node. A leaf (height 0) holds a key and value; an inner node holds the smallest key of
/// its right subtree and two children. Persisted nodes (<see cref="Id"/> set) are immutable and
/// reference their children by id and hash; new nodes of the working tree hold child pointers.
/// </summary>
internal sealed class Node
{
    public required byte[] Key { get; set; }

    public byte[]? Value { get; set; }

    public int Height { get; set; }

    public long Size { get; set; }

    /// <summary>The version this node belongs to: the version that created it, hashed into it.</summary>
    public long Version { get; set; }

    public NodeKey? Id { get; set; }

    public byte[]? Hash { get; set; }

    public Node? LeftNode { get; set; }

    public Node? RightNode { get; set; }

    public NodeKey? LeftId { get; set; }

    public NodeKey? RightId { get; set; }

    public byte[]? LeftHash { get; set; }

    public byte[]? RightHash { get; set; }

    /// <summary>Height and size of the children, kept so that rebalancing need not load a sibling.</summary>
    public int LeftHeight { get; set; }

    public long LeftSize { get; set; }

    public int RightHeight { get; set; }

    public long RightSize { get; set; }

    public bool IsLeaf => Height == 0;

    public bool IsPersisted => Id.HasValue;

    public static Node NewLeaf(byte[] key, byte[] value, long version) =>
        new() { Key = key, Value = value, Height = 0, Size = 1, Version = version };

    /// <summary>A new, unpersisted copy that the working tree may modify.</summary>
    public Node CloneForWrite(long version) => new()
    {
        Key = Key,
        Value = Value,
        Height = Height,
        Size = Size,
        Version = version,
        LeftNode = LeftNode,
        RightNode = RightNode,
        LeftId = LeftId,
        RightId = RightId,
        LeftHash = LeftHash,
        RightHash = RightHash,
        LeftHeight = LeftHeight,
        LeftSize = LeftSize,
        RightHeight = RightHeight,
        RightSize = RightSize,
    };

    public void SetLeft(Node child)
    {
        LeftNode = child;
        LeftId = child.Id;
        LeftHash = child.IsPersisted ? child.Hash : null;
        LeftHeight = child.Height;
        LeftSize = child.Size;
    }

    public void SetRight(Node child)
    {
        RightNode = child;
        RightId = child.Id;
        RightHash = child.IsPersisted ? child.Hash : null;
        RightHeight = child.Height;
        RightSize = child.Size;
    }
}
