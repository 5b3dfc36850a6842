using System.Text;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Policy;
using Citrine.Attestation.Tests.Dcap;
using Citrine.Crypto.Encoding;

namespace Citrine.Attestation.Tests.Policy;

/// <summary>
/// Policy is a separate step: each rule is tested on a verified verdict of a real vector, with
/// only that rule violated. Security-default tests put a re-parsed (unverified) quote with the
/// one field changed into the verdict, since the policy step only reads the verdict.
/// </summary>
public sealed class PolicyEvaluatorTests
{
    private static DcapVerdict Verified(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var v = Verifier.Verify(c.QuoteBytes, c.Collateral, c.Now, new VerifierOptions { TrustAnchor = c.Root });
        Assert.True(v.IsVerified, v.Detail);
        return v;
    }

    private static DcapVerdict WithQuote(DcapVerdict v, Action<byte[]> change)
    {
        var bytes = DcapVectorCases.FirstOk(v.TeeType == TeeType.Tdx ? "0x81" : "0x0").QuoteBytes;
        var copy = (byte[])bytes.Clone();
        change(copy);
        return v with { Quote = QuoteParser.Parse(copy) };
    }

    [SkippableTheory]
    [InlineData("0x0")]
    [InlineData("0x81")]
    public void Security_defaults_accept_the_vector_only_when_up_to_date_or_sw_hardening_needed(string tee)
    {
        var v = Verified(tee);
        var expected = v.TcbStatus is TcbStatus.UpToDate or TcbStatus.SWHardeningNeeded ? PolicyReason.None : PolicyReason.TcbStatusNotAccepted;
        Assert.Equal(expected, PolicyEvaluator.Evaluate(v, AttestationPolicy.SecurityDefaults).Reason);
        Assert.Equal(PolicyReason.None, PolicyEvaluator.Evaluate(v, AttestationPolicy.SecurityDefaults with { AcceptedTcbStatuses = [v.TcbStatus!.Value] }).Reason);
    }

    [Fact]
    public void Security_defaults_accept_only_up_to_date_and_sw_hardening_needed() =>
        Assert.Equal([TcbStatus.UpToDate, TcbStatus.SWHardeningNeeded], AttestationPolicy.SecurityDefaults.AcceptedTcbStatuses!);

    [SkippableFact]
    public void Security_defaults_refuse_reserved_td_attribute_bits()
    {
        // Bit 40 (OTHER group), bit 29 (SEC, MIGRATABLE), bit 3 (TUD): each reserved alone.
        foreach (var (index, bit) in new[] { (48 + 120 + 5, 0x01), (48 + 120 + 3, 0x20), (48 + 120, 0x08) })
        {
            var v = WithQuote(Verified("0x81"), b => b[index] |= (byte)bit);
            Assert.Equal(PolicyReason.TdAttributesNotAllowed, PolicyEvaluator.Evaluate(v, AttestationPolicy.SecurityDefaults with { AcceptedTcbStatuses = null }).Reason);
        }
        // PKS (30), KL (31) and PERFMON (63) are defined features, not reserved.
        var features = WithQuote(Verified("0x81"), b => { b[48 + 120 + 3] |= 0xC0; b[48 + 120 + 7] |= 0x80; });
        Assert.Equal(PolicyReason.None, PolicyEvaluator.Evaluate(features, AttestationPolicy.SecurityDefaults with { AcceptedTcbStatuses = null }).Reason);
    }

    [SkippableFact]
    public void Security_defaults_refuse_a_debug_enclave_unless_relaxed()
    {
        var v = WithQuote(Verified("0x0"), b => b[48 + 48] |= 0x02);
        Assert.Equal(PolicyReason.DebugEnclave, PolicyEvaluator.Evaluate(v, AttestationPolicy.SecurityDefaults).Reason);
        Assert.True(PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, AllowDebug = true }).IsAccepted);
    }

    [SkippableFact]
    public void Security_defaults_refuse_a_debug_td()
    {
        var v = WithQuote(Verified("0x81"), b => b[48 + 120] |= 0x01);
        Assert.Equal(PolicyReason.DebugTd, PolicyEvaluator.Evaluate(v, AttestationPolicy.SecurityDefaults).Reason);
    }

    [SkippableFact]
    public void Security_defaults_require_sept_ve_disable()
    {
        var v = WithQuote(Verified("0x81"), b => b[48 + 120 + 3] &= 0xEF);
        Assert.Equal(PolicyReason.TdAttributesNotAllowed, PolicyEvaluator.Evaluate(v, AttestationPolicy.SecurityDefaults).Reason);
        Assert.True(PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, AllowAnyTdAttributes = true }).IsAccepted);
    }

    [SkippableFact]
    public void Security_defaults_refuse_a_non_zero_mr_servicetd()
    {
        var c = DcapVectorCases.Load("phala-tdx-v5-td15-outdated");
        var bytes = (byte[])c.QuoteBytes.Clone();
        bytes[48 + 6 + 600] = 1; // MR_SERVICETD, TD 1.5 body offset 600
        var parsed = QuoteParser.Parse(bytes);
        var v = Verified("0x81") with { Quote = parsed };
        Assert.Equal(PolicyReason.MrServiceTdNotZero, PolicyEvaluator.Evaluate(v, AttestationPolicy.SecurityDefaults).Reason);
        Assert.True(PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, AllowNonZeroMrServiceTd = true }).IsAccepted);
    }

    [SkippableFact]
    public void Policy_refuses_an_unverified_verdict()
    {
        var v = Verified("0x0") with { Reason = VerificationReason.QuoteSignatureInvalid };
        Assert.Equal(PolicyReason.NotVerified, PolicyEvaluator.Evaluate(v, AttestationPolicy.SecurityDefaults).Reason);
    }

    [SkippableFact]
    public void Policy_refuses_a_tcb_status_it_does_not_accept()
    {
        var v = Verified("0x0");
        var others = Enum.GetValues<TcbStatus>().Where(s => s != v.TcbStatus).ToList();
        Assert.Equal(PolicyReason.TcbStatusNotAccepted, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = others }).Reason);
        Assert.True(PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = [v.TcbStatus!.Value] }).IsAccepted);
    }

    [SkippableFact]
    public void Policy_refuses_advisories_it_does_not_allow()
    {
        var v = Verified("0x0");
        Skip.If(v.AdvisoryIds.Count == 0, "the SGX vector has no advisories");
        Assert.Equal(PolicyReason.AdvisoryNotAllowed, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, AllowedAdvisoryIds = v.AdvisoryIds.Skip(1).ToList() }).Reason);
        Assert.True(PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, AllowedAdvisoryIds = v.AdvisoryIds }).IsAccepted);
    }

    [SkippableFact]
    public void Policy_refuses_an_older_tcb_evaluation_data_number()
    {
        var v = Verified("0x0");
        var n = Math.Min(v.TcbEvaluationDataNumber!.Value, v.QeTcbEvaluationDataNumber!.Value);
        Assert.Equal(PolicyReason.TcbEvaluationDataNumberTooLow, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, MinTcbEvaluationDataNumber = n + 1 }).Reason);
        Assert.True(PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, MinTcbEvaluationDataNumber = n }).IsAccepted);
    }

    [SkippableFact]
    public void Policy_checks_each_sgx_measurement_rule()
    {
        var v = Verified("0x0");
        var body = v.Quote!.SgxBody!;
        var wrong = new byte[32];
        Assert.True(PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Sgx = new SgxExpectations { MrEnclave = [body.MrEnclave], MrSigner = body.MrSigner, IsvProdId = body.IsvProdId, MinIsvSvn = body.IsvSvn } }).IsAccepted);
        Assert.Equal(PolicyReason.MrEnclaveMismatch, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Sgx = new SgxExpectations { MrEnclave = [wrong] } }).Reason);
        Assert.Equal(PolicyReason.MrSignerMismatch, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Sgx = new SgxExpectations { MrSigner = wrong } }).Reason);
        Assert.Equal(PolicyReason.IsvProdIdMismatch, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Sgx = new SgxExpectations { IsvProdId = (ushort)(body.IsvProdId + 1) } }).Reason);
        Assert.Equal(PolicyReason.IsvSvnTooLow, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Sgx = new SgxExpectations { MinIsvSvn = (ushort)(body.IsvSvn + 1) } }).Reason);
        Assert.Equal(PolicyReason.TeeTypeNotExpected, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Tdx = new TdxExpectations() }).Reason);
    }

    [SkippableFact]
    public void Policy_checks_each_tdx_measurement_rule()
    {
        var v = Verified("0x81");
        var td = v.Quote!.TdBody!;
        var wrong = new byte[48];
        Assert.True(PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Tdx = new TdxExpectations { MrTd = [td.MrTd], Rtmrs = [td.Rtmrs[0], null, null, td.Rtmrs[3]] } }).IsAccepted);
        Assert.Equal(PolicyReason.MrTdMismatch, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Tdx = new TdxExpectations { MrTd = [wrong] } }).Reason);
        Assert.Equal(PolicyReason.RtmrMismatch, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Tdx = new TdxExpectations { Rtmrs = [null, null, wrong, null] } }).Reason);
        Assert.Equal(PolicyReason.MrSeamMismatch, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Tdx = new TdxExpectations { MrSeam = [wrong] } }).Reason);
        Assert.True(PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Tdx = new TdxExpectations { MrSeam = [td.MrSeam] } }).IsAccepted);
        Assert.Equal(PolicyReason.MrConfigIdMismatch, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Tdx = new TdxExpectations { MrConfigId = Enumerable.Repeat((byte)1, 48).ToArray() } }).Reason);
        Assert.Equal(PolicyReason.TeeTypeNotExpected, PolicyEvaluator.Evaluate(v, new AttestationPolicy { AcceptedTcbStatuses = null, Sgx = new SgxExpectations() }).Reason);
    }

    [SkippableFact]
    public void Policy_loads_from_json_with_every_rule()
    {
        var v = Verified("0x0");
        var body = v.Quote!.SgxBody!;
        var json = $$"""
        {"accepted_tcb_statuses":["{{v.TcbStatus}}"],"allowed_advisory_ids":[{{string.Join(",", v.AdvisoryIds.Select(a => $"\"{a}\""))}}],
         "min_tcb_evaluation_data_number":1,"allow_debug":false,
         "sgx":{"mrenclave":["{{Hex.Encode(body.MrEnclave)}}"],"mrsigner":"0x{{Hex.Encode(body.MrSigner)}}","isvprodid":{{body.IsvProdId}},"min_isvsvn":{{body.IsvSvn}} } }
        """;
        var policy = AttestationPolicy.FromJson(Encoding.UTF8.GetBytes(json));
        Assert.Equal([v.TcbStatus!.Value], policy.AcceptedTcbStatuses!);
        Assert.Equal(1, policy.MinTcbEvaluationDataNumber);
        Assert.True(PolicyEvaluator.Evaluate(v, policy).IsAccepted);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"accepted_tcb_statuses\":[\"Fine\"]}")]
    [InlineData("{\"acepted_tcb_statuses\":[]}")]
    [InlineData("{\"sgx\":{\"mrenclave\":[\"abcd\"]}}")]
    [InlineData("{\"tdx\":{\"rtmr9\":\"00\"}}")]
    [InlineData("{\"allow_debug\":\"yes\"}")]
    [InlineData("{")]
    [InlineData("{\"min_tcb_evaluation_data_number\":99999999999999}")]
    [InlineData("{\"min_tcb_evaluation_data_number\":-1}")]
    [InlineData("{\"sgx\":{\"isvprodid\":70000}}")]
    [InlineData("{\"sgx\":{\"min_isvsvn\":1.5}}")]
    public void Policy_json_errors_are_policy_format_exceptions(string json) =>
        Assert.Throws<PolicyFormatException>(() => AttestationPolicy.FromJson(Encoding.UTF8.GetBytes(json)));
}
