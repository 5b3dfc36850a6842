using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;

namespace Citrine.Ics23.Verification;

/// <summary>
/// Checks that a proof has the exact shape its spec allows (ICS23 CheckAgainstSpec for
/// ExistenceProof, LeafOp and InnerOp, with the IAVL and Tendermint specific prefix rules).
/// Each check throws <see cref="Ics23VerificationException"/> with its own code, in the order the
/// reference implementation applies them.
/// </summary>
public static class SpecChecks
{
    /// <summary>Default bound on the number of inner steps when the spec sets none (ICS23 reference: 128).</summary>
    public const int DefaultMaxDepth = 128;

    public static void CheckExistence(ExistenceProof proof, ProofSpec spec)
    {
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(spec);
        var leaf = proof.Leaf ?? throw new Ics23VerificationException(Ics23Error.MissingLeafOp, "existence proof needs a defined leaf op");
        CheckLeaf(leaf, spec);
        var depth = proof.Path.Count;
        if (spec.MinDepth > 0 && depth < spec.MinDepth)
        {
            throw new Ics23VerificationException(Ics23Error.PathTooShort, $"inner ops depth too short: {depth} < {spec.MinDepth}");
        }
        var maxDepth = spec.MaxDepth == 0 ? DefaultMaxDepth : spec.MaxDepth;
        if (depth > maxDepth)
        {
            throw new Ics23VerificationException(Ics23Error.PathTooLong, $"inner ops depth too long: {depth} > {maxDepth}");
        }
        for (var i = 0; i < depth; i++)
        {
            CheckInner(proof.Path[i], spec, i + 1);
        }
    }

    /// <summary>The leaf must use exactly the spec's operations and start with its prefix.</summary>
    public static void CheckLeaf(LeafOp leaf, ProofSpec spec)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(spec);
        var leafSpec = spec.LeafSpec ?? throw new Ics23VerificationException(Ics23Error.MissingLeafSpec, "spec has no leaf spec");
        if (ProofSpecs.SpecEquals(spec, ProofSpecs.Iavl))
        {
            ValidateIavlPrefix(leaf.Prefix.Span, 0);
        }
        if (leaf.Hash != leafSpec.Hash)
        {
            throw new Ics23VerificationException(Ics23Error.LeafHashOpMismatch, $"leaf: unexpected hash op {leaf.Hash}, spec requires {leafSpec.Hash}");
        }
        if (leaf.PrehashKey != leafSpec.PrehashKey)
        {
            throw new Ics23VerificationException(Ics23Error.LeafPrehashKeyMismatch, $"leaf: unexpected prehash key {leaf.PrehashKey}, spec requires {leafSpec.PrehashKey}");
        }
        if (leaf.PrehashValue != leafSpec.PrehashValue)
        {
            throw new Ics23VerificationException(Ics23Error.LeafPrehashValueMismatch, $"leaf: unexpected prehash value {leaf.PrehashValue}, spec requires {leafSpec.PrehashValue}");
        }
        if (leaf.Length != leafSpec.Length)
        {
            throw new Ics23VerificationException(Ics23Error.LeafLengthOpMismatch, $"leaf: unexpected length op {leaf.Length}, spec requires {leafSpec.Length}");
        }
        if (!leaf.Prefix.Span.StartsWith(leafSpec.Prefix.Span))
        {
            throw new Ics23VerificationException(Ics23Error.LeafPrefixMismatch, $"leaf: prefix does not start with {Convert.ToHexString(leafSpec.Prefix.Span)}");
        }
    }

    /// <summary>An inner step at <paramref name="layer"/> (1 = just above the leaf) must fit the spec's layout.</summary>
    public static void CheckInner(InnerOp op, ProofSpec spec, int layer)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(spec);
        var inner = spec.InnerSpec ?? throw new Ics23VerificationException(Ics23Error.MissingInnerSpec, "spec has no inner spec");
        var leafSpec = spec.LeafSpec ?? throw new Ics23VerificationException(Ics23Error.MissingLeafSpec, "spec has no leaf spec");
        if (op.Hash != inner.Hash)
        {
            throw new Ics23VerificationException(Ics23Error.InnerHashOpMismatch, $"inner op {layer}: unexpected hash op {op.Hash}, spec requires {inner.Hash}");
        }
        if (ProofSpecs.SpecEquals(spec, ProofSpecs.Iavl))
        {
            ValidateIavlPrefix(op.Prefix.Span, layer);
        }
        if (ProofSpecs.SpecEquals(spec, ProofSpecs.Tendermint))
        {
            ValidateTendermintPrefix(op, layer);
        }
        var prefix = op.Prefix.Span;
        // Domain separation: an inner node must never be readable as a leaf (second-preimage attack).
        if (prefix.StartsWith(leafSpec.Prefix.Span))
        {
            throw new Ics23VerificationException(Ics23Error.InnerPrefixStartsWithLeafPrefix, $"inner op {layer}: prefix starts with the leaf prefix {Convert.ToHexString(leafSpec.Prefix.Span)}");
        }
        if (prefix.Length < inner.MinPrefixLength)
        {
            throw new Ics23VerificationException(Ics23Error.InnerPrefixTooShort, $"inner op {layer}: prefix too short ({prefix.Length} < {inner.MinPrefixLength})");
        }
        var maxLeftChildBytes = ((long)inner.ChildOrder.Count - 1) * inner.ChildSize;
        if (prefix.Length > inner.MaxPrefixLength + maxLeftChildBytes)
        {
            throw new Ics23VerificationException(Ics23Error.InnerPrefixTooLong, $"inner op {layer}: prefix too long ({prefix.Length} > {inner.MaxPrefixLength + maxLeftChildBytes})");
        }
        if (inner.ChildSize <= 0)
        {
            throw new Ics23VerificationException(Ics23Error.SpecChildSizeInvalid, $"spec child size must be >= 1, is {inner.ChildSize}");
        }
        if ((long)inner.MaxPrefixLength >= (long)inner.MinPrefixLength + inner.ChildSize)
        {
            throw new Ics23VerificationException(Ics23Error.SpecPrefixLengthsInvalid, "spec max prefix length must be < min prefix length + child size");
        }
        // Soundness: the suffix holds whole siblings only.
        if (op.Suffix.Length % inner.ChildSize != 0)
        {
            throw new Ics23VerificationException(Ics23Error.InnerSuffixMalformed, $"inner op {layer}: suffix length {op.Suffix.Length} is not a multiple of the child size {inner.ChildSize}");
        }
    }

    /// <summary>
    /// IAVL node prefixes begin with zig-zag varints height, size, version (ICS23 validateIavlOps).
    /// Leaves (layer 0): height 0, size 1, nothing after. Inner nodes: height at least the layer,
    /// then 1 byte (length of a right-hand sibling) or 34 bytes (length, left sibling, length).
    /// </summary>
    public static void ValidateIavlPrefix(ReadOnlySpan<byte> prefix, int layer)
    {
        var position = 0;
        var height = ReadZigZagVarint(prefix, ref position, "height");
        if (height < 0 || height < layer)
        {
            throw new Ics23VerificationException(Ics23Error.IavlHeightTooLow, $"IAVL height ({height}) must be non-negative and at least the layer number ({layer})");
        }
        var size = ReadZigZagVarint(prefix, ref position, "size");
        if (size < 0)
        {
            throw new Ics23VerificationException(Ics23Error.IavlSizeNegative, $"IAVL size ({size}) must be non-negative");
        }
        var version = ReadZigZagVarint(prefix, ref position, "version");
        if (version < 0)
        {
            throw new Ics23VerificationException(Ics23Error.IavlVersionNegative, $"IAVL version ({version}) must be non-negative");
        }
        var remaining = prefix.Length - position;
        if (layer == 0)
        {
            if (remaining != 0)
            {
                throw new Ics23VerificationException(Ics23Error.IavlLeafPrefixRemainder, $"IAVL leaf prefix has {remaining} bytes after height, size and version");
            }
            if (height != 0)
            {
                throw new Ics23VerificationException(Ics23Error.IavlLeafHeightNotZero, $"IAVL leaf height must be 0, is {height}");
            }
            if (size != 1)
            {
                throw new Ics23VerificationException(Ics23Error.IavlLeafSizeNotOne, $"IAVL leaf size must be 1, is {size}");
            }
        }
        // The reference also requires SHA-256 for IAVL inner ops; that is already enforced by the
        // inner hash check, since only a spec whose inner hash is SHA-256 equals IavlSpec.
        else if (remaining != 1 && remaining != 34)
        {
            throw new Ics23VerificationException(Ics23Error.IavlInnerPrefixRemainder, $"IAVL inner prefix remainder must be 1 or 34 bytes, is {remaining}");
        }
    }

    /// <summary>CometBFT inner nodes are 0x01 || left || right: the prefix starts with 0x01 and is exactly 0x01 when a right sibling follows.</summary>
    private static void ValidateTendermintPrefix(InnerOp op, int layer)
    {
        var prefix = op.Prefix.Span;
        if (prefix.IsEmpty)
        {
            throw new Ics23VerificationException(Ics23Error.TendermintInnerPrefixEmpty, $"inner op {layer}: prefix must not be empty");
        }
        if (prefix[0] != 1 || (!op.Suffix.IsEmpty && prefix.Length != 1))
        {
            throw new Ics23VerificationException(Ics23Error.TendermintInnerPrefixInvalid, $"inner op {layer}: prefix {Convert.ToHexString(prefix)} is not a Tendermint inner prefix (0x01, followed by the left sibling only when the suffix is empty)");
        }
    }

    /// <summary>Go's binary.ReadVarint: an unsigned varint of at most 10 bytes, zig-zag decoded.</summary>
    private static long ReadZigZagVarint(ReadOnlySpan<byte> data, ref int position, string what)
    {
        ulong value = 0;
        for (var i = 0; i < 10; i++)
        {
            if (position >= data.Length)
            {
                throw new Ics23VerificationException(Ics23Error.IavlVarintMalformed, $"IAVL {what} varint is truncated");
            }
            var b = data[position++];
            if (i == 9 && b > 1)
            {
                throw new Ics23VerificationException(Ics23Error.IavlVarintMalformed, $"IAVL {what} varint overflows 64 bits");
            }
            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                return (long)(value >> 1) ^ -(long)(value & 1);
            }
        }
        throw new Ics23VerificationException(Ics23Error.IavlVarintMalformed, $"IAVL {what} varint overflows 64 bits");
    }
}
