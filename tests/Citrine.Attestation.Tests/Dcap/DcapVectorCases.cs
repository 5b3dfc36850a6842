using System.Text.Json;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Crypto.Encoding;
using Citrine.Testing;

namespace Citrine.Attestation.Tests.Dcap;

/// <summary>One case of dcap/EXPECTED.json, loaded from the shared vectors.</summary>
public sealed class DcapVectorCase
{
    public required string Id { get; init; }

    public required byte[] QuoteBytes { get; init; }

    public required QuoteCollateral Collateral { get; init; }

    public required TrustAnchor Root { get; init; }

    public required DateTimeOffset Now { get; init; }

    public required JsonElement Manifest { get; init; }

    public JsonElement Expected => Manifest.GetProperty("expected");
}

/// <summary>Reads the DCAP manifest and the files it names (all through <see cref="Vectors"/>).</summary>
public static class DcapVectorCases
{
    public const string Folder = "dcap";
    public const string Manifest = "dcap/EXPECTED.json";

    public static TheoryData<string> CaseIds() =>
        Vectors.Cases(Folder, dir => Cases(dir).Select(c => c.GetProperty("id").GetString()!));

    public static IEnumerable<JsonElement> Cases(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "EXPECTED.json")));
        return [.. doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone())];
    }

    public static JsonElement ManifestRoot()
    {
        var path = Vectors.Require(Manifest);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.Clone();
    }

    public static byte[] ReadFile(string relative) => File.ReadAllBytes(Vectors.Require(Path.Combine(Folder, relative)));

    /// <summary>Binary file, or hex text with optional 0x prefix.</summary>
    public static byte[] ReadQuote(string relative, bool hex)
    {
        var bytes = ReadFile(relative);
        if (!hex)
        {
            return bytes;
        }
        var text = System.Text.Encoding.ASCII.GetString(bytes).Trim();
        return Hex.Decode(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text);
    }

    public static DcapVectorCase Load(string id)
    {
        Vectors.SkipIfMissing(id);
        var root = ManifestRoot();
        var m = root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);
        var quote = ReadQuote(m.GetProperty("quote").GetString()!, m.GetProperty("quote_encoding").GetString() == "hex");
        var c = m.GetProperty("collateral");
        QuoteCollateral collateral;
        if (c.TryGetProperty("qvl_json", out var qvl))
        {
            collateral = QuoteCollateral.FromQvlJson(ReadFile(qvl.GetString()!));
        }
        else
        {
            IEnumerable<byte[]> Chain(string name) => c.GetProperty(name).EnumerateArray().Select(p => ReadFile(p.GetString()!)).ToList();
            collateral = QuoteCollateral.FromPcsParts(
                ReadFile(c.GetProperty("tcb_info_pcs").GetString()!),
                ReadFile(c.GetProperty("qe_identity_pcs").GetString()!),
                Chain("tcb_info_issuer_chain"),
                Chain("qe_identity_issuer_chain"),
                Chain("pck_crl_issuer_chain"),
                ReadFile(c.GetProperty("pck_crl").GetString()!),
                ReadFile(c.GetProperty("root_ca_crl").GetString()!));
        }
        return new DcapVectorCase
        {
            Id = id,
            QuoteBytes = quote,
            Collateral = collateral,
            Root = TrustAnchor.FromCertificate(ReadFile(m.GetProperty("root_ca").GetString()!)),
            Now = DateTimeOffset.FromUnixTimeSeconds(m.GetProperty("now_unix").GetInt64()),
            Manifest = m,
        };
    }

    /// <summary>The first case whose expected result is OK and whose quote has the given TEE type (0x0 or 0x81).</summary>
    public static DcapVectorCase FirstOk(string teeType)
    {
        var root = ManifestRoot();
        var m = root.GetProperty("cases").EnumerateArray().FirstOrDefault(c =>
            c.GetProperty("expected").GetProperty("result").GetString() == "OK" && c.GetProperty("tee_type").GetString() == teeType);
        Skip.If(m.ValueKind == JsonValueKind.Undefined, $"no OK case with TEE type {teeType} in the manifest");
        return Load(m.GetProperty("id").GetString()!);
    }
}
