using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Tests.Conformance;
using Citrine.Ics23.Verification;

namespace Citrine.Ics23.Tests.Verification;

/// <summary>
/// One test per spec check: a valid vector proof is changed so that exactly that check fails,
/// and the verdict must name it. Checks run before hashing, so the root is left as it was.
/// </summary>
public sealed class SpecCheckTests
{
    private static (ProofSpec Spec, byte[] Root, ExistenceProof Proof) Vector(string id)
    {
        var v = ProofVectorTests.Load(id);
        return (v.Spec, v.Root, v.Proof.Exist!);
    }

    private static Ics23Error Verify(ProofSpec spec, byte[] root, ExistenceProof proof) =>
        ProofVerifier.VerifyMembership(spec, root, new CommitmentProof { Exist = proof }, proof.Key.Span, proof.Value.Span).Error;

    private static ExistenceProof WithInner(ExistenceProof p, int index, Func<InnerOp, InnerOp> change) =>
        p with { Path = [.. p.Path.Select((op, i) => i == index ? change(op) : op)] };

    [SkippableFact]
    public void Unchanged_vector_proof_is_valid()
    {
        var (spec, root, proof) = Vector("iavl/exist_left.json");
        Assert.Equal(Ics23Error.None, Verify(spec, root, proof));
    }

    [SkippableFact]
    public void Verify_rejects_proof_without_leaf_op()
    {
        var (spec, root, p) = Vector("iavl/exist_left.json");
        Assert.Equal(Ics23Error.MissingLeafOp, Verify(spec, root, p with { Leaf = null }));
    }

    [SkippableFact]
    public void Verify_rejects_spec_without_leaf_spec()
    {
        var (spec, root, p) = Vector("iavl/exist_left.json");
        Assert.Equal(Ics23Error.MissingLeafSpec, Verify(spec with { LeafSpec = null }, root, p));
    }

    [SkippableFact]
    public void Verify_rejects_spec_without_inner_spec()
    {
        var (spec, root, p) = Vector("tendermint/exist_left.json");
        Assert.Equal(Ics23Error.MissingInnerSpec, Verify(spec with { InnerSpec = null }, root, p));
    }

    [SkippableTheory]
    [InlineData("iavl/exist_left.json")]
    [InlineData("tendermint/exist_left.json")]
    [InlineData("smt/exist_left.json")]
    public void Verify_rejects_leaf_whose_hash_op_differs_from_spec(string id)
    {
        var (spec, root, p) = Vector(id);
        Assert.Equal(Ics23Error.LeafHashOpMismatch, Verify(spec, root, p with { Leaf = p.Leaf! with { Hash = HashOp.Sha512 } }));
    }

    [SkippableFact]
    public void Verify_rejects_leaf_whose_prehash_key_differs_from_spec()
    {
        var (spec, root, p) = Vector("iavl/exist_left.json");
        Assert.Equal(Ics23Error.LeafPrehashKeyMismatch, Verify(spec, root, p with { Leaf = p.Leaf! with { PrehashKey = HashOp.Sha256 } }));
    }

    [SkippableFact]
    public void Verify_rejects_leaf_whose_prehash_value_differs_from_spec()
    {
        var (spec, root, p) = Vector("iavl/exist_left.json");
        Assert.Equal(Ics23Error.LeafPrehashValueMismatch, Verify(spec, root, p with { Leaf = p.Leaf! with { PrehashValue = HashOp.NoHash } }));
    }

    [SkippableFact]
    public void Verify_rejects_leaf_whose_length_op_differs_from_spec()
    {
        var (spec, root, p) = Vector("iavl/exist_left.json");
        Assert.Equal(Ics23Error.LeafLengthOpMismatch, Verify(spec, root, p with { Leaf = p.Leaf! with { Length = LengthOp.NoPrefix } }));
    }

    [SkippableFact]
    public void Verify_rejects_leaf_whose_prefix_does_not_start_with_spec_prefix()
    {
        var (spec, root, p) = Vector("tendermint/exist_left.json");
        Assert.Equal(Ics23Error.LeafPrefixMismatch, Verify(spec, root, p with { Leaf = p.Leaf! with { Prefix = new byte[] { 2 } } }));
    }

    [SkippableTheory]
    [InlineData(new byte[] { 0x00, 0x02 }, Ics23Error.IavlVarintMalformed)] // version missing
    [InlineData(new byte[] { 0x00, 0x02, 0x80 }, Ics23Error.IavlVarintMalformed)] // truncated version
    [InlineData(new byte[] { 0x01, 0x02, 0x02 }, Ics23Error.IavlHeightTooLow)] // height -1
    [InlineData(new byte[] { 0x00, 0x01, 0x02 }, Ics23Error.IavlSizeNegative)] // size -1
    [InlineData(new byte[] { 0x00, 0x02, 0x01 }, Ics23Error.IavlVersionNegative)] // version -1
    [InlineData(new byte[] { 0x00, 0x02, 0x02, 0x00 }, Ics23Error.IavlLeafPrefixRemainder)]
    [InlineData(new byte[] { 0x02, 0x02, 0x02 }, Ics23Error.IavlLeafHeightNotZero)]
    [InlineData(new byte[] { 0x00, 0x04, 0x02 }, Ics23Error.IavlLeafSizeNotOne)]
    public void Verify_rejects_iavl_leaf_prefix_that_breaks_one_iavl_rule(byte[] prefix, Ics23Error expected)
    {
        var (spec, root, p) = Vector("iavl/exist_left.json");
        Assert.Equal(expected, Verify(spec, root, p with { Leaf = p.Leaf! with { Prefix = prefix } }));
    }

    [SkippableFact]
    public void Verify_rejects_iavl_inner_op_whose_height_is_below_its_layer()
    {
        var (spec, root, p) = Vector("iavl/exist_left.json");
        // Layer 2 with height 1 (zig-zag 0x02), size and version kept valid.
        var changed = WithInner(p, 1, op => op with { Prefix = (byte[])[0x02, .. op.Prefix.Span[1..]] });
        Assert.Equal(Ics23Error.IavlHeightTooLow, Verify(spec, root, changed));
    }

    [SkippableFact]
    public void Verify_rejects_iavl_inner_op_with_wrong_prefix_remainder()
    {
        var (spec, root, p) = Vector("iavl/exist_left.json");
        var changed = WithInner(p, 0, op => op with { Prefix = (byte[])[.. op.Prefix.Span, 0x20] });
        Assert.Equal(Ics23Error.IavlInnerPrefixRemainder, Verify(spec, root, changed));
    }

    [SkippableFact]
    public void Verify_rejects_tendermint_inner_op_with_empty_prefix()
    {
        var (spec, root, p) = Vector("tendermint/exist_left.json");
        Assert.Equal(Ics23Error.TendermintInnerPrefixEmpty, Verify(spec, root, WithInner(p, 0, op => op with { Prefix = ReadOnlyMemory<byte>.Empty })));
    }

    [SkippableFact]
    public void Verify_rejects_tendermint_inner_op_whose_prefix_is_not_0x01()
    {
        var (spec, root, p) = Vector("tendermint/exist_left.json");
        var changed = WithInner(p, 0, op => op with { Prefix = (byte[])[0x02, .. op.Prefix.Span[1..]] });
        Assert.Equal(Ics23Error.TendermintInnerPrefixInvalid, Verify(spec, root, changed));
    }

    [SkippableFact]
    public void Verify_rejects_tendermint_inner_op_with_both_left_sibling_and_suffix()
    {
        var (spec, root, p) = Vector("tendermint/exist_left.json");
        var index = p.Path.ToList().FindIndex(op => !op.Suffix.IsEmpty);
        Assert.True(index >= 0);
        var changed = WithInner(p, index, op => op with { Prefix = (byte[])[1, .. new byte[32]] });
        Assert.Equal(Ics23Error.TendermintInnerPrefixInvalid, Verify(spec, root, changed));
    }

    [SkippableFact]
    public void Verify_rejects_path_shorter_than_min_depth()
    {
        var (spec, root, p) = Vector("iavl/exist_left.json");
        Assert.Equal(Ics23Error.PathTooShort, Verify(spec with { MinDepth = p.Path.Count + 1 }, root, p));
    }

    [SkippableFact]
    public void Verify_rejects_path_longer_than_max_depth()
    {
        var (spec, root, p) = Vector("iavl/exist_left.json");
        Assert.Equal(Ics23Error.PathTooLong, Verify(spec with { MaxDepth = p.Path.Count - 1 }, root, p));
    }

    [SkippableFact]
    public void Verify_rejects_path_longer_than_default_max_depth_of_128()
    {
        var (spec, root, p) = Vector("tendermint/exist_left.json");
        var steps = Enumerable.Repeat(p.Path[0], SpecChecks.DefaultMaxDepth + 1).ToList();
        Assert.Equal(Ics23Error.PathTooLong, Verify(spec, root, p with { Path = steps }));
    }

    [SkippableTheory]
    [InlineData("iavl/exist_left.json")]
    [InlineData("tendermint/exist_left.json")]
    [InlineData("smt/exist_left.json")]
    public void Verify_rejects_inner_op_whose_hash_op_differs_from_spec(string id)
    {
        var (spec, root, p) = Vector(id);
        Assert.Equal(Ics23Error.InnerHashOpMismatch, Verify(spec, root, WithInner(p, 0, op => op with { Hash = HashOp.Sha512 })));
    }

    [SkippableFact]
    public void Verify_rejects_inner_op_whose_prefix_starts_with_the_leaf_prefix()
    {
        var (spec, root, p) = Vector("smt/exist_left.json");
        var changed = WithInner(p, 0, op => op with { Prefix = (byte[])[0x00, .. op.Prefix.Span[1..]] });
        Assert.Equal(Ics23Error.InnerPrefixStartsWithLeafPrefix, Verify(spec, root, changed));
    }

    [SkippableFact]
    public void Verify_rejects_inner_op_with_prefix_shorter_than_min_prefix_length()
    {
        var (spec, root, p) = Vector("smt/exist_left.json");
        Assert.Equal(Ics23Error.InnerPrefixTooShort, Verify(spec, root, WithInner(p, 0, op => op with { Prefix = ReadOnlyMemory<byte>.Empty })));
    }

    [SkippableFact]
    public void Verify_rejects_inner_op_with_prefix_longer_than_max_prefix_plus_left_children()
    {
        var (spec, root, p) = Vector("smt/exist_left.json");
        var changed = WithInner(p, 0, op => op with { Prefix = (byte[])[1, .. new byte[33]], Suffix = ReadOnlyMemory<byte>.Empty });
        Assert.Equal(Ics23Error.InnerPrefixTooLong, Verify(spec, root, changed));
    }

    [SkippableFact]
    public void Verify_rejects_inner_op_whose_suffix_is_not_whole_children()
    {
        var (spec, root, p) = Vector("smt/exist_left.json");
        var changed = WithInner(p, 0, op => op with { Prefix = new byte[] { 1 }, Suffix = new byte[31] });
        Assert.Equal(Ics23Error.InnerSuffixMalformed, Verify(spec, root, changed));
    }

    [SkippableFact]
    public void Verify_rejects_spec_with_non_positive_child_size()
    {
        var (spec, root, p) = Vector("smt/exist_left.json");
        var bad = spec with { InnerSpec = spec.InnerSpec! with { ChildSize = 0, MaxPrefixLength = 64 } };
        Assert.Equal(Ics23Error.SpecChildSizeInvalid, Verify(bad, root, p));
    }

    [SkippableFact]
    public void Verify_rejects_spec_whose_max_prefix_reaches_min_prefix_plus_child_size()
    {
        var (spec, root, p) = Vector("smt/exist_left.json");
        var bad = spec with { InnerSpec = spec.InnerSpec! with { MaxPrefixLength = 33 } };
        Assert.Equal(Ics23Error.SpecPrefixLengthsInvalid, Verify(bad, root, p));
    }

    [SkippableFact]
    public void Verify_rejects_intermediate_hash_longer_than_the_child_size()
    {
        var (spec, _, p) = Vector("smt/exist_left.json");
        var sha512 = spec with { InnerSpec = spec.InnerSpec! with { Hash = HashOp.Sha512 } };
        var changed = p with { Path = [.. p.Path.Select(op => op with { Hash = HashOp.Sha512 })] };
        var root = ProofVerifier.Calculate(changed);
        Assert.Equal(Ics23Error.InnerResultTooLong, Verify(sha512, root, changed));
    }

    [SkippableFact]
    public void Verify_rejects_proof_with_empty_key()
    {
        var (spec, root, p) = Vector("iavl/exist_left.json");
        Assert.Equal(Ics23Error.EmptyKey, Verify(spec, root, p with { Key = ReadOnlyMemory<byte>.Empty }));
    }

    [SkippableFact]
    public void Verify_rejects_proof_with_empty_value()
    {
        var (spec, root, p) = Vector("iavl/exist_left.json");
        Assert.Equal(Ics23Error.EmptyValue, Verify(spec, root, p with { Value = ReadOnlyMemory<byte>.Empty }));
    }

    [SkippableFact]
    public void Verify_rejects_unsupported_hash_op_even_when_spec_names_it()
    {
        var (spec, root, p) = Vector("tendermint/exist_left.json");
        var odd = (HashOp)42;
        var custom = spec with { LeafSpec = spec.LeafSpec! with { Hash = odd } };
        var verdict = ProofVerifier.VerifyMembership(custom, root, new CommitmentProof { Exist = p with { Leaf = p.Leaf! with { Hash = odd } } }, p.Key.Span, p.Value.Span);
        Assert.Equal(Ics23Error.UnsupportedHashOp, verdict.Error);
        Assert.Contains("unsupported hash op 42", verdict.Detail, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_rejects_var_rlp_length_op_as_unsupported()
    {
        var (spec, root, p) = Vector("tendermint/exist_left.json");
        var custom = spec with { LeafSpec = spec.LeafSpec! with { Length = LengthOp.VarRlp } };
        Assert.Equal(Ics23Error.UnsupportedLengthOp, Verify(custom, root, p with { Leaf = p.Leaf! with { Length = LengthOp.VarRlp } }));
    }

    [SkippableFact]
    public void Verify_rejects_key_that_is_not_32_bytes_under_require_32_bytes()
    {
        var (spec, root, p) = Vector("tendermint/exist_left.json");
        Assert.NotEqual(32, p.Key.Length);
        var custom = spec with { LeafSpec = spec.LeafSpec! with { Length = LengthOp.Require32Bytes } };
        Assert.Equal(Ics23Error.LengthRequirementFailed, Verify(custom, root, p with { Leaf = p.Leaf! with { Length = LengthOp.Require32Bytes } }));
    }

    [Fact]
    public void ApplyInner_rejects_empty_child()
    {
        var e = Assert.Throws<Ics23VerificationException>(() => HashOps.ApplyInner(new InnerOp { Hash = HashOp.Sha256, Prefix = new byte[] { 1 } }, []));
        Assert.Equal(Ics23Error.EmptyChild, e.Error);
    }

    [Fact]
    public void DoHash_rejects_no_hash()
    {
        var e = Assert.Throws<Ics23VerificationException>(() => HashOps.DoHash(HashOp.NoHash, [1]));
        Assert.Equal(Ics23Error.UnsupportedHashOp, e.Error);
    }

    [Theory]
    [InlineData(HashOp.Keccak256, "", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData(HashOp.Blake3, "", "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262")]
    [InlineData(HashOp.Sha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData(HashOp.Sha512T256, "abc", "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23")]
    public void DoHash_gives_the_standard_digest(HashOp op, string input, string expected)
    {
        Assert.Equal(expected, Citrine.Crypto.Encoding.Hex.Encode(HashOps.DoHash(op, System.Text.Encoding.ASCII.GetBytes(input))));
    }

    [Fact]
    public void Keccak256_is_not_sha3_256()
    {
        var data = System.Text.Encoding.ASCII.GetBytes("citrine");
        Assert.NotEqual(System.Security.Cryptography.SHA3_256.IsSupported ? System.Security.Cryptography.SHA3_256.HashData(data) : new byte[32], HashOps.DoHash(HashOp.Keccak256, data));
    }

    [Fact]
    public void SpecEquals_recognises_the_iavl_spec_but_not_tendermint()
    {
        Assert.True(ProofSpecs.SpecEquals(ProofSpecs.Iavl, ProofSpecs.Iavl with { MaxDepth = 9 }));
        Assert.False(ProofSpecs.SpecEquals(ProofSpecs.Iavl, ProofSpecs.Tendermint));
        Assert.False(ProofSpecs.SpecEquals(ProofSpecs.Smt, ProofSpecs.Tendermint));
    }
}
