namespace Citrine.Store.Iavl;

/// <summary>Read operations over a tree rooted at a node, loading persisted children on demand.</summary>
internal static class TreeReader
{
    public static Node Left(NodeDb db, Node node) =>
        node.LeftNode ?? db.Load(node.LeftId ?? throw MissingChild(node, "left"));

    public static Node Right(NodeDb db, Node node) =>
        node.RightNode ?? db.Load(node.RightId ?? throw MissingChild(node, "right"));

    public static byte[]? Get(NodeDb db, Node? root, ReadOnlySpan<byte> key)
    {
        var node = root;
        if (node is null)
        {
            return null;
        }
        while (!node.IsLeaf)
        {
            node = key.SequenceCompareTo(node.Key) < 0 ? Left(db, node) : Right(db, node);
        }
        return key.SequenceEqual(node.Key) ? node.Value : null;
    }

    /// <summary>
    /// The index the key has (found) or would have (not found) among the sorted keys, as iavl's
    /// <c>GetWithIndex</c>.
    /// </summary>
    public static (long Index, byte[]? Value) GetWithIndex(NodeDb db, Node? root, ReadOnlySpan<byte> key)
    {
        if (root is null)
        {
            return (0, null);
        }
        var node = root;
        long index = 0;
        while (!node.IsLeaf)
        {
            if (key.SequenceCompareTo(node.Key) < 0)
            {
                node = Left(db, node);
            }
            else
            {
                index += node.LeftSize;
                node = Right(db, node);
            }
        }
        var cmp = key.SequenceCompareTo(node.Key);
        if (cmp == 0)
        {
            return (index, node.Value);
        }
        return (cmp < 0 ? index : index + 1, null);
    }

    public static Node GetLeafByIndex(NodeDb db, Node root, long index)
    {
        var node = root;
        while (!node.IsLeaf)
        {
            if (index < node.LeftSize)
            {
                node = Left(db, node);
            }
            else
            {
                index -= node.LeftSize;
                node = Right(db, node);
            }
        }
        return node;
    }

    /// <summary>Leaves in key order between <paramref name="start"/> (inclusive) and <paramref name="end"/> (exclusive); null bounds are open.</summary>
    public static IEnumerable<KeyValuePair<byte[], byte[]>> Range(NodeDb db, Node? root, byte[]? start, byte[]? end)
    {
        if (root is null)
        {
            yield break;
        }
        var stack = new Stack<Node>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node.IsLeaf)
            {
                if ((start is null || node.Key.AsSpan().SequenceCompareTo(start) >= 0)
                    && (end is null || node.Key.AsSpan().SequenceCompareTo(end) < 0))
                {
                    yield return new(node.Key, node.Value!);
                }
                continue;
            }
            // Inner key = smallest key of the right subtree: skip subtrees outside the range.
            var visitRight = end is null || node.Key.AsSpan().SequenceCompareTo(end) < 0;
            var visitLeft = start is null || start.AsSpan().SequenceCompareTo(node.Key) < 0;
            if (visitRight)
            {
                stack.Push(Right(db, node));
            }
            if (visitLeft)
            {
                stack.Push(Left(db, node));
            }
        }
    }

    /// <summary>The inner nodes from the root down to the leaf holding <paramref name="key"/> and that leaf; null when absent.</summary>
    public static (List<(Node Inner, bool WentLeft)> Path, Node Leaf)? PathToLeaf(NodeDb db, Node? root, ReadOnlySpan<byte> key)
    {
        if (root is null)
        {
            return null;
        }
        var path = new List<(Node, bool)>();
        var node = root;
        while (!node.IsLeaf)
        {
            var goLeft = key.SequenceCompareTo(node.Key) < 0;
            path.Add((node, goLeft));
            node = goLeft ? Left(db, node) : Right(db, node);
        }
        return key.SequenceEqual(node.Key) ? (path, node) : null;
    }

    private static StoreException MissingChild(Node node, string side) =>
        new(StoreError.CorruptRecord, $"inner node {node.Id?.ToString() ?? "(new)"} has no {side} child");
}
