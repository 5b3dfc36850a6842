using System.Text.Json;
using Citrine.CometBft.Types;
using Citrine.Testing;

namespace Citrine.CometBft.Tests.Crypto;

/// <summary>
/// ed25519-speccheck edge cases (SOURCES.md §2.4). CometBFT verifies with ZIP-215 rules. The light
/// client (<c>Validator.VerifySignature</c>) asks libsodium first and falls back to its own ZIP-215
/// check; libsodium alone (<c>VerifyStrict</c>, <c>Citrine.Crypto.Signatures.Ed25519.Verify</c>)
/// is stricter. Each case asserts what each path ACTUALLY does, with the ZIP-215 result beside it
/// (docs/ed25519.md lists the differences).
/// </summary>
[Trait("Category", "Conformance")]
[Trait("Area", "CometBft")]
public sealed class Ed25519SpeccheckTests
{
    private const string CasesFile = "cometbft/ed25519-speccheck/cases.json";

    // SOURCES.md §2.4: ZIP-215 (CometBFT, tendermint-rs, "Zebra" row of results.md).
    private static readonly bool[] Zip215 = [true, true, true, true, true, true, false, false, false, true, true, true];

    // The light client's behaviour, as measured by this test and recorded in docs/ed25519.md.
    private static readonly bool[] Ours = [true, true, true, true, true, true, false, false, false, true, true, true];

    // libsodium alone (via NSec), as measured by this test and recorded in docs/ed25519.md.
    private static readonly bool[] Strict = [false, false, false, true, false, false, false, false, false, false, false, false];

    public static TheoryData<string> Cases() => Vectors.Cases(CasesFile, path =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return Enumerable.Range(0, doc.RootElement.GetArrayLength()).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
    });

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Speccheck_case_verifies_as_documented(string caseId)
    {
        Vectors.SkipIfMissing(caseId);
        var index = int.Parse(caseId, System.Globalization.CultureInfo.InvariantCulture);
        Skip.If(index >= Ours.Length, $"case {index} is new: record our result and the ZIP-215 one in docs/ed25519.md");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Vectors.Require(CasesFile)));
        var c = doc.RootElement[index];
        var message = Convert.FromHexString(c.GetProperty("message").GetString()!);
        var publicKey = Convert.FromHexString(c.GetProperty("pub_key").GetString()!);
        var signature = Convert.FromHexString(c.GetProperty("signature").GetString()!);

        var validator = Validator.FromPublicKey(publicKey, 1);
        var accepted = validator.VerifySignature(message, signature);
        Assert.True(Ours[index] == accepted,
            $"case {index}: we {(accepted ? "accept" : "reject")}, documented {(Ours[index] ? "accept" : "reject")} (ZIP-215: {(Zip215[index] ? "accept" : "reject")})");
        var strict = validator.VerifyStrict(message, signature);
        Assert.True(Strict[index] == strict, $"case {index}: libsodium {(strict ? "accepts" : "rejects")}, documented {(Strict[index] ? "accept" : "reject")}");
        Assert.Equal(strict, Citrine.Crypto.Signatures.Ed25519.Verify(publicKey, message, signature));
    }

    [Fact]
    public void Differences_from_zip215_are_exactly_the_documented_cases()
    {
        Assert.Equal(Zip215, Ours);
        Assert.Equal([0, 1, 2, 4, 5, 9, 10, 11], Enumerable.Range(0, Zip215.Length).Where(i => Zip215[i] != Strict[i]));
    }
}
