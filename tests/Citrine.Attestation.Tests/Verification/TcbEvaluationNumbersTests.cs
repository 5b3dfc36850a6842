using System.Security.Cryptography;
using System.Text;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Policy;
using Citrine.Attestation.Testing;
using Citrine.Attestation.Tests.Dcap;
using Citrine.Attestation.Tests.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Citrine.Attestation.Tests.Verification;

/// <summary>
/// TCB Evaluation Data Numbers: the document's verification (one test per check, each breaking
/// only that check) and the TCB recovery grace-period policy built on it.
/// </summary>
public sealed class TcbEvaluationNumbersTests
{
    private static readonly DateTimeOffset Now = SimulatedPki.Now;

    // Numbers 17 (event 2025-11-11) and 18 (event 2026-02-10, 19 days before Now).
    internal static string Body(string id = "SGX", int version = 1, DateTimeOffset? issue = null, DateTimeOffset? next = null, string? numbers = null) =>
        "{\"id\":\"" + id + "\",\"version\":" + version
        + ",\"issueDate\":\"" + (issue ?? Now.AddDays(-1)).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)
        + "\",\"nextUpdate\":\"" + (next ?? Now.AddDays(29)).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)
        + "\",\"tcbEvalNumbers\":" + (numbers ?? "[{\"tcbEvaluationDataNumber\":18,\"tcbRecoveryEventDate\":\"2026-02-10T00:00:00Z\",\"tcbDate\":\"2026-02-11T00:00:00Z\"},{\"tcbEvaluationDataNumber\":17,\"tcbRecoveryEventDate\":\"2025-11-11T00:00:00Z\",\"tcbDate\":\"2025-11-12T00:00:00Z\"}]") + "}";

    internal static byte[] Response(string body, ECDsa? signer = null)
    {
        var signature = (signer ?? SimulatedPki.Keys.TcbSigning).SignData(Encoding.UTF8.GetBytes(body), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return Encoding.UTF8.GetBytes("{\"tcbEvaluationDataNumbers\":" + body + ",\"signature\":\"" + Convert.ToHexStringLower(signature) + "\"}");
    }

    private static TcbEvaluationNumbersVerdict Verify(byte[] response, SimulatedDcapEvidence? evidence = null, TeeType tee = TeeType.Sgx, DateTimeOffset? now = null, TrustAnchor? anchor = null)
    {
        evidence ??= SimulatedPki.Sgx();
        return TcbEvaluationNumbersVerifier.Verify(response, Encoding.UTF8.GetBytes(evidence.TcbSigningChainPem), evidence.RootCrlDer, tee, now ?? Now, anchor ?? TrustAnchor.FromCertificate(evidence.TrustedRootDer));
    }

    private static void AssertFails(TcbEvaluationNumbersReason expected, TcbEvaluationNumbersVerdict verdict)
    {
        Assert.False(verdict.IsVerified);
        Assert.Null(verdict.Document);
        Assert.True(expected == verdict.Reason, $"expected {expected}, got {verdict.Reason}: {verdict.Detail}");
    }

    [Fact]
    public void Verify_accepts_a_document_signed_by_the_tcb_signing_key_under_the_pinned_root()
    {
        var verdict = Verify(Response(Body()));
        Assert.True(verdict.IsVerified, verdict.Detail);
        Assert.Equal([18, 17], verdict.Document!.Numbers.Select(n => n.Number));
        Assert.Equal("TDX", Verify(Response(Body("TDX")), tee: TeeType.Tdx).Document!.Id);
    }

    [Fact]
    public void Verify_rejects_a_document_signed_by_a_pck_leaf_under_its_pck_chain() =>
        AssertFails(TcbEvaluationNumbersReason.SignerChainLengthInvalid, Verify(Response(Body(), SimulatedPki.Keys.PckLeaf), SimulatedPki.Sgx(DcapFault.TcbSignerIsPckLeaf)));

    [Fact]
    public void Verify_rejects_a_signer_below_an_intermediate_ca() =>
        AssertFails(TcbEvaluationNumbersReason.SignerChainLengthInvalid, Verify(Response(Body()), SimulatedPki.Sgx(DcapFault.TcbSignerChainTooLong)));

    [Fact]
    public void Verify_rejects_a_signer_not_named_tcb_signing() =>
        AssertFails(TcbEvaluationNumbersReason.SignerNameInvalid, Verify(Response(Body()), SimulatedPki.Sgx(DcapFault.TcbSignerWrongCn)));

    [Fact]
    public void Verify_rejects_a_pck_ca_as_signer() =>
        AssertFails(TcbEvaluationNumbersReason.SignerNameInvalid, Verify(Response(Body(), SimulatedPki.Keys.PckCa), SimulatedPki.Sgx(DcapFault.TcbSignerIsPckCa)));

    [Fact]
    public void Verify_rejects_a_signer_that_is_a_ca() =>
        AssertFails(TcbEvaluationNumbersReason.SignerIsCa, Verify(Response(Body()), SimulatedPki.Sgx(DcapFault.TcbSignerIsCa)));

    [Fact]
    public void Verify_rejects_a_signer_with_the_pck_extension() =>
        AssertFails(TcbEvaluationNumbersReason.SignerHasPckExtension, Verify(Response(Body()), SimulatedPki.Sgx(DcapFault.TcbSignerWithPckExtension)));

    [Fact]
    public void Verify_rejects_a_signer_with_an_unknown_critical_extension() =>
        AssertFails(TcbEvaluationNumbersReason.UnknownCriticalExtension, Verify(Response(Body()), SimulatedPki.Sgx(DcapFault.TcbSignerUnknownCriticalExtension)));

    [Fact]
    public void Default_verdict_is_not_verified() => Assert.False(default(TcbEvaluationNumbersVerdict).IsVerified);

    [Fact]
    public void Verify_rejects_a_response_that_is_not_a_pcs_document() =>
        AssertFails(TcbEvaluationNumbersReason.Malformed, Verify("{\"tcbInfo\":{}}"u8.ToArray()));

    [Fact]
    public void Verify_rejects_a_signed_document_that_lists_no_number() =>
        AssertFails(TcbEvaluationNumbersReason.Malformed, Verify(Response(Body(numbers: "[]"))));

    [Fact]
    public void Verify_rejects_a_chain_ending_in_another_root() =>
        AssertFails(TcbEvaluationNumbersReason.UntrustedRoot, Verify(Response(Body()), anchor: TrustAnchor.IntelSgxRootCa));

    [Fact]
    public void Verify_rejects_a_signing_certificate_not_signed_by_the_root() =>
        AssertFails(TcbEvaluationNumbersReason.IssuerChainInvalid, Verify(Response(Body()), SimulatedPki.Sgx(DcapFault.TcbSigningCertSignatureInvalid)));

    [Fact]
    public void Verify_rejects_an_expired_signing_certificate() =>
        AssertFails(TcbEvaluationNumbersReason.IssuerChainNotValidAtNow, Verify(Response(Body()), SimulatedPki.Sgx(DcapFault.TcbSigningCertExpired)));

    [Fact]
    public void Verify_rejects_a_root_crl_issued_by_another_ca() =>
        AssertFails(TcbEvaluationNumbersReason.RootCrlIssuerMismatch, Verify(Response(Body()), SimulatedPki.Sgx(DcapFault.RootCrlWrongIssuer)));

    [Fact]
    public void Verify_rejects_a_root_crl_with_a_bad_signature() =>
        AssertFails(TcbEvaluationNumbersReason.RootCrlSignatureInvalid, Verify(Response(Body()), SimulatedPki.Sgx(DcapFault.RootCrlBadSignature)));

    [Fact]
    public void Verify_rejects_an_expired_root_crl() =>
        AssertFails(TcbEvaluationNumbersReason.RootCrlNotValidAtNow, Verify(Response(Body()), SimulatedPki.Sgx(DcapFault.RootCrlExpired)));

    [Fact]
    public void Verify_rejects_a_revoked_signing_certificate() =>
        AssertFails(TcbEvaluationNumbersReason.SigningCertificateRevoked, Verify(Response(Body()), SimulatedPki.Sgx(DcapFault.TcbSigningCertRevoked)));

    [Fact]
    public void Verify_rejects_a_document_signed_by_another_key() =>
        AssertFails(TcbEvaluationNumbersReason.SignatureInvalid, Verify(Response(Body(), SimulatedPki.Keys.Impostor)));

    [Fact]
    public void Verify_rejects_a_document_altered_after_signing()
    {
        var response = Response(Body());
        var text = Encoding.UTF8.GetString(response).Replace("\"tcbEvaluationDataNumber\":18", "\"tcbEvaluationDataNumber\":19", StringComparison.Ordinal);
        AssertFails(TcbEvaluationNumbersReason.SignatureInvalid, Verify(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Verify_rejects_an_unknown_version() =>
        AssertFails(TcbEvaluationNumbersReason.VersionUnsupported, Verify(Response(Body(version: 2))));

    [Fact]
    public void Verify_rejects_the_other_tee_document() =>
        AssertFails(TcbEvaluationNumbersReason.IdMismatch, Verify(Response(Body("TDX")), tee: TeeType.Sgx));

    [Fact]
    public void Verify_rejects_a_document_past_its_next_update() =>
        AssertFails(TcbEvaluationNumbersReason.NotValidAtNow, Verify(Response(Body(next: Now.AddSeconds(-1)))));

    [Fact]
    public void Verify_rejects_a_document_not_yet_issued() =>
        AssertFails(TcbEvaluationNumbersReason.NotValidAtNow, Verify(Response(Body(issue: Now.AddSeconds(1)))));

    [Fact]
    public void Every_reason_has_a_test()
    {
        var tested = typeof(TcbEvaluationNumbersTests).GetMethods()
            .Where(m => m.GetCustomAttributes(typeof(FactAttribute), false).Length > 0)
            .Select(m => m.Name)
            .ToList();
        var expectedTests = new Dictionary<TcbEvaluationNumbersReason, string>
        {
            [TcbEvaluationNumbersReason.Unset] = nameof(Default_verdict_is_not_verified),
            [TcbEvaluationNumbersReason.Verified] = nameof(Verify_accepts_a_document_signed_by_the_tcb_signing_key_under_the_pinned_root),
            [TcbEvaluationNumbersReason.Malformed] = nameof(Verify_rejects_a_response_that_is_not_a_pcs_document),
            [TcbEvaluationNumbersReason.UntrustedRoot] = nameof(Verify_rejects_a_chain_ending_in_another_root),
            [TcbEvaluationNumbersReason.IssuerChainInvalid] = nameof(Verify_rejects_a_signing_certificate_not_signed_by_the_root),
            [TcbEvaluationNumbersReason.IssuerChainNotValidAtNow] = nameof(Verify_rejects_an_expired_signing_certificate),
            [TcbEvaluationNumbersReason.RootCrlIssuerMismatch] = nameof(Verify_rejects_a_root_crl_issued_by_another_ca),
            [TcbEvaluationNumbersReason.RootCrlSignatureInvalid] = nameof(Verify_rejects_a_root_crl_with_a_bad_signature),
            [TcbEvaluationNumbersReason.RootCrlNotValidAtNow] = nameof(Verify_rejects_an_expired_root_crl),
            [TcbEvaluationNumbersReason.SigningCertificateRevoked] = nameof(Verify_rejects_a_revoked_signing_certificate),
            [TcbEvaluationNumbersReason.SignatureInvalid] = nameof(Verify_rejects_a_document_signed_by_another_key),
            [TcbEvaluationNumbersReason.VersionUnsupported] = nameof(Verify_rejects_an_unknown_version),
            [TcbEvaluationNumbersReason.IdMismatch] = nameof(Verify_rejects_the_other_tee_document),
            [TcbEvaluationNumbersReason.NotValidAtNow] = nameof(Verify_rejects_a_document_past_its_next_update),
            [TcbEvaluationNumbersReason.SignerChainLengthInvalid] = nameof(Verify_rejects_a_document_signed_by_a_pck_leaf_under_its_pck_chain),
            [TcbEvaluationNumbersReason.SignerNameInvalid] = nameof(Verify_rejects_a_signer_not_named_tcb_signing),
            [TcbEvaluationNumbersReason.SignerIsCa] = nameof(Verify_rejects_a_signer_that_is_a_ca),
            [TcbEvaluationNumbersReason.SignerHasPckExtension] = nameof(Verify_rejects_a_signer_with_the_pck_extension),
            [TcbEvaluationNumbersReason.UnknownCriticalExtension] = nameof(Verify_rejects_a_signer_with_an_unknown_critical_extension),
        };
        foreach (var reason in Enum.GetValues<TcbEvaluationNumbersReason>())
        {
            Assert.True(expectedTests.TryGetValue(reason, out var test) && tested.Contains(test), $"reason {reason} has no test");
        }
    }

    /// <summary>
    /// Intel's real documents from the vectors: each TCB Evaluation Data Numbers item of the DCAP
    /// manifest is verified with the issuer chain, root CA CRL, root and time of a quote case whose
    /// TCB Info was signed by the same certificate.
    /// </summary>
    [SkippableFact]
    [Trait("Category", "Conformance")]
    [Trait("Area", "Dcap")]
    public void Real_tcb_evaluation_data_numbers_verify_under_the_intel_root()
    {
        var root = DcapVectorCases.ManifestRoot();
        var cases = root.GetProperty("cases").EnumerateArray().ToList();
        var verified = 0;
        foreach (var item in root.GetProperty("collateral_signature_checks").GetProperty("items").EnumerateArray())
        {
            if (item.GetProperty("signed_object_key").GetString() != "tcbEvaluationDataNumbers")
            {
                continue;
            }
            var signer = item.GetProperty("signer_cert").GetString()!;
            var match = cases.FirstOrDefault(c => c.TryGetProperty("collateral", out var col)
                && col.TryGetProperty("tcb_info_issuer_chain", out var chain) && chain.GetArrayLength() > 0
                && chain[0].GetString() == signer && col.TryGetProperty("root_ca_crl", out _));
            Assert.True(match.ValueKind == System.Text.Json.JsonValueKind.Object, $"no quote case shares the signer {signer}");
            var collateral = match.GetProperty("collateral");
            var pem = string.Concat(collateral.GetProperty("tcb_info_issuer_chain").EnumerateArray()
                .Select(f => PemOf(DcapVectorCases.ReadFile(f.GetString()!))));
            var now = DateTimeOffset.Parse(match.GetProperty("now_utc").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            var tee = item.GetProperty("id").GetString() == "TDX" ? TeeType.Tdx : TeeType.Sgx;
            var verdict = TcbEvaluationNumbersVerifier.Verify(
                DcapVectorCases.ReadFile(item.GetProperty("file").GetString()!),
                Encoding.ASCII.GetBytes(pem),
                DcapVectorCases.ReadFile(collateral.GetProperty("root_ca_crl").GetString()!),
                tee,
                now,
                TrustAnchor.FromCertificate(DcapVectorCases.ReadFile(match.GetProperty("root_ca").GetString()!)));
            Assert.Equal(item.GetProperty("signature_valid").GetBoolean(), verdict.IsVerified);
            if (verdict.IsVerified)
            {
                Assert.Equal(item.GetProperty("version").GetInt32(), verdict.Document!.Version);
                Assert.NotEmpty(verdict.Document.Numbers);
                verified++;
            }
        }
        Assert.True(verified > 0, "the manifest lists no valid TCB Evaluation Data Numbers document");
    }

    private static string PemOf(byte[] certificate) =>
        certificate.AsSpan().StartsWith("-----"u8)
            ? Encoding.ASCII.GetString(certificate)
            : "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(certificate, Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE-----\n";

    // ---------------------------------------------------------------- the grace period

    [Fact]
    public void Required_number_is_the_newest_event_older_than_the_grace_period()
    {
        var doc = Verify(Response(Body())).Document!;
        // Event 18 is 19 days and 12 hours before Now: enforced with a 7-day grace, not with 30 days.
        Assert.Equal(18, doc.RequiredAfterGrace(Now, TimeSpan.FromDays(7)).Number);
        Assert.Equal(17, doc.RequiredAfterGrace(Now, TimeSpan.FromDays(30)).Number);
        // No event is old enough: the lowest number still published.
        Assert.Equal(17, doc.RequiredAfterGrace(Now, TimeSpan.FromDays(3000)).Number);
    }

    [Property(MaxTest = 200)]
    public Property Required_number_never_decreases_as_time_passes() =>
        Prop.ForAll(
            Gen.Choose(0, 400).ToArbitrary(),
            Gen.Choose(0, 400).ToArbitrary(),
            Gen.Choose(0, 60).ToArbitrary(),
            (a, b, grace) =>
            {
                var doc = Verify(Response(Body())).Document!;
                var (early, late) = (Math.Min(a, b), Math.Max(a, b));
                var start = new DateTimeOffset(2025, 10, 1, 0, 0, 0, TimeSpan.Zero);
                var g = TimeSpan.FromDays(grace);
                return doc.RequiredAfterGrace(start.AddDays(early), g).Number <= doc.RequiredAfterGrace(start.AddDays(late), g).Number;
            });

    private static AttestationPolicy Grace(int days) => AttestationPolicy.FromJson(Encoding.UTF8.GetBytes("{\"tcb_recovery_grace_days\":" + days + "}"));

    private static (DcapVerdict Verdict, TcbEvaluationNumbersVerdict Numbers) Evidence(int collateralNumber)
    {
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest { Now = Now, Tee = SimulatedTee.Sgx, QuoteVersion = 3, TcbEvaluationDataNumber = collateralNumber });
        var verdict = SimulatedVerification.Verify(evidence);
        Assert.True(verdict.IsVerified, verdict.Detail);
        return (verdict, Verify(Response(Body()), evidence));
    }

    [Fact]
    public void Policy_accepts_collateral_at_the_required_number()
    {
        var (verdict, numbers) = Evidence(18);
        Assert.True(PolicyEvaluator.Evaluate(verdict, Grace(7), numbers, Now).IsAccepted);
    }

    [Fact]
    public void Policy_accepts_older_collateral_while_the_recovery_is_in_its_grace_period()
    {
        var (verdict, numbers) = Evidence(17);
        Assert.True(PolicyEvaluator.Evaluate(verdict, Grace(30), numbers, Now).IsAccepted);
    }

    [Fact]
    public void Policy_rejects_collateral_older_than_a_recovery_whose_grace_period_is_over()
    {
        var (verdict, numbers) = Evidence(17);
        var result = PolicyEvaluator.Evaluate(verdict, Grace(7), numbers, Now);
        Assert.Equal(PolicyReason.TcbRecoveryRequired, result.Reason);
        Assert.Contains("18", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_with_a_grace_period_requires_the_verified_document()
    {
        var (verdict, _) = Evidence(18);
        Assert.Equal(PolicyReason.TcbEvaluationDataNumbersMissing, PolicyEvaluator.Evaluate(verdict, Grace(7)).Reason);
        var refused = Verify(Response(Body(), SimulatedPki.Keys.Impostor));
        Assert.Equal(PolicyReason.TcbEvaluationDataNumbersMissing, PolicyEvaluator.Evaluate(verdict, Grace(7), refused, Now).Reason);
    }

    [Fact]
    public void Policy_refuses_the_document_of_the_other_tee()
    {
        var (verdict, _) = Evidence(18);
        var tdxNumbers = Verify(Response(Body("TDX")), tee: TeeType.Tdx);
        Assert.True(tdxNumbers.IsVerified);
        var result = PolicyEvaluator.Evaluate(verdict, Grace(7), tdxNumbers, Now);
        Assert.Equal(PolicyReason.TcbEvaluationDataNumbersMissing, result.Reason);
        Assert.Contains("TDX", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"tcb_recovery_grace_days\":3651}")]
    [InlineData("{\"tcb_recovery_grace_days\":-1}")]
    [InlineData("{\"tcb_recovery_grace_days\":\"7\"}")]
    public void Policy_json_rejects_a_bad_grace_period(string json) =>
        Assert.Throws<PolicyFormatException>(() => AttestationPolicy.FromJson(Encoding.UTF8.GetBytes(json)));
}
