namespace Citrine.Ics23.Proofs;

/// <summary>
/// The first step of an existence proof: <c>hash(prefix || length(prehash_key(key)) || length(prehash_value(value)))</c>
/// (ICS23 <c>LeafOp</c>, fields 1..5).
/// </summary>
public sealed record LeafOp
{
    public HashOp Hash { get; init; }

    public HashOp PrehashKey { get; init; }

    public HashOp PrehashValue { get; init; }

    public LengthOp Length { get; init; }

    public ReadOnlyMemory<byte> Prefix { get; init; }
}

/// <summary>One step towards the root: <c>hash(prefix || child || suffix)</c> (ICS23 <c>InnerOp</c>, fields 1..3).</summary>
public sealed record InnerOp
{
    public HashOp Hash { get; init; }

    public ReadOnlyMemory<byte> Prefix { get; init; }

    public ReadOnlyMemory<byte> Suffix { get; init; }
}
