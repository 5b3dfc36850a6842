using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Testing;
using Citrine.Attestation.Tests.Testing;

namespace Citrine.Attestation.Tests.Verification;

/// <summary>Fully valid simulated quotes pass the real verifier; statuses and advisories come through.</summary>
public sealed class SimulatedQuoteVerificationTests
{
    [Theory]
    [InlineData(SimulatedTee.Sgx, 3, SimulatedTdReport.Td10, SimulatedPckCaKind.Processor)]
    [InlineData(SimulatedTee.Sgx, 3, SimulatedTdReport.Td10, SimulatedPckCaKind.Platform)]
    [InlineData(SimulatedTee.Sgx, 4, SimulatedTdReport.Td10, SimulatedPckCaKind.Processor)]
    [InlineData(SimulatedTee.Sgx, 5, SimulatedTdReport.Td10, SimulatedPckCaKind.Processor)]
    [InlineData(SimulatedTee.Tdx, 4, SimulatedTdReport.Td10, SimulatedPckCaKind.Platform)]
    [InlineData(SimulatedTee.Tdx, 5, SimulatedTdReport.Td10, SimulatedPckCaKind.Processor)]
    [InlineData(SimulatedTee.Tdx, 5, SimulatedTdReport.Td15, SimulatedPckCaKind.Platform)]
    public void Valid_simulated_quote_verifies_up_to_date_and_passes_the_default_policy(SimulatedTee tee, int version, SimulatedTdReport body, SimulatedPckCaKind ca)
    {
        var reportData = SimulatedPki.ReportData(0x3C);
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now, Tee = tee, QuoteVersion = version, TdReport = body, PckCa = ca, ReportData = reportData,
        });
        var result = SimulatedVerification.VerifyAndEvaluate(evidence);
        Assert.True(result.Verification.IsVerified, $"{result.Verification.Reason}: {result.Verification.Detail}");
        Assert.Equal(TcbStatus.UpToDate, result.Verification.TcbStatus);
        Assert.Empty(result.Verification.AdvisoryIds);
        Assert.Equal(reportData, result.Verification.ReportData);
        Assert.Equal(evidence.Fmspc, result.Verification.Fmspc);
        Assert.True(result.Policy.IsAccepted, $"{result.Policy.Reason}: {result.Policy.Detail}");
    }

    [Fact]
    public void Valid_simulated_quote_is_refused_under_the_intel_root()
    {
        var evidence = SimulatedPki.Sgx();
        var verdict = Verifier.Verify(evidence.Quote, QuoteCollateral.FromQvlJson(System.Text.Encoding.UTF8.GetBytes(evidence.CollateralJson)), evidence.Now);
        Assert.Equal(VerificationReason.UntrustedRoot, verdict.Reason);
    }

    [Theory]
    [InlineData("SWHardeningNeeded", TcbStatus.SWHardeningNeeded)]
    [InlineData("ConfigurationNeeded", TcbStatus.ConfigurationNeeded)]
    [InlineData("ConfigurationAndSWHardeningNeeded", TcbStatus.ConfigurationAndSWHardeningNeeded)]
    [InlineData("OutOfDate", TcbStatus.OutOfDate)]
    [InlineData("OutOfDateConfigurationNeeded", TcbStatus.OutOfDateConfigurationNeeded)]
    public void Platform_tcb_status_and_advisories_of_the_matching_level_reach_the_verdict(string status, TcbStatus expected)
    {
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now, PlatformTcbStatus = status, PlatformAdvisories = ["INTEL-SA-00615", "INTEL-SA-00289"],
        });
        var verdict = SimulatedVerification.Verify(evidence);
        Assert.True(verdict.IsVerified, $"{verdict.Reason}: {verdict.Detail}");
        Assert.Equal(expected, verdict.TcbStatus);
        Assert.Equal(expected, verdict.PlatformTcbStatus);
        Assert.Equal(["INTEL-SA-00615", "INTEL-SA-00289"], verdict.AdvisoryIds);
    }

    [Fact]
    public void Qe_status_worse_than_the_platform_wins_and_advisories_are_merged_platform_first()
    {
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now,
            PlatformTcbStatus = "SWHardeningNeeded", PlatformAdvisories = ["INTEL-SA-00615"],
            QeTcbStatus = "OutOfDate", QeAdvisories = ["INTEL-SA-00477", "INTEL-SA-00615"],
        });
        var verdict = SimulatedVerification.Verify(evidence);
        Assert.True(verdict.IsVerified, $"{verdict.Reason}: {verdict.Detail}");
        Assert.Equal(TcbStatus.OutOfDate, verdict.TcbStatus);
        Assert.Equal(TcbStatus.OutOfDate, verdict.QeTcbStatus);
        Assert.Equal(["INTEL-SA-00615", "INTEL-SA-00477"], verdict.AdvisoryIds);
    }

    [Fact]
    public void Out_of_date_tdx_module_makes_the_td_out_of_date()
    {
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now, Tee = SimulatedTee.Tdx, QuoteVersion = 4, TdxModuleTcbStatus = "OutOfDate",
        });
        var verdict = SimulatedVerification.Verify(evidence);
        Assert.True(verdict.IsVerified, $"{verdict.Reason}: {verdict.Detail}");
        Assert.Equal(TcbStatus.OutOfDate, verdict.TdxModuleTcbStatus);
        Assert.Equal(TcbStatus.OutOfDate, verdict.TcbStatus);
    }

    [Theory]
    [InlineData(SimulatedTee.Sgx)]
    [InlineData(SimulatedTee.Tdx)]
    public void Qe_identity_miscselect_and_mask_are_read_in_report_byte_order(SimulatedTee tee)
    {
        // Asymmetric value and mask: read big-endian, "01000000"/"FF000000" would be 0x01000000
        // under 0xFF000000 and would not match the QE's 0x00000001.
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now, Tee = tee, QuoteVersion = tee == SimulatedTee.Tdx ? 4 : 3, QeMiscSelect = 0x00000001, QeMiscSelectMask = 0x000000FF,
        });
        Assert.Contains("\"miscselect\":\"01000000\",\"miscselectMask\":\"FF000000\"", evidence.QeIdentityJson, StringComparison.Ordinal);
        var verdict = SimulatedVerification.Verify(evidence);
        Assert.True(verdict.IsVerified, $"{verdict.Reason}: {verdict.Detail}");

        var other = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now, Tee = tee, QuoteVersion = tee == SimulatedTee.Tdx ? 4 : 3, QeMiscSelect = 0x00000001, QeMiscSelectMask = 0x000000FF,
            Fault = DcapFault.QeIdentityWrongMiscSelect,
        });
        Assert.Equal(VerificationReason.QeMiscSelectMismatch, SimulatedVerification.Verify(other).Reason);
    }

    [Theory]
    [InlineData(SimulatedTee.Sgx, "SWHardeningNeeded")]
    [InlineData(SimulatedTee.Sgx, "ConfigurationNeeded")]
    [InlineData(SimulatedTee.Sgx, "OutOfDateConfigurationNeeded")]
    [InlineData(SimulatedTee.Tdx, "SWHardeningNeeded")]
    [InlineData(SimulatedTee.Tdx, "ConfigurationAndSWHardeningNeeded")]
    public void Qe_identity_status_other_than_up_to_date_or_revoked_counts_as_out_of_date(SimulatedTee tee, string status)
    {
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now, Tee = tee, QuoteVersion = tee == SimulatedTee.Tdx ? 4 : 3, QeTcbStatus = status,
        });
        var verdict = SimulatedVerification.Verify(evidence);
        Assert.True(verdict.IsVerified, $"{verdict.Reason}: {verdict.Detail}");
        Assert.Equal(TcbStatus.OutOfDate, verdict.QeTcbStatus);
        Assert.Equal(TcbStatus.OutOfDate, verdict.TcbStatus);
    }

    [Fact]
    public void Forged_collateral_signed_with_a_pck_key_cannot_lift_an_out_of_date_platform()
    {
        // The attack of issue 9: the PCK key of an OutOfDate platform signs a TCB Info that calls
        // its TCB UpToDate, and a QE Identity; both chains are [PCK leaf, PCK CA, root].
        var honest = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest { Now = SimulatedPki.Now, PlatformTcbStatus = "OutOfDate" });
        Assert.Equal(TcbStatus.OutOfDate, SimulatedVerification.Verify(honest).TcbStatus);
        var forged = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest { Now = SimulatedPki.Now, Fault = DcapFault.TcbSignerIsPckLeaf });
        Assert.Contains("\"tcbStatus\":\"UpToDate\"", forged.TcbInfoJson, StringComparison.Ordinal);
        var verdict = SimulatedVerification.Verify(forged);
        Assert.False(verdict.IsVerified);
        Assert.Null(verdict.TcbStatus);
        Assert.Equal(VerificationReason.TcbSignerChainLengthInvalid, verdict.Reason);
    }
}
