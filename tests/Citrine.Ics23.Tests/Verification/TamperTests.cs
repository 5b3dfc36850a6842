using Citrine.Ics23.Proofs;
using Citrine.Ics23.Tests.Conformance;
using Citrine.Ics23.Verification;
using Citrine.Testing;

namespace Citrine.Ics23.Tests.Verification;

/// <summary>One-bit flips in the key, value, root and every bit of every proof in the vectors.</summary>
[Trait("Area", "Ics23")]
public sealed class TamperTests
{
    public static TheoryData<string> Cases => ProofVectorTests.Cases;

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Verify_rejects_vector_whose_root_has_one_bit_flipped(string id)
    {
        Vectors.SkipIfMissing(id);
        var v = ProofVectorTests.Load(id);
        foreach (var bit in new[] { 0, 7, (v.Root.Length * 8) - 1 })
        {
            var root = Flip(v.Root, bit);
            var verdict = v.Exist
                ? ProofVerifier.VerifyMembership(v.Spec, root, v.Proof, v.Key, v.Value)
                : ProofVerifier.VerifyNonMembership(v.Spec, root, v.Proof, v.Key);
            Assert.Equal(Ics23Error.RootMismatch, verdict.Error);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Verify_rejects_vector_whose_key_or_value_has_one_bit_flipped(string id)
    {
        Vectors.SkipIfMissing(id);
        var v = ProofVectorTests.Load(id);
        if (!v.Exist)
        {
            // A different absent key may be absent too; for non-existence, key flips are covered by the ordering tests.
            return;
        }
        for (var bit = 0; bit < v.Key.Length * 8; bit++)
        {
            Assert.Equal(Ics23Error.KeyMismatch, ProofVerifier.VerifyMembership(v.Spec, v.Root, v.Proof, Flip(v.Key, bit), v.Value).Error);
        }
        for (var bit = 0; bit < v.Value.Length * 8; bit++)
        {
            Assert.Equal(Ics23Error.ValueMismatch, ProofVerifier.VerifyMembership(v.Spec, v.Root, v.Proof, v.Key, Flip(v.Value, bit)).Error);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Verify_rejects_vector_whose_inner_op_sibling_has_one_bit_flipped(string id)
    {
        Vectors.SkipIfMissing(id);
        var v = ProofVectorTests.Load(id);
        var exist = v.Proof.Exist ?? v.Proof.Nonexist!.Left ?? v.Proof.Nonexist!.Right!;
        for (var i = 0; i < exist.Path.Count; i++)
        {
            var op = exist.Path[i];
            // The last byte of the prefix or suffix is always part of a sibling hash.
            var changed = op.Suffix.IsEmpty
                ? op with { Prefix = Flip(op.Prefix.ToArray(), (op.Prefix.Length * 8) - 1) }
                : op with { Suffix = Flip(op.Suffix.ToArray(), (op.Suffix.Length * 8) - 1) };
            var tampered = exist with { Path = [.. exist.Path.Select((o, j) => j == i ? changed : o)] };
            var verdict = ProofVerifier.VerifyMembership(v.Spec, v.Root, new CommitmentProof { Exist = tampered }, tampered.Key.Span, tampered.Value.Span);
            Assert.Equal(Ics23Error.RootMismatch, verdict.Error);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Every_one_bit_flip_of_the_encoded_proof_is_rejected(string id)
    {
        Vectors.SkipIfMissing(id);
        var v = ProofVectorTests.Load(id);
        // NonExistenceProof.key is not used by verification (the queried key is); drop it so
        // every remaining bit is one the proof commits to.
        var proof = v.Proof.Nonexist is { } n ? v.Proof with { Nonexist = n with { Key = ReadOnlyMemory<byte>.Empty } } : v.Proof;
        var bytes = ProofCodec.Encode(proof);
        Assert.True(Check(v, bytes).IsValid);
        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var flipped = Flip(bytes, bit);
            Ics23Verdict verdict;
            try
            {
                verdict = Check(v, flipped);
            }
            catch (Ics23FormatException)
            {
                continue;
            }
            Assert.False(verdict.IsValid, $"bit {bit} flipped still verifies");
        }
    }

    private static Ics23Verdict Check(ProofVectorTests.Vector v, byte[] proofBytes)
    {
        var proof = ProofCodec.DecodeCommitmentProof(proofBytes);
        return v.Exist
            ? ProofVerifier.VerifyMembership(v.Spec, v.Root, proof, v.Key, v.Value)
            : ProofVerifier.VerifyNonMembership(v.Spec, v.Root, proof, v.Key);
    }

    internal static byte[] Flip(byte[] data, int bit)
    {
        var copy = (byte[])data.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}
