using System.Text;
using Citrine.Ics23.Abci;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Tests.Verification;
using Citrine.Ics23.Verification;

namespace Citrine.Ics23.Tests.Abci;

public sealed class ChainTests
{
    private static readonly ChainFixtures.TwoLevel Two = new();

    // The two-level fixture is a simple-Merkle store inside a simple-Merkle multistore.
    private static readonly IReadOnlyList<ProofSpec> TwoSpecs = [ProofSpecs.Tendermint, ProofSpecs.Tendermint];

    private static IReadOnlyList<ReadOnlyMemory<byte>> Path(params byte[][] elements) => [.. elements.Select(e => (ReadOnlyMemory<byte>)e)];

    [SkippableFact]
    public void Eureka_proof_verifies_as_abci_query_response_proof_ops()
    {
        var f = ChainFixtures.Eureka();
        var json = ChainFixtures.AbciQueryResponse(ChainFixtures.EurekaOps(f), f.KeyPath[1].ToArray(), f.Value);
        var ops = ProofOps.ParseJson(Encoding.UTF8.GetBytes(json));
        var verdict = ProofOps.VerifyMembership(ops, f.AppHash, f.KeyPath, f.Value);
        Assert.True(verdict.IsValid, verdict.ToString());
    }

    [SkippableFact]
    public void Eureka_proof_verifies_as_bare_proof_ops_object()
    {
        var f = ChainFixtures.Eureka();
        var ops = ProofOps.ParseJson(Encoding.UTF8.GetBytes(ChainFixtures.ProofOpsObject(ChainFixtures.EurekaOps(f))));
        Assert.True(ProofOps.VerifyMembership(ops, f.AppHash, f.KeyPath, f.Value).IsValid);
    }

    [SkippableFact]
    public void Chain_rejects_app_hash_with_one_bit_flipped()
    {
        var f = ChainFixtures.Eureka();
        for (var bit = 0; bit < f.AppHash.Length * 8; bit += 37)
        {
            var verdict = f.Proof.VerifyMembership(TamperTests.Flip(f.AppHash, bit), f.KeyPath, f.Value);
            Assert.Equal(Ics23Error.AppHashMismatch, verdict.Error);
            Assert.Equal(1, verdict.Step);
        }
    }

    [SkippableFact]
    public void Chain_rejects_store_key_with_one_bit_flipped()
    {
        var f = ChainFixtures.Eureka();
        var path = Path(f.KeyPath[0].ToArray(), TamperTests.Flip(f.KeyPath[1].ToArray(), 3));
        var verdict = f.Proof.VerifyMembership(f.AppHash, path, f.Value);
        Assert.Equal(Ics23Error.KeyMismatch, verdict.Error);
        Assert.Equal(0, verdict.Step);
    }

    [SkippableFact]
    public void Chain_rejects_store_name_with_one_bit_flipped()
    {
        var f = ChainFixtures.Eureka();
        var path = Path(TamperTests.Flip(f.KeyPath[0].ToArray(), 0), f.KeyPath[1].ToArray());
        var verdict = f.Proof.VerifyMembership(f.AppHash, path, f.Value);
        Assert.Equal(Ics23Error.KeyMismatch, verdict.Error);
        Assert.Equal(1, verdict.Step);
    }

    [SkippableFact]
    public void Chain_rejects_value_with_one_bit_flipped()
    {
        var f = ChainFixtures.Eureka();
        var verdict = f.Proof.VerifyMembership(f.AppHash, f.KeyPath, TamperTests.Flip(f.Value, 17));
        Assert.Equal(Ics23Error.ValueMismatch, verdict.Error);
        Assert.Equal(0, verdict.Step);
    }

    [SkippableFact]
    public void Every_one_bit_flip_of_the_merkle_proof_is_rejected()
    {
        var f = ChainFixtures.Eureka();
        for (var bit = 0; bit < f.ProofBytes.Length * 8; bit++)
        {
            MerkleProof proof;
            try
            {
                proof = MerkleProof.Decode(TamperTests.Flip(f.ProofBytes, bit));
            }
            catch (Ics23FormatException)
            {
                continue;
            }
            Assert.False(proof.VerifyMembership(f.AppHash, f.KeyPath, f.Value).IsValid, $"bit {bit} flipped still verifies");
        }
    }

    [SkippableFact]
    public void Chain_rejects_proof_ops_whose_types_are_swapped()
    {
        var f = ChainFixtures.Eureka();
        var ops = ChainFixtures.EurekaOps(f);
        IReadOnlyList<ProofOp> swapped = [ops[0] with { Type = ProofOps.SimpleType }, ops[1] with { Type = ProofOps.IavlType }];
        var verdict = ProofOps.VerifyMembership(swapped, f.AppHash, f.KeyPath, f.Value);
        Assert.Equal(Ics23Error.ProofOpTypeMismatch, verdict.Error);
    }

    [SkippableFact]
    public void Chain_rejects_proof_op_whose_type_disagrees_with_the_pinned_spec()
    {
        var f = ChainFixtures.Eureka();
        var ops = ChainFixtures.EurekaOps(f);
        // Only the store op's type is changed; the pin is the SDK default [IAVL, Tendermint].
        var verdict = ProofOps.VerifyMembership([ops[0] with { Type = ProofOps.SmtType }, ops[1]], f.AppHash, f.KeyPath, f.Value);
        Assert.Equal(Ics23Error.ProofOpTypeMismatch, verdict.Error);
        Assert.Contains("op 0", verdict.Detail, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Chain_rejects_real_proof_when_the_caller_pins_another_store_spec()
    {
        var f = ChainFixtures.Eureka();
        var verdict = ProofOps.VerifyMembership(ChainFixtures.EurekaOps(f), f.AppHash, f.KeyPath, f.Value, [ProofSpecs.Smt, ProofSpecs.Tendermint]);
        Assert.Equal(Ics23Error.ProofOpTypeMismatch, verdict.Error);
    }

    [SkippableFact]
    public void Chain_checks_each_step_against_the_pinned_spec_not_the_op_type()
    {
        var f = ChainFixtures.Eureka();
        var ops = ChainFixtures.EurekaOps(f);
        // A pinned spec that agrees with the op type by SpecEquals but demands a leaf prefix the
        // proof lacks: the check that fails proves the pinned spec, not the op type's, was applied.
        var strict = ProofSpecs.Iavl with { LeafSpec = ProofSpecs.Iavl.LeafSpec! with { Prefix = new byte[] { 0x00, 0x7f } } };
        var verdict = ProofOps.VerifyMembership(ops, f.AppHash, f.KeyPath, f.Value, [strict, ProofSpecs.Tendermint]);
        Assert.Equal(Ics23Error.LeafPrefixMismatch, verdict.Error);
        Assert.Equal(0, verdict.Step);
    }

    [Fact]
    public void Chain_rejects_more_or_fewer_pinned_specs_than_proof_ops()
    {
        var ops = Two.Membership(0);
        var path = Path(ChainFixtures.B("ibc"), Two.Store.Key(0));
        Assert.Equal(Ics23Error.ChainLengthMismatch, ProofOps.VerifyMembership(ops, Two.AppHash, path, Two.Store.Value(0), [ProofSpecs.Tendermint]).Error);
        Assert.Equal(Ics23Error.ChainLengthMismatch, ProofOps.VerifyMembership(ops, Two.AppHash, path, Two.Store.Value(0), [.. TwoSpecs, ProofSpecs.Tendermint]).Error);
    }

    [Fact]
    public void Two_level_simple_chain_is_refused_under_the_default_sdk_pin()
    {
        var verdict = ProofOps.VerifyMembership(Two.Membership(0), Two.AppHash, Path(ChainFixtures.B("ibc"), Two.Store.Key(0)), Two.Store.Value(0));
        Assert.Equal(Ics23Error.ProofOpTypeMismatch, verdict.Error);
    }

    [SkippableFact]
    public void Chain_rejects_unknown_proof_op_type()
    {
        var f = ChainFixtures.Eureka();
        var ops = ChainFixtures.EurekaOps(f);
        var verdict = ProofOps.VerifyMembership([ops[0], ops[1] with { Type = "ics23:rocks" }], f.AppHash, f.KeyPath, f.Value);
        Assert.Equal(Ics23Error.UnsupportedProofOpType, verdict.Error);
    }

    [SkippableFact]
    public void Chain_rejects_proof_op_for_another_store()
    {
        var f = ChainFixtures.Eureka();
        var verdict = ProofOps.VerifyMembership(ChainFixtures.EurekaOps(f), f.AppHash, Path(ChainFixtures.B("bank"), f.KeyPath[1].ToArray()), f.Value);
        Assert.Equal(Ics23Error.ChainKeyMismatch, verdict.Error);
    }

    [SkippableFact]
    public void Chain_rejects_key_path_of_another_length()
    {
        var f = ChainFixtures.Eureka();
        Assert.Equal(Ics23Error.ChainLengthMismatch, ProofOps.VerifyMembership(ChainFixtures.EurekaOps(f), f.AppHash, Path(f.KeyPath[1].ToArray()), f.Value).Error);
        Assert.Equal(Ics23Error.ChainLengthMismatch, f.Proof.VerifyMembership(f.AppHash, Path(f.KeyPath[1].ToArray()), f.Value).Error);
    }

    [Fact]
    public void Chain_rejects_empty_chain() =>
        Assert.Equal(Ics23Error.ChainEmpty, ProofOps.VerifyMembership([], [1], [], [1], []).Error);

    [Fact]
    public void Two_level_membership_chain_verifies_for_every_leaf()
    {
        for (var i = 0; i < Two.Store.Count; i++)
        {
            var verdict = ProofOps.VerifyMembership(Two.Membership(i), Two.AppHash, Path(ChainFixtures.B("ibc"), Two.Store.Key(i)), Two.Store.Value(i), TwoSpecs);
            Assert.True(verdict.IsValid, verdict.ToString());
        }
    }

    [Fact]
    public void Two_level_non_membership_chain_verifies()
    {
        var verdict = ProofOps.VerifyNonMembership(Two.NonMembership("k35", 2, 3), Two.AppHash, Path(ChainFixtures.B("ibc"), ChainFixtures.B("k35")), TwoSpecs);
        Assert.True(verdict.IsValid, verdict.ToString());
    }

    [Fact]
    public void Non_membership_chain_rejects_a_present_key()
    {
        var verdict = ProofOps.VerifyNonMembership(Two.NonMembership("k30", 2, 3), Two.AppHash, Path(ChainFixtures.B("ibc"), ChainFixtures.B("k30")), TwoSpecs);
        Assert.Equal(Ics23Error.KeyNotRightOfLeftNeighbor, verdict.Error);
        Assert.Equal(0, verdict.Step);
    }

    [Fact]
    public void Membership_chain_rejects_a_non_existence_proof()
    {
        var verdict = ProofOps.VerifyMembership(Two.NonMembership("k35", 2, 3), Two.AppHash, Path(ChainFixtures.B("ibc"), ChainFixtures.B("k35")), [1], TwoSpecs);
        Assert.Equal(Ics23Error.ProofKindMismatch, verdict.Error);
    }

    [Fact]
    public void Non_membership_chain_rejects_neighbours_from_different_trees()
    {
        var other = new SimpleMerkleTree(Enumerable.Range(1, 8).Select(i => (ChainFixtures.B($"k{i * 10}"), ChainFixtures.B($"x {i}"))));
        var ops = Two.NonMembership("k35", 2, 3);
        var mixed = new CommitmentProof { Nonexist = new NonExistenceProof { Left = Two.Store.Prove(2), Right = other.Prove(3) } };
        var verdict = ProofOps.VerifyNonMembership([ops[0] with { Data = ProofCodec.Encode(mixed) }, ops[1]], Two.AppHash, Path(ChainFixtures.B("ibc"), ChainFixtures.B("k35")), TwoSpecs);
        Assert.Equal(Ics23Error.RootMismatch, verdict.Error);
    }

    [Fact]
    public void Merkle_proof_with_custom_specs_verifies_two_level_chain()
    {
        var merkle = new MerkleProof { Proofs = [new CommitmentProof { Exist = Two.Store.Prove(5) }, new CommitmentProof { Exist = Two.StoreInMulti }] };
        var decoded = MerkleProof.Decode(merkle.Encode());
        var verdict = decoded.VerifyMembership(Two.AppHash, Path(ChainFixtures.B("ibc"), Two.Store.Key(5)), Two.Store.Value(5), [ProofSpecs.Tendermint, ProofSpecs.Tendermint]);
        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.Equal(Ics23Error.ChainLengthMismatch, decoded.VerifyMembership(Two.AppHash, Path(ChainFixtures.B("ibc"), Two.Store.Key(5)), Two.Store.Value(5), [ProofSpecs.Tendermint]).Error);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"result\":{\"response\":{\"code\":0,\"proofOps\":null}}}")]
    [InlineData("{\"ops\":{}}")]
    [InlineData("{\"ops\":[1]}")]
    [InlineData("{\"ops\":[{\"key\":\"aWJj\",\"data\":\"\"}]}")]
    [InlineData("{\"ops\":[{\"type\":\"ics23:iavl\",\"key\":\"not base64!\",\"data\":\"\"}]}")]
    public void ParseJson_rejects_malformed_proof_ops_with_format_exception(string json) =>
        Assert.Throws<Ics23FormatException>(() => ProofOps.ParseJson(Encoding.UTF8.GetBytes(json)));

    [SkippableFact]
    public void Proof_ops_round_trip_through_protobuf_and_json()
    {
        var f = ChainFixtures.Eureka();
        var ops = ChainFixtures.EurekaOps(f);
        var fromProto = ProofOps.DecodeProto(ProofOps.EncodeProto(ops));
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            ProofOps.WriteJson(writer, ops);
        }
        var fromJson = ProofOps.ParseJson(buffer.ToArray());
        foreach (var copy in new[] { fromProto, fromJson })
        {
            Assert.Equal(ops.Select(o => o.Type), copy.Select(o => o.Type));
            Assert.Equal(ops.Select(o => Convert.ToHexString(o.Key.Span)), copy.Select(o => Convert.ToHexString(o.Key.Span)));
            Assert.Equal(ops.Select(o => Convert.ToHexString(o.Data.Span)), copy.Select(o => Convert.ToHexString(o.Data.Span)));
            Assert.True(ProofOps.VerifyMembership(copy, f.AppHash, f.KeyPath, f.Value).IsValid);
        }
    }

    [Theory]
    [InlineData("0a", "ProofOps.ops")]
    [InlineData("0a010a", "ProofOp.type")]
    [InlineData("0a030a01ff", "ProofOp.type")]
    [InlineData("0a021001", "ProofOp.key")]
    public void DecodeProto_rejects_malformed_proof_ops(string hex, string field)
    {
        var e = Assert.Throws<Ics23FormatException>(() => ProofOps.DecodeProto(Convert.FromHexString(hex)));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void ParseJson_rejects_invalid_utf8_in_op_type_with_format_exception()
    {
        byte[] json = [.. "{\"ops\":[{\"type\":\"ics"u8, 0xC5, .. "\",\"key\":\"\",\"data\":\"\"}]}"u8];
        var e = Assert.Throws<Ics23FormatException>(() => ProofOps.ParseJson(json));
        Assert.Equal("ops[0].type", e.Field);
    }

    [Fact]
    public void ParseJson_accepts_snake_case_proof_ops_and_empty_key_or_data()
    {
        var ops = ProofOps.ParseJson("{\"response\":{\"proof_ops\":{\"ops\":[{\"type\":\"ics23:iavl\",\"key\":\"aWJj\",\"data\":null}]}}}"u8);
        var op = Assert.Single(ops);
        Assert.Equal("ics23:iavl", op.Type);
        Assert.Equal("ibc"u8.ToArray(), op.Key.ToArray());
        Assert.True(op.Data.IsEmpty);
    }

    [Fact]
    public void ToSteps_rejects_undecodable_op_data_with_format_exception()
    {
        IReadOnlyList<ProofOp> ops = [new(ProofOps.IavlType, ChainFixtures.B("k"), new byte[] { 0x0a, 0x05, 0x01 })];
        var e = Assert.Throws<Ics23FormatException>(() => ProofOps.ToSteps(ops, Path(ChainFixtures.B("k")), [ProofSpecs.Iavl]));
        Assert.Equal("CommitmentProof.exist", e.Field);
        Assert.Equal(1, e.Offset);
    }

    [Fact]
    public void VerifyMembership_turns_undecodable_op_data_into_a_proof_op_malformed_verdict()
    {
        IReadOnlyList<ProofOp> ops = [new(ProofOps.IavlType, ChainFixtures.B("k"), new byte[] { 0x0a, 0x05, 0x01 })];
        var verdict = ProofOps.VerifyMembership(ops, new byte[32], Path(ChainFixtures.B("k")), "v"u8, [ProofSpecs.Iavl]);
        Assert.False(verdict.IsValid);
        Assert.Equal(Ics23Error.ProofOpMalformed, verdict.Error);
        Assert.Contains("CommitmentProof.exist", verdict.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyNonMembership_turns_undecodable_op_data_into_a_proof_op_malformed_verdict()
    {
        IReadOnlyList<ProofOp> ops = [new(ProofOps.IavlType, ChainFixtures.B("k"), new byte[] { 0x0a, 0x05, 0x01 })];
        var verdict = ProofOps.VerifyNonMembership(ops, new byte[32], Path(ChainFixtures.B("k")), [ProofSpecs.Iavl]);
        Assert.False(verdict.IsValid);
        Assert.Equal(Ics23Error.ProofOpMalformed, verdict.Error);
    }
}
