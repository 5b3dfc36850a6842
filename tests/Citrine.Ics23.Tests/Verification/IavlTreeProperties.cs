using System.Security.Cryptography;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;
using FsCheck.Xunit;

namespace Citrine.Ics23.Tests.Verification;

/// <summary>
/// IAVL-spec proofs (with the IAVL prefix rules) over IAVL-shaped trees built in the test,
/// including non-existence between two neighbours, which the cosmos-ics23 vectors do not cover.
/// </summary>
public sealed class IavlTreeProperties
{
    private static IavlTestTree Tree(byte size, byte seed) => new(
        Enumerable.Range(0, 1 + (size % 50))
            .Select(i => SHA256.HashData([seed, (byte)i, 0xAA]))
            .Select(h => (Key: h[..(1 + (h[0] % 6))], Value: h[6..(7 + (h[1] % 20))]))
            .DistinctBy(i => Convert.ToHexString(i.Key)));

    [Property(MaxTest = 60)]
    public bool Every_leaf_is_an_iavl_member_and_every_gap_is_absent(byte size, byte seed)
    {
        var tree = Tree(size, seed);
        var spec = ProofSpecs.Iavl;
        for (var i = 0; i < tree.Count; i++)
        {
            if (!ProofVerifier.VerifyMembership(spec, tree.Root, new CommitmentProof { Exist = tree.Prove(i) }, tree.Key(i), tree.Value(i)).IsValid)
            {
                return false;
            }
            byte[] gap = [.. tree.Key(i), 0];
            if (i + 1 < tree.Count && gap.AsSpan().SequenceEqual(tree.Key(i + 1)))
            {
                continue;
            }
            var nonexist = new NonExistenceProof { Key = gap, Left = tree.Prove(i), Right = i + 1 < tree.Count ? tree.Prove(i + 1) : null };
            if (!ProofVerifier.VerifyNonMembership(spec, tree.Root, new CommitmentProof { Nonexist = nonexist }, gap).IsValid)
            {
                return false;
            }
        }
        // The empty key sorts below every key: the left-most leaf alone proves it absent.
        var first = new NonExistenceProof { Right = tree.Prove(0) };
        return ProofVerifier.VerifyNonMembership(spec, tree.Root, new CommitmentProof { Nonexist = first }, []).IsValid;
    }

    [Property(MaxTest = 60)]
    public bool Iavl_neighbours_that_skip_a_leaf_are_rejected(byte size, byte seed, int at)
    {
        var tree = Tree((byte)(size | 2), seed);
        if (tree.Count < 3)
        {
            return true;
        }
        var i = (int)((uint)at % (uint)(tree.Count - 2));
        byte[] key = [.. tree.Key(i), 0];
        if (key.AsSpan().SequenceCompareTo(tree.Key(i + 1)) >= 0)
        {
            return true;
        }
        var proof = new NonExistenceProof { Left = tree.Prove(i), Right = tree.Prove(i + 2) };
        return ProofVerifier.VerifyNonMembership(ProofSpecs.Iavl, tree.Root, new CommitmentProof { Nonexist = proof }, key).Error == Ics23Error.NotNeighbors;
    }

    [Fact]
    public void Iavl_height_below_layer_is_rejected_on_a_test_built_tree()
    {
        var tree = new IavlTestTree(Enumerable.Range(0, 8).Select(i => (new[] { (byte)(i + 1) }, new[] { (byte)i, (byte)7 })));
        var proof = tree.Prove(3);
        // The third step claims height 2 (zig-zag 0x04) at layer 3.
        var changed = proof with { Path = [.. proof.Path.Select((op, j) => j == 2 ? op with { Prefix = (byte[])[0x04, .. op.Prefix.Span[1..]] } : op)] };
        var verdict = ProofVerifier.VerifyMembership(ProofSpecs.Iavl, tree.Root, new CommitmentProof { Exist = changed }, tree.Key(3), tree.Value(3));
        Assert.Equal(Ics23Error.IavlHeightTooLow, verdict.Error);
        Assert.True(ProofVerifier.VerifyMembership(ProofSpecs.Iavl, tree.Root, new CommitmentProof { Exist = proof }, tree.Key(3), tree.Value(3)).IsValid);
    }
}
