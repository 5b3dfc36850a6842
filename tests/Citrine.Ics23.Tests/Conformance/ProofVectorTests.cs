using System.Text.Json;
using Citrine.Crypto.Encoding;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;
using Citrine.Testing;

namespace Citrine.Ics23.Tests.Conformance;

/// <summary>
/// cosmos/ics23 proof vectors (SOURCES.md §3.1): every <c>&lt;spec&gt;/&lt;kind&gt;_*.json</c> below
/// <c>ics23/cosmos-ics23</c>, with the spec named by the directory and the kind (exist/nonexist)
/// by the file name.
/// </summary>
[Trait("Category", "Conformance")]
[Trait("Area", "Ics23")]
public sealed class ProofVectorTests
{
    private const string Folder = "ics23/cosmos-ics23";

    public static TheoryData<string> Cases => Vectors.Cases(Folder, root =>
        Directory.EnumerateDirectories(root)
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*.json"))
            .Select(file => Path.GetRelativePath(root, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal));

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Vector_verifies_as_expected(string id)
    {
        Vectors.SkipIfMissing(id);
        var v = Load(id);
        var verdict = v.Exist
            ? ProofVerifier.VerifyMembership(v.Spec, v.Root, v.Proof, v.Key, v.Value)
            : ProofVerifier.VerifyNonMembership(v.Spec, v.Root, v.Proof, v.Key);
        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.Equal(v.Root, verdict.Root.ToArray());
        Assert.Equal(v.Root, ProofVerifier.Calculate(v.Proof));
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Vector_is_rejected_for_the_opposite_claim(string id)
    {
        Vectors.SkipIfMissing(id);
        var v = Load(id);
        var verdict = v.Exist
            ? ProofVerifier.VerifyNonMembership(v.Spec, v.Root, v.Proof, v.Key)
            : ProofVerifier.VerifyMembership(v.Spec, v.Root, v.Proof, v.Key, [1]);
        Assert.Equal(Ics23Error.ProofKindMismatch, verdict.Error);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Vector_proof_reencodes_to_the_same_bytes(string id)
    {
        Vectors.SkipIfMissing(id);
        var v = Load(id);
        Assert.Equal(Convert.ToHexString(v.ProofBytes), Convert.ToHexString(ProofCodec.Encode(v.Proof)));
    }

    internal sealed record Vector(ProofSpec Spec, bool Exist, byte[] Key, byte[] Value, byte[] Root, byte[] ProofBytes, CommitmentProof Proof);

    internal static Vector Load(string id)
    {
        var path = Path.Combine(Vectors.Require(Folder), id);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        var specName = id.Split('/')[0];
        var spec = ProofSpecs.ByName(specName) ?? throw new InvalidOperationException($"no spec for directory '{specName}'");
        var file = Path.GetFileName(id);
        var exist = file.StartsWith("exist", StringComparison.Ordinal);
        Assert.True(exist || file.StartsWith("nonexist", StringComparison.Ordinal), $"unknown vector kind: {file}");
        var proofBytes = Hex.Decode(r.GetProperty("proof").GetString()!);
        return new Vector(
            spec,
            exist,
            Hex.Decode(r.GetProperty("key").GetString()!),
            Hex.Decode(r.GetProperty("value").GetString() ?? string.Empty),
            Hex.Decode(r.GetProperty("root").GetString()!),
            proofBytes,
            ProofCodec.DecodeCommitmentProof(proofBytes));
    }
}
