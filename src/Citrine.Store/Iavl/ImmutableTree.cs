using Citrine.Ics23.Proofs;

namespace Citrine.Store.Iavl;

/// <summary>
/// A saved version of a <see cref="MutableTree"/>: reads, range scans, ICS23 proofs and a full
/// integrity check. Reading a version after it was pruned fails with <see cref="StoreError.MissingNode"/>.
/// </summary>
public sealed class ImmutableTree
{
    private readonly NodeDb _db;
    private readonly Node? _root;

    private ImmutableTree(NodeDb db, long version, Node? root)
    {
        _db = db;
        Version = version;
        _root = root;
    }

    public long Version { get; }

    public long Count => _root?.Size ?? 0;

    internal Node? Root => _root;

    internal NodeDb NodeDb => _db;

    public byte[] RootHash => _root?.Hash is { } h ? (byte[])h.Clone() : IavlHashing.EmptyTreeHash;

    internal static ImmutableTree Open(NodeDb db, long version, long firstVersion, long latestVersion)
    {
        if (version < 1 || version > latestVersion)
        {
            throw new StoreException(StoreError.VersionNotFound, $"version {version} does not exist (latest is {latestVersion})");
        }
        if (version < firstVersion)
        {
            throw new StoreException(StoreError.VersionPruned, $"version {version} was pruned (oldest kept is {firstVersion})");
        }
        if (!db.TryGetRoot(version, out var rootId))
        {
            throw new StoreException(StoreError.VersionPruned, $"version {version} has no root record (pruned)");
        }
        return new ImmutableTree(db, version, rootId is { } id ? db.Load(id) : null);
    }

    public byte[]? Get(ReadOnlySpan<byte> key) => TreeReader.Get(_db, _root, key);

    public bool Has(ReadOnlySpan<byte> key) => Get(key) is not null;

    public IEnumerable<KeyValuePair<byte[], byte[]>> Range(byte[]? start = null, byte[]? end = null) =>
        TreeReader.Range(_db, _root, start, end);

    /// <summary>
    /// An ICS23 proof for <paramref name="key"/>: existence when present, non-existence (its
    /// neighbours) when absent, in the form cosmos/iavl's <c>GetProof</c> produces.
    /// </summary>
    public CommitmentProof GetProof(ReadOnlySpan<byte> key) =>
        Has(key)
            ? new CommitmentProof { Exist = GetExistenceProof(key) }
            : new CommitmentProof { Nonexist = GetNonExistenceProof(key) };

    public ExistenceProof GetExistenceProof(ReadOnlySpan<byte> key) =>
        IavlProofs.Existence(_db, _root, key)
        ?? throw new StoreException(StoreError.ProofUnavailable, $"key {Convert.ToHexString(key)} is not in version {Version}");

    public NonExistenceProof GetNonExistenceProof(ReadOnlySpan<byte> key) => IavlProofs.NonExistence(_db, _root, key, Version);

    /// <summary>
    /// Walks every node of this version: each node must load and decode, each stored child hash
    /// must equal the hash recomputed from the child, heights and sizes must add up, the tree must
    /// be AVL-balanced, keys strictly ordered, and every inner key the smallest key of its right
    /// subtree. Returns the number of nodes; throws <see cref="StoreException"/> on the first fault.
    /// </summary>
    public long Verify()
    {
        if (_root is null)
        {
            return 0;
        }
        var ids = new HashSet<NodeKey>();
        return VerifyNode(_root, null, null, ids).Count;
    }

    /// <summary>Ids of every node reachable from this version's root (for pruning checks).</summary>
    internal IEnumerable<NodeKey> ReachableNodeIds()
    {
        if (_root is null)
        {
            yield break;
        }
        var stack = new Stack<Node>();
        stack.Push(_root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node.Id!.Value;
            if (!node.IsLeaf)
            {
                stack.Push(TreeReader.Left(_db, node));
                stack.Push(TreeReader.Right(_db, node));
            }
        }
    }

    // Returns the subtree's node count and smallest key, so each inner key is checked in O(1).
    private (long Count, byte[] MinKey) VerifyNode(Node node, byte[]? lowInclusive, byte[]? highExclusive, HashSet<NodeKey> seen)
    {
        var id = node.Id!.Value;
        if (!seen.Add(id))
        {
            throw Invariant(node, "node reached twice");
        }
        if (id.Version > Version)
        {
            throw Invariant(node, $"node version {id.Version} is newer than the tree version {Version}");
        }
        if (lowInclusive is not null && node.Key.AsSpan().SequenceCompareTo(lowInclusive) < 0)
        {
            throw Invariant(node, "key below its subtree's lower bound");
        }
        if (highExclusive is not null && node.Key.AsSpan().SequenceCompareTo(highExclusive) >= 0)
        {
            throw Invariant(node, "key at or above its subtree's upper bound");
        }
        if (node.IsLeaf)
        {
            return (1, node.Key);
        }
        var left = TreeReader.Left(_db, node);
        var right = TreeReader.Right(_db, node);
        if (!left.Hash.AsSpan().SequenceEqual(node.LeftHash))
        {
            throw new StoreException(StoreError.HashMismatch, $"node {id}: stored left hash differs from node {left.Id}'s hash");
        }
        if (!right.Hash.AsSpan().SequenceEqual(node.RightHash))
        {
            throw new StoreException(StoreError.HashMismatch, $"node {id}: stored right hash differs from node {right.Id}'s hash");
        }
        if (node.LeftHeight != left.Height || node.LeftSize != left.Size || node.RightHeight != right.Height || node.RightSize != right.Size)
        {
            throw Invariant(node, "stored child height or size differs from the child's");
        }
        if (node.Height != Math.Max(left.Height, right.Height) + 1)
        {
            throw Invariant(node, "height is not 1 + the children's maximum");
        }
        if (Math.Abs(left.Height - right.Height) > 1)
        {
            throw Invariant(node, "children's heights differ by more than one");
        }
        if (node.Size != left.Size + right.Size)
        {
            throw Invariant(node, "size is not the sum of the children's sizes");
        }
        var (leftCount, leftMin) = VerifyNode(left, lowInclusive, node.Key, seen);
        var (rightCount, rightMin) = VerifyNode(right, node.Key, highExclusive, seen);
        if (!rightMin.AsSpan().SequenceEqual(node.Key))
        {
            throw Invariant(node, "inner key is not the smallest key of the right subtree");
        }
        return (1 + leftCount + rightCount, leftMin);
    }

    private static StoreException Invariant(Node node, string what) =>
        new(StoreError.InvariantViolated, $"node {node.Id}: {what}");
}
