using System.Security.Cryptography;
using System.Text;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;

namespace Citrine.Ics23.Tests.Verification;

/// <summary>Non-existence checks one by one, on a simple Merkle tree built by the test (keys k10..k80).</summary>
public sealed class NonExistenceTests
{
    private static readonly SimpleMerkleTree Tree = new(Enumerable.Range(1, 8).Select(i => (B($"k{i * 10}"), B($"value {i}"))));
    private static readonly ProofSpec Spec = ProofSpecs.Tendermint;

    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);

    private static Ics23Verdict Verify(string key, int? left, int? right, ProofSpec? spec = null) =>
        ProofVerifier.VerifyNonMembership(
            spec ?? Spec,
            Tree.Root,
            new CommitmentProof
            {
                Nonexist = new NonExistenceProof
                {
                    Key = B(key),
                    Left = left is { } l ? Tree.Prove(l) : null,
                    Right = right is { } r ? Tree.Prove(r) : null,
                },
            },
            B(key));

    [Theory]
    [InlineData("k15", 0, 1)]
    [InlineData("k45", 3, 4)]
    [InlineData("k75", 6, 7)]
    [InlineData("k05", null, 0)]
    [InlineData("k90", 7, null)]
    public void Absent_key_between_neighbours_or_beyond_an_edge_is_proven(string key, int? left, int? right)
    {
        var verdict = Verify(key, left, right);
        Assert.True(verdict.IsValid, verdict.ToString());
    }

    [Fact]
    public void Every_leaf_of_the_tree_verifies_as_member()
    {
        for (var i = 0; i < Tree.Count; i++)
        {
            var verdict = ProofVerifier.VerifyMembership(Spec, Tree.Root, new CommitmentProof { Exist = Tree.Prove(i) }, Tree.Key(i), Tree.Value(i));
            Assert.True(verdict.IsValid, verdict.ToString());
        }
    }

    [Fact]
    public void Verify_rejects_non_existence_proof_without_neighbours() =>
        Assert.Equal(Ics23Error.NeighborsMissing, Verify("k15", null, null).Error);

    [Fact]
    public void Verify_rejects_key_not_left_of_right_neighbour() =>
        Assert.Equal(Ics23Error.KeyNotLeftOfRightNeighbor, Verify("k25", 0, 1).Error);

    [Fact]
    public void Verify_rejects_key_not_right_of_left_neighbour() =>
        Assert.Equal(Ics23Error.KeyNotRightOfLeftNeighbor, Verify("k05", 0, 1).Error);

    [Fact]
    public void Verify_rejects_key_equal_to_a_neighbour_key() =>
        Assert.Equal(Ics23Error.KeyNotRightOfLeftNeighbor, Verify("k10", 0, 1).Error);

    [Fact]
    public void Verify_rejects_lone_right_neighbour_that_is_not_left_most() =>
        Assert.Equal(Ics23Error.RightNeighborNotLeftMost, Verify("k15", null, 1).Error);

    [Fact]
    public void Verify_rejects_lone_left_neighbour_that_is_not_right_most() =>
        Assert.Equal(Ics23Error.LeftNeighborNotRightMost, Verify("k15", 0, null).Error);

    [Theory]
    [InlineData(0, 2)]
    [InlineData(2, 5)]
    [InlineData(3, 5)]
    public void Verify_rejects_neighbours_that_are_not_adjacent(int left, int right) =>
        Assert.Equal(Ics23Error.NotNeighbors, Verify($"k{(left * 10) + 15}", left, right).Error);

    [Fact]
    public void Verify_rejects_neighbour_proof_whose_root_differs()
    {
        var other = new SimpleMerkleTree(Enumerable.Range(1, 8).Select(i => (B($"k{i * 10}"), B($"other {i}"))));
        var proof = new CommitmentProof { Nonexist = new NonExistenceProof { Left = Tree.Prove(0), Right = other.Prove(1) } };
        var verdict = ProofVerifier.VerifyNonMembership(Spec, Tree.Root, proof, B("k15"));
        Assert.Equal(Ics23Error.RootMismatch, verdict.Error);
    }

    [Fact]
    public void Verify_rejects_child_order_that_lacks_a_branch()
    {
        var spec = Spec with { InnerSpec = Spec.InnerSpec! with { ChildOrder = [0, 2] } };
        Assert.Equal(Ics23Error.InvalidChildOrder, Verify("k90", 7, null, spec).Error);
    }

    [Fact]
    public void Verify_rejects_inner_op_whose_padding_fits_no_child_position()
    {
        // An SMT step with both a left sibling and a right sibling passes the spec checks but is
        // no child position of a binary node.
        var right = SmtLeaf("right") with { Path = [new InnerOp { Hash = HashOp.Sha256, Prefix = (byte[])[1, .. new byte[32]], Suffix = new byte[32] }] };
        var verdict = SmtNonMembership(right, KeyBelow("right"));
        Assert.Equal(Ics23Error.PaddingUnrecognized, verdict.Error);
    }

    [Fact]
    public void Smt_right_neighbour_whose_left_siblings_are_empty_placeholders_is_left_most()
    {
        var right = SmtLeaf("right") with { Path = [new InnerOp { Hash = HashOp.Sha256, Prefix = (byte[])[1, .. new byte[32]] }] };
        var verdict = SmtNonMembership(right, KeyBelow("right"));
        Assert.True(verdict.IsValid, verdict.ToString());
    }

    [Fact]
    public void Smt_right_neighbour_with_a_real_left_sibling_is_not_left_most()
    {
        var sibling = Enumerable.Repeat((byte)7, 32).ToArray();
        var right = SmtLeaf("right") with { Path = [new InnerOp { Hash = HashOp.Sha256, Prefix = (byte[])[1, .. sibling] }] };
        Assert.Equal(Ics23Error.RightNeighborNotLeftMost, SmtNonMembership(right, KeyBelow("right")).Error);
    }

    [Fact]
    public void Smt_orders_keys_by_their_hash()
    {
        var right = SmtLeaf("right") with { Path = [new InnerOp { Hash = HashOp.Sha256, Prefix = (byte[])[1, .. new byte[32]] }] };
        // A key whose hash is above the neighbour's fails even if the raw key sorts below it.
        var above = Candidates().First(k => string.CompareOrdinal(k, "right") < 0 && Compare(k, "right") > 0);
        Assert.Equal(Ics23Error.KeyNotLeftOfRightNeighbor, SmtNonMembership(right, above).Error);
    }

    private static ExistenceProof SmtLeaf(string key) => new()
    {
        Key = B(key),
        Value = B("v"),
        Leaf = ProofSpecs.Smt.LeafSpec,
    };

    private static Ics23Verdict SmtNonMembership(ExistenceProof right, string key)
    {
        var root = ProofVerifier.Calculate(right);
        return ProofVerifier.VerifyNonMembership(ProofSpecs.Smt, root, new CommitmentProof { Nonexist = new NonExistenceProof { Right = right } }, B(key));
    }

    private static string KeyBelow(string key) => Candidates().First(k => Compare(k, key) < 0);

    private static int Compare(string a, string b) => SHA256.HashData(B(a)).AsSpan().SequenceCompareTo(SHA256.HashData(B(b)));

    private static IEnumerable<string> Candidates() => Enumerable.Range(0, 1000).Select(i => $"a{i}");
}
