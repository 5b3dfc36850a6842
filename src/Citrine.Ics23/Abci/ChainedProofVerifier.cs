using Citrine.Ics23.Verification;

namespace Citrine.Ics23.Abci;

/// <summary>
/// Verifies a chain of ICS23 proofs, innermost first, as Cosmos SDK ProofOps and ibc-go
/// MerkleProof do: step 0 proves the key (or its absence) in a store and yields the store root;
/// each next step proves the previous root as the value of its key; the last root must be the
/// app hash.
/// </summary>
public static class ChainedProofVerifier
{
    public static Ics23Verdict VerifyMembership(IReadOnlyList<ProofStep> steps, ReadOnlySpan<byte> appHash, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return Verify(steps, appHash, value, absent: false);
    }

    public static Ics23Verdict VerifyNonMembership(IReadOnlyList<ProofStep> steps, ReadOnlySpan<byte> appHash)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return Verify(steps, appHash, [], absent: true);
    }

    private static Ics23Verdict Verify(IReadOnlyList<ProofStep> steps, ReadOnlySpan<byte> appHash, ReadOnlySpan<byte> value, bool absent)
    {
        if (steps.Count == 0)
        {
            return Ics23Verdict.Fail(Ics23Error.ChainEmpty, "the proof chain has no steps");
        }
        byte[] root = [];
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i] ?? throw new ArgumentException("null step", nameof(steps));
            try
            {
                if (i == 0 && absent)
                {
                    var nonexist = ProofVerifier.FindNonExistence(step.Proof, step.Spec, step.Key.Span);
                    root = ProofVerifier.VerifyNonExistence(nonexist, step.Spec, [], step.Key.Span, hasRoot: false);
                }
                else
                {
                    var stepValue = i == 0 ? value : root;
                    var exist = ProofVerifier.FindExistence(step.Proof, step.Key.Span);
                    root = ProofVerifier.VerifyExistence(exist, step.Spec, [], step.Key.Span, stepValue, hasRoot: false);
                }
            }
            catch (Ics23VerificationException e)
            {
                return Ics23Verdict.From(e, i);
            }
        }
        if (!appHash.SequenceEqual(root))
        {
            return Ics23Verdict.Fail(Ics23Error.AppHashMismatch, $"the chain's root {Convert.ToHexString(root)} is not the app hash {Convert.ToHexString(appHash)}", steps.Count - 1);
        }
        return Ics23Verdict.Valid(root);
    }
}
