using System.Text.Json;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Policy;
using Citrine.Crypto.Encoding;

namespace Citrine.Attestation.Tests.Dcap;

[Trait("Category", "Conformance")]
[Trait("Area", "Dcap")]
public sealed class ConformanceTests
{
    public static TheoryData<string> Cases => DcapVectorCases.CaseIds();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Case_gives_the_expected_result_status_and_advisories(string id)
    {
        var c = DcapVectorCases.Load(id);
        var result = PolicyEvaluator.VerifyAndEvaluate(c.QuoteBytes, c.Collateral, c.Now, new VerifierOptions { TrustAnchor = c.Root });
        var expected = c.Expected;
        var verdict = result.Verification;
        if (expected.GetProperty("result").GetString() == "OK")
        {
            Assert.True(verdict.IsVerified, $"{id}: {verdict.Reason} {verdict.Detail}");
            // The default policy takes only UpToDate and SWHardeningNeeded; a policy naming the status takes it.
            var byDefault = AttestationPolicy.DefaultAcceptedTcbStatuses.Contains(verdict.TcbStatus!.Value) ? PolicyReason.None : PolicyReason.TcbStatusNotAccepted;
            Assert.True(byDefault == result.Policy.Reason, $"{id}: {result.Policy.Reason} {result.Policy.Detail}");
            var named = PolicyEvaluator.Evaluate(verdict, new AttestationPolicy { AcceptedTcbStatuses = [verdict.TcbStatus.Value] });
            Assert.True(named.IsAccepted, $"{id}: {named.Reason} {named.Detail}");
            Assert.Equal(expected.GetProperty("status").GetString(), verdict.TcbStatus.ToString());
            var advisories = expected.GetProperty("advisory_ids").EnumerateArray().Select(a => a.GetString()!).ToHashSet();
            Assert.True(advisories.SetEquals(verdict.AdvisoryIds), $"{id}: advisories {string.Join(",", verdict.AdvisoryIds)}");
        }
        else
        {
            Assert.False(result.IsAccepted, $"{id}: accepted but the manifest expects ERROR");
            var errorClass = expected.GetProperty("error_class").GetString();
            // error_class is a hint in plain words; map the ones the manifest uses to our codes.
            var expectedReason = errorClass switch
            {
                "pck_crl_expired" => VerificationReason.PckCrlNotValidAtNow,
                "tcb_level_not_found" => VerificationReason.TcbLevelNotFound,
                _ => (VerificationReason?)null,
            };
            if (expectedReason is { } r)
            {
                Assert.Equal(r, verdict.Reason);
            }
        }
        CheckDecodedFacts(c.Manifest, QuoteParser.Parse(c.QuoteBytes));
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Case_verdict_facts_equal_the_manifest(string id)
    {
        var c = DcapVectorCases.Load(id);
        var verdict = Verifier.Verify(c.QuoteBytes, c.Collateral, c.Now, new VerifierOptions { TrustAnchor = c.Root });
        Assert.Equal(c.Manifest.GetProperty("report_data").GetString(), Hex.Encode(verdict.ReportData!));
        var qe = c.Manifest.GetProperty("qe_identity_status");
        if (qe.ValueKind == JsonValueKind.Object && verdict.QeTcbStatus is { } qeStatus)
        {
            Assert.Equal(qe.GetProperty("status").GetString(), qeStatus.ToString());
        }
        var module = c.Manifest.GetProperty("tdx_module_status");
        if (module.ValueKind == JsonValueKind.Object && verdict.IsVerified)
        {
            // Module major version 0 has no level of its own: then the manifest's module status is UpToDate.
            Assert.Equal(module.GetProperty("status").GetString(), (verdict.TdxModuleTcbStatus ?? TcbStatus.UpToDate).ToString());
        }
        var final = c.Manifest.GetProperty("final_tcb_status");
        if (final.ValueKind == JsonValueKind.Object && verdict.IsVerified)
        {
            Assert.Equal(final.GetProperty("status").GetString(), verdict.TcbStatus.ToString());
        }
        var platform = c.Manifest.GetProperty("platform_tcb_status");
        if (platform.ValueKind == JsonValueKind.Object && verdict.PlatformTcbStatus is { } ps)
        {
            Assert.Equal(platform.GetProperty("status").GetString(), ps.ToString());
        }
    }

    [SkippableFact]
    public void Certificate_chain_checks_give_the_expected_signature_results()
    {
        var root = DcapVectorCases.ManifestRoot();
        Skip.IfNot(root.TryGetProperty("certificate_chain_checks", out var checks), "manifest has no certificate_chain_checks");
        var count = 0;
        foreach (var check in checks.EnumerateArray())
        {
            var chain = check.GetProperty("chain").EnumerateArray().Select(p => Load(p.GetString()!)).ToList();
            var anchor = TrustAnchor.FromCertificate(chain[^1].Der);
            var failure = PreparedCollateral.ChainFailure(chain, anchor, "chain");
            Assert.Equal(check.GetProperty("expected_signatures_valid").GetBoolean(), failure is null);
            count++;
        }
        Assert.True(count > 0);
    }

    [SkippableFact]
    public void Collateral_signature_checks_give_the_expected_results()
    {
        var root = DcapVectorCases.ManifestRoot();
        var items = root.GetProperty("collateral_signature_checks").GetProperty("items");
        var count = 0;
        foreach (var item in items.EnumerateArray())
        {
            var file = item.GetProperty("file").GetString()!;
            var doc = SignedDocument.FromPcsResponse(DcapVectorCases.ReadFile(file), item.GetProperty("signed_object_key").GetString()!);
            var signer = Load(item.GetProperty("signer_cert").GetString()!);
            Assert.Equal(item.GetProperty("signature_valid").GetBoolean(), EcdsaP256.VerifyRaw(signer.PublicKey, doc.Body, doc.Signature));
            using var json = JsonDocument.Parse(doc.Body);
            Assert.Equal(item.GetProperty("id").GetString(), json.RootElement.GetProperty("id").GetString());
            Assert.Equal(item.GetProperty("version").GetInt32(), json.RootElement.GetProperty("version").GetInt32());
            switch (item.GetProperty("signed_object_key").GetString())
            {
                case "tcbInfo":
                    var tcb = TcbInfo.Parse(doc.Body);
                    Assert.Equal(item.GetProperty("fmspc").GetString()!, Hex.Encode(tcb.Fmspc), StringComparer.OrdinalIgnoreCase);
                    Assert.Equal(DateTimeOffset.Parse(item.GetProperty("nextUpdate").GetString()!, System.Globalization.CultureInfo.InvariantCulture), tcb.NextUpdate);
                    break;
                case "enclaveIdentity":
                    Assert.Equal(DateTimeOffset.Parse(item.GetProperty("issueDate").GetString()!, System.Globalization.CultureInfo.InvariantCulture), EnclaveIdentity.Parse(doc.Body).IssueDate);
                    break;
                case "tcbEvaluationDataNumbers":
                    Assert.NotEmpty(TcbEvaluationDataNumbers.Parse(doc.Body).Numbers);
                    break;
            }
            count++;
        }
        Assert.True(count > 0);
    }

    private static DcapCertificate Load(string relative)
    {
        var bytes = DcapVectorCases.ReadFile(relative);
        var pem = PemText.DecodeAll(bytes, "CERTIFICATE", relative);
        return DcapCertificate.Parse(pem.Count == 1 ? pem[0] : bytes, relative);
    }

    private static void CheckDecodedFacts(JsonElement m, Quote quote)
    {
        Assert.Equal(m.GetProperty("quote_version").GetInt32(), quote.Version);
        Assert.Equal(Convert.ToUInt32(m.GetProperty("tee_type").GetString(), 16), (uint)quote.TeeType);
        var body = m.GetProperty("report_body").GetString();
        Assert.Equal(body, quote.BodyType switch { ReportBodyType.Sgx => "SGX", ReportBodyType.Td10 => "TD10", _ => "TD15" });
        Assert.Equal(m.GetProperty("qe_report_isvsvn").GetInt32(), quote.QeReport.IsvSvn);
        if (m.TryGetProperty("mrenclave", out var mrenclave))
        {
            Assert.Equal(mrenclave.GetString(), Hex.Encode(quote.SgxBody!.MrEnclave));
            Assert.Equal(m.GetProperty("mrsigner").GetString(), Hex.Encode(quote.SgxBody.MrSigner));
        }
        if (m.TryGetProperty("mr_td", out var mrtd))
        {
            Assert.Equal(mrtd.GetString(), Hex.Encode(quote.TdBody!.MrTd));
        }
        var chain = PemText.DecodeAll(quote.PckChainPem, "CERTIFICATE", "pck");
        var pck = PckExtensions.FromCertificate(DcapCertificate.Parse(chain[0]));
        Assert.Equal(m.GetProperty("fmspc").GetString(), Hex.Encode(pck.Fmspc));
        Assert.Equal(m.GetProperty("pce_svn").GetInt32(), pck.PceSvn);
        Assert.Equal(m.GetProperty("cpu_svn").GetString(), Hex.Encode(pck.CpuSvn));
    }
}
