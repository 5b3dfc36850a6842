namespace Citrine.Ics23.Proofs;

/// <summary>Proves that <see cref="Key"/> maps to <see cref="Value"/> under some root (ICS23 <c>ExistenceProof</c>).</summary>
public sealed record ExistenceProof
{
    public ReadOnlyMemory<byte> Key { get; init; }

    public ReadOnlyMemory<byte> Value { get; init; }

    /// <summary>The leaf step; null when the encoded proof had none (rejected by verification).</summary>
    public LeafOp? Leaf { get; init; }

    /// <summary>Inner steps from the leaf up to the root.</summary>
    public IReadOnlyList<InnerOp> Path { get; init; } = [];
}

/// <summary>
/// Proves that <see cref="Key"/> is absent: the existence of its neighbours, with nothing between
/// them (ICS23 <c>NonExistenceProof</c>). Either side may be missing at the edge of the tree.
/// </summary>
public sealed record NonExistenceProof
{
    public ReadOnlyMemory<byte> Key { get; init; }

    public ExistenceProof? Left { get; init; }

    public ExistenceProof? Right { get; init; }
}

/// <summary>One entry of a batch: an existence or a non-existence proof (ICS23 <c>BatchEntry</c>).</summary>
public sealed record BatchEntry
{
    public ExistenceProof? Exist { get; init; }

    public NonExistenceProof? Nonexist { get; init; }
}

/// <summary>Several proofs against the same root (ICS23 <c>BatchProof</c>).</summary>
public sealed record BatchProof
{
    public IReadOnlyList<BatchEntry> Entries { get; init; } = [];
}

/// <summary>An existence proof whose inner steps are indices into a shared lookup table.</summary>
public sealed record CompressedExistenceProof
{
    public ReadOnlyMemory<byte> Key { get; init; }

    public ReadOnlyMemory<byte> Value { get; init; }

    public LeafOp? Leaf { get; init; }

    public IReadOnlyList<int> Path { get; init; } = [];
}

/// <summary>A non-existence proof made of compressed neighbours.</summary>
public sealed record CompressedNonExistenceProof
{
    public ReadOnlyMemory<byte> Key { get; init; }

    public CompressedExistenceProof? Left { get; init; }

    public CompressedExistenceProof? Right { get; init; }
}

/// <summary>One compressed batch entry.</summary>
public sealed record CompressedBatchEntry
{
    public CompressedExistenceProof? Exist { get; init; }

    public CompressedNonExistenceProof? Nonexist { get; init; }
}

/// <summary>A batch whose repeated inner steps are stored once in <see cref="LookupInners"/> (ICS23 <c>CompressedBatchProof</c>).</summary>
public sealed record CompressedBatchProof
{
    public IReadOnlyList<CompressedBatchEntry> Entries { get; init; } = [];

    public IReadOnlyList<InnerOp> LookupInners { get; init; } = [];
}

/// <summary>Which member of the <c>CommitmentProof.proof</c> oneof is set.</summary>
public enum CommitmentProofKind
{
    None = 0,
    Exist = 1,
    Nonexist = 2,
    Batch = 3,
    Compressed = 4,
}

/// <summary>The top-level ICS23 proof: exactly one of its members is set (ICS23 <c>CommitmentProof</c>, oneof fields 1..4).</summary>
public sealed record CommitmentProof
{
    public ExistenceProof? Exist { get; init; }

    public NonExistenceProof? Nonexist { get; init; }

    public BatchProof? Batch { get; init; }

    public CompressedBatchProof? Compressed { get; init; }

    public CommitmentProofKind Kind =>
        Exist is not null ? CommitmentProofKind.Exist
        : Nonexist is not null ? CommitmentProofKind.Nonexist
        : Batch is not null ? CommitmentProofKind.Batch
        : Compressed is not null ? CommitmentProofKind.Compressed
        : CommitmentProofKind.None;
}
