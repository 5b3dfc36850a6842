using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Policy;
using Citrine.Attestation.Testing;
using Citrine.Attestation.Tests.Testing;

namespace Citrine.Attestation.Tests.Verification;

/// <summary>
/// The policy half of the matrix: each <see cref="PolicyReason"/> from a verified simulated quote
/// in which only the one policy-relevant property differs.
/// </summary>
public sealed class PolicyMatrixTests
{
    private static SimulatedDcapEvidence Generate(SimulatedTee tee, DcapFault fault = DcapFault.None, string status = "UpToDate", IReadOnlyList<string>? advisories = null, int version = 4, SimulatedTdReport body = SimulatedTdReport.Td10) =>
        SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now, Tee = tee, QuoteVersion = version, TdReport = body, Fault = fault,
            PlatformTcbStatus = status, PlatformAdvisories = advisories ?? [],
        });

    private static void AssertPolicy(PolicyReason expected, SimulatedDcapEvidence evidence, AttestationPolicy? policy = null)
    {
        var result = SimulatedVerification.VerifyAndEvaluate(evidence, policy);
        Assert.True(result.Verification.IsVerified, $"{result.Verification.Reason}: {result.Verification.Detail}");
        Assert.True(expected == result.Policy.Reason, $"expected {expected}, got {result.Policy.Reason}: {result.Policy.Detail}");
    }

    /// <summary>The verifier refuses debug enclaves itself; a verdict made with AllowDebug still meets the policy's own check.</summary>
    private static void AssertDebugRefusedTwice(VerificationReason verification, PolicyReason policy, SimulatedDcapEvidence evidence)
    {
        Assert.Equal(verification, SimulatedVerification.VerifyAndEvaluate(evidence).Verification.Reason);
        var allowed = Verifier.Verify(
            evidence.Quote, QuoteCollateral.FromQvlJson(System.Text.Encoding.UTF8.GetBytes(evidence.CollateralJson)), evidence.Now,
            new VerifierOptions { TrustAnchor = TrustAnchor.FromCertificate(evidence.TrustedRootDer), AllowDebug = true });
        Assert.True(allowed.IsVerified, $"{allowed.Reason}: {allowed.Detail}");
        Assert.Equal(policy, PolicyEvaluator.Evaluate(allowed, AttestationPolicy.SecurityDefaults).Reason);
    }

    [Fact]
    public void Default_policy_refuses_a_debug_enclave() =>
        AssertDebugRefusedTwice(VerificationReason.DebugEnclave, PolicyReason.DebugEnclave, Generate(SimulatedTee.Sgx, DcapFault.DebugEnclave, version: 3));

    [Fact]
    public void Default_policy_refuses_a_debug_td() =>
        AssertDebugRefusedTwice(VerificationReason.DebugTd, PolicyReason.DebugTd, Generate(SimulatedTee.Tdx, DcapFault.DebugTd));

    [Theory]
    [InlineData("OutOfDate")]
    [InlineData("OutOfDateConfigurationNeeded")]
    [InlineData("ConfigurationNeeded")]
    [InlineData("ConfigurationAndSWHardeningNeeded")]
    public void Default_policy_refuses_a_platform_that_is_not_up_to_date(string status)
    {
        AssertPolicy(PolicyReason.TcbStatusNotAccepted, Generate(SimulatedTee.Sgx, status: status));
        AssertPolicy(PolicyReason.TcbStatusNotAccepted, Generate(SimulatedTee.Tdx, status: status));
    }

    [Fact]
    public void Default_policy_accepts_sw_hardening_needed_and_reports_its_advisories()
    {
        var result = SimulatedVerification.VerifyAndEvaluate(Generate(SimulatedTee.Sgx, status: "SWHardeningNeeded", advisories: ["INTEL-SA-00615"]));
        Assert.True(result.IsAccepted, $"{result.Verification.Reason} {result.Policy.Reason}: {result.Policy.Detail}");
        Assert.Equal(["INTEL-SA-00615"], result.Verification.AdvisoryIds);
    }

    [Fact]
    public void Default_policy_refuses_a_td_without_sept_ve_disable() => AssertPolicy(PolicyReason.TdAttributesNotAllowed, Generate(SimulatedTee.Tdx, DcapFault.SeptVeDisableMissing));

    [Fact]
    public void Default_policy_refuses_a_non_zero_mr_servicetd() =>
        AssertPolicy(PolicyReason.MrServiceTdNotZero, Generate(SimulatedTee.Tdx, DcapFault.MrServiceTdNonZero, version: 5, body: SimulatedTdReport.Td15));

    [Fact]
    public void Debug_is_accepted_only_when_the_policy_allows_it() =>
        AssertPolicy(PolicyReason.None, Generate(SimulatedTee.Sgx, DcapFault.DebugEnclave, version: 3), new AttestationPolicy { AllowDebug = true });

    [Fact]
    public void Policy_refuses_a_tcb_status_it_does_not_accept() =>
        AssertPolicy(PolicyReason.TcbStatusNotAccepted, Generate(SimulatedTee.Sgx, status: "OutOfDate"), new AttestationPolicy { AcceptedTcbStatuses = [TcbStatus.UpToDate, TcbStatus.SWHardeningNeeded] });

    [Fact]
    public void Policy_refuses_an_advisory_it_does_not_allow() =>
        AssertPolicy(PolicyReason.AdvisoryNotAllowed, Generate(SimulatedTee.Tdx, status: "SWHardeningNeeded", advisories: ["INTEL-SA-00615", "INTEL-SA-00999"]), new AttestationPolicy { AllowedAdvisoryIds = ["INTEL-SA-00615"] });

    [Fact]
    public void Policy_refuses_an_old_tcb_evaluation_data_number() =>
        AssertPolicy(PolicyReason.TcbEvaluationDataNumberTooLow, Generate(SimulatedTee.Sgx), new AttestationPolicy { MinTcbEvaluationDataNumber = 18 });

    [Fact]
    public void Policy_expecting_sgx_refuses_a_td() =>
        AssertPolicy(PolicyReason.TeeTypeNotExpected, Generate(SimulatedTee.Tdx), new AttestationPolicy { Sgx = new SgxExpectations() });

    [Fact]
    public void Policy_refuses_an_unexpected_mrenclave() =>
        AssertPolicy(PolicyReason.MrEnclaveMismatch, Generate(SimulatedTee.Sgx), new AttestationPolicy { Sgx = new SgxExpectations { MrEnclave = [new byte[32]] } });

    [Fact]
    public void Policy_refuses_an_unexpected_mrsigner() =>
        AssertPolicy(PolicyReason.MrSignerMismatch, Generate(SimulatedTee.Sgx), new AttestationPolicy { Sgx = new SgxExpectations { MrSigner = new byte[32] } });

    [Fact]
    public void Policy_refuses_an_unexpected_isvprodid() =>
        AssertPolicy(PolicyReason.IsvProdIdMismatch, Generate(SimulatedTee.Sgx), new AttestationPolicy { Sgx = new SgxExpectations { IsvProdId = 7 } });

    [Fact]
    public void Policy_refuses_a_too_low_isvsvn() =>
        AssertPolicy(PolicyReason.IsvSvnTooLow, Generate(SimulatedTee.Sgx), new AttestationPolicy { Sgx = new SgxExpectations { MinIsvSvn = 2 } });

    [Fact]
    public void Policy_refuses_an_unexpected_mrtd() =>
        AssertPolicy(PolicyReason.MrTdMismatch, Generate(SimulatedTee.Tdx), new AttestationPolicy { Tdx = new TdxExpectations { MrTd = [new byte[48]] } });

    [Fact]
    public void Policy_refuses_an_unexpected_rtmr() =>
        AssertPolicy(PolicyReason.RtmrMismatch, Generate(SimulatedTee.Tdx), new AttestationPolicy { Tdx = new TdxExpectations { Rtmrs = [null, null, Enumerable.Repeat((byte)1, 48).ToArray(), null] } });

    [Fact]
    public void Policy_refuses_an_unexpected_mrconfigid() =>
        AssertPolicy(PolicyReason.MrConfigIdMismatch, Generate(SimulatedTee.Tdx), new AttestationPolicy { Tdx = new TdxExpectations { MrConfigId = Enumerable.Repeat((byte)1, 48).ToArray() } });

    [Fact]
    public void Policy_reports_an_unverified_quote_as_not_verified()
    {
        var result = SimulatedVerification.VerifyAndEvaluate(Generate(SimulatedTee.Sgx, DcapFault.QuoteSignatureInvalid));
        Assert.Equal(PolicyReason.NotVerified, result.Policy.Reason);
    }
}
