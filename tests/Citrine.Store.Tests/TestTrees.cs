using System.Text;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;
using Citrine.Store.Iavl;

namespace Citrine.Store.Tests;

internal static class TestTrees
{
    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Asserts every key's existence proof and the given absent keys' non-existence proofs verify under the IAVL spec.</summary>
    public static void AssertProofsVerify(ImmutableTree tree, IReadOnlyDictionary<string, string> contents, IEnumerable<string> absent)
    {
        var root = tree.RootHash;
        foreach (var (k, v) in contents)
        {
            var proof = tree.GetProof(B(k));
            var verdict = ProofVerifier.VerifyMembership(ProofSpecs.Iavl, root, proof, B(k), B(v));
            Assert.True(verdict.IsValid, $"existence of {k}: {verdict}");
        }
        foreach (var k in absent)
        {
            var proof = tree.GetProof(B(k));
            var verdict = ProofVerifier.VerifyNonMembership(ProofSpecs.Iavl, root, proof, B(k));
            Assert.True(verdict.IsValid, $"non-existence of {k}: {verdict}");
        }
    }

    /// <summary>Asserts the tree's contents equal the model, in order.</summary>
    public static void AssertContents(IEnumerable<KeyValuePair<byte[], byte[]>> actual, SortedDictionary<string, string> model)
    {
        var got = actual.Select(e => (Encoding.UTF8.GetString(e.Key), Encoding.UTF8.GetString(e.Value))).ToList();
        var want = model.Select(e => (e.Key, e.Value)).ToList();
        Assert.Equal(want, got);
    }
}
