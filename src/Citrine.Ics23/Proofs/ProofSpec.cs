namespace Citrine.Ics23.Proofs;

/// <summary>
/// The shape every proof for one kind of tree must have (ICS23 <c>ProofSpec</c>, fields 1..5):
/// the exact leaf operation, the inner node layout and depth limits.
/// </summary>
public sealed record ProofSpec
{
    /// <summary>The leaf operation every proof must use; its prefix must begin the proof's leaf prefix.</summary>
    public LeafOp? LeafSpec { get; init; }

    public InnerSpec? InnerSpec { get; init; }

    /// <summary>Maximum number of inner steps; 0 means the ICS23 default of 128.</summary>
    public int MaxDepth { get; init; }

    /// <summary>Minimum number of inner steps; 0 means no minimum.</summary>
    public int MinDepth { get; init; }

    /// <summary>Compare keys by their prehash (SMT): the tree is ordered by hashed keys.</summary>
    public bool PrehashKeyBeforeComparison { get; init; }
}

/// <summary>The layout of inner nodes (ICS23 <c>InnerSpec</c>, fields 1..6).</summary>
public sealed record InnerSpec
{
    /// <summary>The order in which children are hashed, e.g. [0, 1] for a binary tree.</summary>
    public IReadOnlyList<int> ChildOrder { get; init; } = [];

    /// <summary>Bytes each sibling occupies in a prefix or suffix.</summary>
    public int ChildSize { get; init; }

    public int MinPrefixLength { get; init; }

    public int MaxPrefixLength { get; init; }

    /// <summary>The placeholder hash of an empty subtree (sparse trees); empty when the tree has none.</summary>
    public ReadOnlyMemory<byte> EmptyChild { get; init; }

    public HashOp Hash { get; init; }
}
