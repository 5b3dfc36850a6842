using System.Security.Cryptography;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;
using FsCheck.Xunit;

namespace Citrine.Ics23.Tests.Verification;

/// <summary>Properties over simple Merkle trees (Tendermint spec) of random size and keys, built in the test.</summary>
public sealed class TreeProperties
{
    private static SimpleMerkleTree Tree(byte size, byte seed)
    {
        var count = 1 + (size % 40);
        var items = Enumerable.Range(0, count)
            .Select(i => SHA256.HashData([seed, (byte)i]))
            .Select(h => (Key: h[..(1 + (h[0] % 8))], Value: h[8..(9 + (h[1] % 20))]))
            .DistinctBy(i => Convert.ToHexString(i.Key));
        return new SimpleMerkleTree(items);
    }

    [Property(MaxTest = 60)]
    public bool Every_leaf_is_proven_member_and_every_gap_proven_absent(byte size, byte seed)
    {
        var tree = Tree(size, seed);
        var spec = ProofSpecs.Tendermint;
        for (var i = 0; i < tree.Count; i++)
        {
            var exist = ProofVerifier.VerifyMembership(spec, tree.Root, new CommitmentProof { Exist = tree.Prove(i) }, tree.Key(i), tree.Value(i));
            if (!exist.IsValid)
            {
                return false;
            }
            // The key just above leaf i (append a zero byte) sorts before leaf i+1 unless it is that key.
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
        return true;
    }

    [Property(MaxTest = 200)]
    public bool Any_one_bit_change_of_an_existence_proof_is_rejected(byte size, byte seed, int leaf, int bit)
    {
        var tree = Tree(size, seed);
        var index = (int)((uint)leaf % (uint)tree.Count);
        var bytes = ProofCodec.Encode(new CommitmentProof { Exist = tree.Prove(index) });
        var flipped = TamperTests.Flip(bytes, (int)((uint)bit % (uint)(bytes.Length * 8)));
        if (!ProofCodec.TryDecodeCommitmentProof(flipped, out var proof, out _))
        {
            return true;
        }
        return !ProofVerifier.VerifyMembership(ProofSpecs.Tendermint, tree.Root, proof!, tree.Key(index), tree.Value(index)).IsValid;
    }

    [Property(MaxTest = 100)]
    public bool Any_structural_change_of_the_path_is_rejected(byte size, byte seed, int leaf, byte kind)
    {
        var tree = Tree(size, seed);
        var index = (int)((uint)leaf % (uint)tree.Count);
        var proof = tree.Prove(index);
        var path = proof.Path.ToList();
        switch (kind % 4)
        {
            case 0:
                path.Add(new InnerOp { Hash = HashOp.Sha256, Prefix = new byte[] { 1 }, Suffix = new byte[32] });
                break;
            case 1 when path.Count > 0:
                path.RemoveAt(path.Count - 1);
                break;
            case 2 when path.Count > 0:
                path.Insert(0, path[0]);
                break;
            case 3 when path.Count > 1:
                (path[0], path[1]) = (path[1], path[0]);
                if (ProofCodec.Encode(path[0]).AsSpan().SequenceEqual(ProofCodec.Encode(path[1])))
                {
                    return true;
                }
                break;
            default:
                path.Add(path.Count > 0 ? path[^1] : new InnerOp { Hash = HashOp.Sha256, Prefix = new byte[] { 1 }, Suffix = new byte[32] });
                break;
        }
        var changed = proof with { Path = path };
        return !ProofVerifier.VerifyMembership(ProofSpecs.Tendermint, tree.Root, new CommitmentProof { Exist = changed }, tree.Key(index), tree.Value(index)).IsValid;
    }
}
