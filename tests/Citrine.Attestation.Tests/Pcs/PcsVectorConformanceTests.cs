using System.Text;
using System.Text.Json;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Pcs;
using Citrine.Testing;

namespace Citrine.Attestation.Tests.Pcs;

/// <summary>
/// Every case of dcap/EXPECTED.json served by a loopback PCS in Intel's response format (bodies,
/// URL-encoded PEM issuer-chain headers, DER CRLs) and fetched for its quote: the fetched
/// collateral must be byte-for-byte the collateral the loaders read from the files, and must
/// give the expected verdict.
/// </summary>
[Trait("Category", "Conformance")]
[Trait("Area", "Dcap")]
public sealed class PcsVectorConformanceTests
{
    public static TheoryData<string> Cases => Vectors.Cases("dcap/EXPECTED.json", path =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return [.. doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
    });

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public async Task Collateral_fetched_from_a_loopback_pcs_equals_the_files_and_gives_the_expected_verdict(string caseId)
    {
        Vectors.SkipIfMissing(caseId);
        var dcap = Vectors.Require("dcap");
        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(dcap, "EXPECTED.json")));
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("id").GetString() == caseId);
        string Rel(string p) => Path.Combine(dcap, p);

        var quoteFile = await File.ReadAllBytesAsync(Rel(c.GetProperty("quote").GetString()!));
        var quote = c.GetProperty("quote_encoding").GetString() == "hex"
            ? Convert.FromHexString(Encoding.ASCII.GetString(quoteFile).Trim().Replace("0x", string.Empty, StringComparison.Ordinal))
            : quoteFile;
        var parsed = QuoteParser.Parse(quote);
        var family = parsed.TeeType == TeeType.Tdx ? "tdx" : "sgx";

        var recipe = c.GetProperty("collateral");
        Parts parts;
        QuoteCollateral expected;
        if (recipe.TryGetProperty("qvl_json", out var qvl))
        {
            var json = await File.ReadAllBytesAsync(Rel(qvl.GetString()!));
            expected = QuoteCollateral.FromQvlJson(json);
            using var q = JsonDocument.Parse(json);
            var r = q.RootElement;
            string S(string name) => r.GetProperty(name).GetString()!;
            parts = new Parts(
                "{\"tcbInfo\":" + S("tcb_info") + ",\"signature\":\"" + S("tcb_info_signature") + "\"}",
                "{\"enclaveIdentity\":" + S("qe_identity") + ",\"signature\":\"" + S("qe_identity_signature") + "\"}",
                S("tcb_info_issuer_chain"), S("qe_identity_issuer_chain"), S("pck_crl_issuer_chain"),
                Convert.FromHexString(S("pck_crl")), Convert.FromHexString(S("root_ca_crl")));
        }
        else
        {
            byte[] Bytes(string name) => File.ReadAllBytes(Rel(recipe.GetProperty(name).GetString()!));
            List<byte[]> Chain(string name) => [.. recipe.GetProperty(name).EnumerateArray().Select(p => File.ReadAllBytes(Rel(p.GetString()!)))];
            expected = QuoteCollateral.FromPcsParts(Bytes("tcb_info_pcs"), Bytes("qe_identity_pcs"), Chain("tcb_info_issuer_chain"), Chain("qe_identity_issuer_chain"), Chain("pck_crl_issuer_chain"), Bytes("pck_crl"), Bytes("root_ca_crl"));
            parts = new Parts(
                Encoding.UTF8.GetString(Bytes("tcb_info_pcs")), Encoding.UTF8.GetString(Bytes("qe_identity_pcs")),
                Pem(Chain("tcb_info_issuer_chain")), Pem(Chain("qe_identity_issuer_chain")), Pem(Chain("pck_crl_issuer_chain")),
                Bytes("pck_crl"), Bytes("root_ca_crl"));
        }
        var fmspc = c.GetProperty("fmspc").GetString()!.ToUpperInvariant();

        using var server = new LoopbackPcsServer(target => target switch
        {
            _ when target == $"{family}/certification/v4/tcb?fmspc={fmspc}" => PcsReply.Json(parts.TcbInfo, "TCB-Info-Issuer-Chain", parts.TcbChain),
            _ when target == $"{family}/certification/v4/qe/identity" => PcsReply.Json(parts.QeIdentity, "SGX-Enclave-Identity-Issuer-Chain", parts.QeChain),
            _ when target.StartsWith("sgx/certification/v4/pckcrl?ca=", StringComparison.Ordinal) && target.EndsWith("&encoding=der", StringComparison.Ordinal)
                => PcsReply.Binary(parts.PckCrl, "SGX-PCK-CRL-Issuer-Chain", parts.PckCrlChain),
            "sgx/certification/v4/rootcacrl" => PcsReply.Binary(parts.RootCrl),
            _ => PcsReply.NotFound,
        });
        using var http = new HttpClient();
        var fetched = (await new PcsCollateralClient(http, server.BaseAddress).GetCollateralForQuoteAsync(quote)).ToQuoteCollateral();

        Assert.Equal(expected.Digest, fetched.Digest);
        var now = DateTimeOffset.FromUnixTimeSeconds(c.GetProperty("now_unix").GetInt64());
        var direct = Verifier.Verify(quote, expected, now);
        var viaPcs = Verifier.Verify(quote, fetched, now);
        Assert.Equal(direct.Reason, viaPcs.Reason);
        var outcome = c.GetProperty("expected");
        if (outcome.GetProperty("result").GetString() == "OK")
        {
            Assert.True(viaPcs.IsVerified, $"{viaPcs.Reason}: {viaPcs.Detail}");
            Assert.Equal(Enum.Parse<TcbStatus>(outcome.GetProperty("status").GetString()!), viaPcs.TcbStatus);
            Assert.Equal(outcome.GetProperty("advisory_ids").EnumerateArray().Select(a => a.GetString()!), viaPcs.AdvisoryIds);
        }
        else
        {
            Assert.False(viaPcs.IsVerified);
        }
    }

    private sealed record Parts(string TcbInfo, string QeIdentity, string TcbChain, string QeChain, string PckCrlChain, byte[] PckCrl, byte[] RootCrl);

    private static string Pem(List<byte[]> certificates) => string.Concat(certificates.Select(c =>
        c.AsSpan().StartsWith("-----BEGIN"u8) ? Encoding.ASCII.GetString(c).Trim() + "\n" : System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", c) + "\n"));
}
