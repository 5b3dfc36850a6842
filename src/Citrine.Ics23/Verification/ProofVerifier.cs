using Citrine.Ics23.Proofs;

namespace Citrine.Ics23.Verification;

/// <summary>
/// ICS23 membership and non-membership verification (ICS23 VerifyMembership /
/// VerifyNonMembership). Pure: no I/O, no clock. Every rejected proof yields a verdict naming the
/// check that failed.
/// </summary>
public static class ProofVerifier
{
    /// <summary>Verifies that <paramref name="key"/> maps to <paramref name="value"/> under <paramref name="root"/>.</summary>
    public static Ics23Verdict VerifyMembership(ProofSpec spec, ReadOnlySpan<byte> root, CommitmentProof proof, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(proof);
        try
        {
            var exist = FindExistence(proof, key);
            return Ics23Verdict.Valid(VerifyExistence(exist, spec, root, key, value, hasRoot: true));
        }
        catch (Ics23VerificationException e)
        {
            return Ics23Verdict.From(e);
        }
    }

    /// <summary>Verifies that <paramref name="key"/> is absent under <paramref name="root"/>.</summary>
    public static Ics23Verdict VerifyNonMembership(ProofSpec spec, ReadOnlySpan<byte> root, CommitmentProof proof, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(proof);
        try
        {
            var nonexist = FindNonExistence(proof, spec, key);
            return Ics23Verdict.Valid(VerifyNonExistence(nonexist, spec, root, key, hasRoot: true));
        }
        catch (Ics23VerificationException e)
        {
            return Ics23Verdict.From(e);
        }
    }

    /// <summary>
    /// Checks an existence proof completely and returns the root it commits to; with
    /// <paramref name="hasRoot"/> the root must also equal <paramref name="root"/>.
    /// Throws <see cref="Ics23VerificationException"/> on the first failed check.
    /// </summary>
    public static byte[] VerifyExistence(ExistenceProof proof, ProofSpec spec, ReadOnlySpan<byte> root, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool hasRoot)
    {
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(spec);
        SpecChecks.CheckExistence(proof, spec);
        if (!key.SequenceEqual(proof.Key.Span))
        {
            throw new Ics23VerificationException(Ics23Error.KeyMismatch, "provided key doesn't match the proof");
        }
        if (!value.SequenceEqual(proof.Value.Span))
        {
            throw new Ics23VerificationException(Ics23Error.ValueMismatch, "provided value doesn't match the proof");
        }
        var calculated = Calculate(proof, spec);
        if (hasRoot && !root.SequenceEqual(calculated))
        {
            throw new Ics23VerificationException(Ics23Error.RootMismatch, $"calculated root {Convert.ToHexString(calculated)} doesn't match the provided root {Convert.ToHexString(root)}");
        }
        return calculated;
    }

    /// <summary>
    /// Checks a non-existence proof completely and returns the root it commits to. Both
    /// neighbours must be valid under the same root, bracket the key (compared by prehash when the
    /// spec orders by hashed keys) and be adjacent leaves, or be the edge of the tree.
    /// </summary>
    public static byte[] VerifyNonExistence(NonExistenceProof proof, ProofSpec spec, ReadOnlySpan<byte> root, ReadOnlySpan<byte> key, bool hasRoot)
    {
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(spec);
        byte[]? calculated = null;
        if (proof.Left is { } left)
        {
            calculated = VerifyExistence(left, spec, root, left.Key.Span, left.Value.Span, hasRoot);
        }
        if (proof.Right is { } right)
        {
            // Without a given root, both neighbours must still commit to the same one.
            var expected = hasRoot ? root : calculated;
            calculated = VerifyExistence(right, spec, expected, right.Key.Span, right.Value.Span, hasRoot || calculated is not null);
        }
        if (calculated is null)
        {
            throw new Ics23VerificationException(Ics23Error.NeighborsMissing, "both left and right proofs are missing");
        }
        var inner = spec.InnerSpec ?? throw new Ics23VerificationException(Ics23Error.MissingInnerSpec, "spec has no inner spec");
        var comparable = KeyForComparison(spec, key);
        if (proof.Right is not null && comparable.AsSpan().SequenceCompareTo(KeyForComparison(spec, proof.Right.Key.Span)) >= 0)
        {
            throw new Ics23VerificationException(Ics23Error.KeyNotLeftOfRightNeighbor, "key is not left of the right proof");
        }
        if (proof.Left is not null && comparable.AsSpan().SequenceCompareTo(KeyForComparison(spec, proof.Left.Key.Span)) <= 0)
        {
            throw new Ics23VerificationException(Ics23Error.KeyNotRightOfLeftNeighbor, "key is not right of the left proof");
        }
        if (proof.Left is null)
        {
            if (!Neighbors.IsLeftMost(inner, proof.Right!.Path))
            {
                throw new Ics23VerificationException(Ics23Error.RightNeighborNotLeftMost, "left proof missing, so the right proof must be left-most");
            }
        }
        else if (proof.Right is null)
        {
            if (!Neighbors.IsRightMost(inner, proof.Left.Path))
            {
                throw new Ics23VerificationException(Ics23Error.LeftNeighborNotRightMost, "right proof missing, so the left proof must be right-most");
            }
        }
        else if (!Neighbors.IsLeftNeighbor(inner, proof.Left.Path, proof.Right.Path))
        {
            throw new Ics23VerificationException(Ics23Error.NotNeighbors, "left and right proofs are not neighbours");
        }
        return calculated;
    }

    /// <summary>
    /// The root an existence proof commits to, without spec checks (ICS23 Calculate). With a spec,
    /// also enforces that no intermediate hash is longer than a child (for child sizes of 32+).
    /// </summary>
    public static byte[] Calculate(ExistenceProof proof, ProofSpec? spec = null)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var leaf = proof.Leaf ?? throw new Ics23VerificationException(Ics23Error.MissingLeafOp, "existence proof needs a defined leaf op");
        var hash = HashOps.ApplyLeaf(leaf, proof.Key.Span, proof.Value.Span);
        var childSize = spec?.InnerSpec?.ChildSize ?? 0;
        for (var i = 0; i < proof.Path.Count; i++)
        {
            hash = HashOps.ApplyInner(proof.Path[i], hash);
            if (spec is not null && childSize >= 32 && hash.Length > childSize)
            {
                throw new Ics23VerificationException(Ics23Error.InnerResultTooLong, $"inner op {i + 1}: result of {hash.Length} bytes exceeds the child size {childSize}");
            }
        }
        return hash;
    }

    /// <summary>The root a commitment proof commits to (the first existence proof it contains).</summary>
    public static byte[] Calculate(CommitmentProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var plain = Decompression.Decompress(proof);
        if (plain.Exist is { } exist)
        {
            return Calculate(exist);
        }
        if (plain.Nonexist is { } nonexist)
        {
            return CalculateNonExistence(nonexist);
        }
        if (plain.Batch is { Entries.Count: > 0 } batch)
        {
            var first = batch.Entries[0];
            if (first.Exist is not null)
            {
                return Calculate(first.Exist);
            }
            if (first.Nonexist is not null)
            {
                return CalculateNonExistence(first.Nonexist);
            }
        }
        throw new Ics23VerificationException(Ics23Error.ProofKindMismatch, "proof contains no existence or non-existence proof");
    }

    private static byte[] CalculateNonExistence(NonExistenceProof proof) =>
        proof.Left is not null ? Calculate(proof.Left)
        : proof.Right is not null ? Calculate(proof.Right)
        : throw new Ics23VerificationException(Ics23Error.NeighborsMissing, "non-existence proof has neither left nor right proof");

    /// <summary>The key as the tree orders it: prehashed when the spec says so (SMT), else as is.</summary>
    public static byte[] KeyForComparison(ProofSpec spec, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!spec.PrehashKeyBeforeComparison)
        {
            return key.ToArray();
        }
        var leafSpec = spec.LeafSpec ?? throw new Ics23VerificationException(Ics23Error.MissingLeafSpec, "spec has no leaf spec");
        return HashOps.DoHashOrNoop(leafSpec.PrehashKey, key);
    }

    /// <summary>The existence proof for <paramref name="key"/>: the proof itself, or the batch entry for that key.</summary>
    internal static ExistenceProof FindExistence(CommitmentProof proof, ReadOnlySpan<byte> key)
    {
        if (proof.Exist is { } exist)
        {
            return exist;
        }
        if (proof.Kind is not (CommitmentProofKind.Batch or CommitmentProofKind.Compressed))
        {
            throw new Ics23VerificationException(Ics23Error.ProofKindMismatch, $"membership needs an existence (or batch) proof, got {proof.Kind}");
        }
        foreach (var entry in Decompression.Decompress(proof).Batch!.Entries)
        {
            if (entry.Exist is { } candidate && candidate.Key.Span.SequenceEqual(key))
            {
                return candidate;
            }
        }
        throw new Ics23VerificationException(Ics23Error.BatchEntryNotFound, "batch has no existence proof for the key");
    }

    /// <summary>The non-existence proof for <paramref name="key"/>: the proof itself, or the batch entry whose neighbours bracket it.</summary>
    internal static NonExistenceProof FindNonExistence(CommitmentProof proof, ProofSpec spec, ReadOnlySpan<byte> key)
    {
        if (proof.Nonexist is { } nonexist)
        {
            return nonexist;
        }
        if (proof.Kind is not (CommitmentProofKind.Batch or CommitmentProofKind.Compressed))
        {
            throw new Ics23VerificationException(Ics23Error.ProofKindMismatch, $"non-membership needs a non-existence (or batch) proof, got {proof.Kind}");
        }
        var comparable = KeyForComparison(spec, key);
        foreach (var entry in Decompression.Decompress(proof).Batch!.Entries)
        {
            if (entry.Nonexist is not { } candidate)
            {
                continue;
            }
            var leftOk = candidate.Left is null || KeyForComparison(spec, candidate.Left.Key.Span).AsSpan().SequenceCompareTo(comparable) < 0;
            var rightOk = candidate.Right is null || KeyForComparison(spec, candidate.Right.Key.Span).AsSpan().SequenceCompareTo(comparable) > 0;
            if (leftOk && rightOk)
            {
                return candidate;
            }
        }
        throw new Ics23VerificationException(Ics23Error.BatchEntryNotFound, "batch has no non-existence proof for the key");
    }
}
