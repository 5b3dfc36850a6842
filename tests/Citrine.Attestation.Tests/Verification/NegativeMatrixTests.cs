using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Testing;
using Citrine.Attestation.Tests.Testing;

namespace Citrine.Attestation.Tests.Verification;

/// <summary>
/// The negative matrix: for each verifier check, simulated evidence in which only that check
/// fails (one <see cref="DcapFault"/>), and the exact <see cref="VerificationReason"/> asserted.
/// Every row is run for SGX (quote v3) and, where the check exists there, TDX (quote v4).
/// </summary>
public sealed class NegativeMatrixTests
{
    public static TheoryData<VerificationReason, DcapFault, SimulatedTee> Rows()
    {
        var rows = new TheoryData<VerificationReason, DcapFault, SimulatedTee>();
        void Both(VerificationReason reason, DcapFault fault)
        {
            rows.Add(reason, fault, SimulatedTee.Sgx);
            rows.Add(reason, fault, SimulatedTee.Tdx);
        }

        // Quote header.
        Both(VerificationReason.QeVendorIdUnsupported, DcapFault.QeVendorIdNotIntel);

        // Trust anchor and PCK chain.
        Both(VerificationReason.UntrustedRoot, DcapFault.WrongRoot);
        Both(VerificationReason.PckChainMalformed, DcapFault.PckChainMissingRoot);
        Both(VerificationReason.PckChainIssuerMismatch, DcapFault.PckLeafIssuerNameMismatch);
        Both(VerificationReason.PckChainSignatureInvalid, DcapFault.PckLeafSignatureInvalid);
        Both(VerificationReason.PckChainSignatureInvalid, DcapFault.PckCaSignatureInvalid);
        Both(VerificationReason.PckChainNotValidAtNow, DcapFault.PckLeafExpired);
        Both(VerificationReason.PckChainNotValidAtNow, DcapFault.PckLeafNotYetValid);
        Both(VerificationReason.PckChainNotValidAtNow, DcapFault.PckCaExpired);
        Both(VerificationReason.PckChainNotValidAtNow, DcapFault.PckCaNotYetValid);
        Both(VerificationReason.PckLeafSgxExtensionMissing, DcapFault.PckLeafWithoutSgxExtension);
        Both(VerificationReason.PckExtensionMalformed, DcapFault.PckExtensionRepeatedFmspc);
        Both(VerificationReason.PckLeafNameInvalid, DcapFault.PckLeafWrongCn);
        Both(VerificationReason.PckCaNameInvalid, DcapFault.PckCaWrongCn);
        Both(VerificationReason.UnknownCriticalExtension, DcapFault.PckLeafUnknownCriticalExtension);

        // Roles of the TCB Info / QE Identity signer: the forgery first.
        Both(VerificationReason.TcbSignerChainLengthInvalid, DcapFault.TcbSignerIsPckLeaf);
        Both(VerificationReason.TcbSignerNameInvalid, DcapFault.TcbSignerIsPckCa);
        Both(VerificationReason.TcbSignerChainLengthInvalid, DcapFault.TcbSignerChainTooLong);
        Both(VerificationReason.TcbSignerNameInvalid, DcapFault.TcbSignerWrongCn);
        Both(VerificationReason.TcbSignerNameInvalid, DcapFault.QeIdentitySignerWrongCn);
        Both(VerificationReason.TcbSignerIsCa, DcapFault.TcbSignerIsCa);
        Both(VerificationReason.TcbSignerHasPckExtension, DcapFault.TcbSignerWithPckExtension);
        Both(VerificationReason.UnknownCriticalExtension, DcapFault.TcbSignerUnknownCriticalExtension);
        // The root is in every chain; the verifier checks the TCB Info chain first.
        Both(VerificationReason.TcbInfoChainNotValidAtNow, DcapFault.RootExpired);
        Both(VerificationReason.TcbInfoChainNotValidAtNow, DcapFault.RootNotYetValid);

        // CRLs and revocation.
        Both(VerificationReason.RootCrlIssuerMismatch, DcapFault.RootCrlWrongIssuer);
        Both(VerificationReason.RootCrlSignatureInvalid, DcapFault.RootCrlBadSignature);
        Both(VerificationReason.RootCrlNotValidAtNow, DcapFault.RootCrlExpired);
        Both(VerificationReason.RootCrlNotValidAtNow, DcapFault.RootCrlNotYetValid);
        Both(VerificationReason.PckCrlIssuerMismatch, DcapFault.PckCrlWrongIssuer);
        Both(VerificationReason.PckCrlSignatureInvalid, DcapFault.PckCrlBadSignature);
        Both(VerificationReason.PckCrlExtensionMissing, DcapFault.PckCrlWithoutCrlNumber);
        Both(VerificationReason.PckCrlExtensionMissing, DcapFault.PckCrlWithoutAuthorityKeyId);
        Both(VerificationReason.PckCrlNotValidAtNow, DcapFault.PckCrlExpired);
        Both(VerificationReason.PckCrlNotValidAtNow, DcapFault.PckCrlNotYetValid);
        Both(VerificationReason.PckCaRevoked, DcapFault.PckCaRevoked);
        Both(VerificationReason.PckCertificateRevoked, DcapFault.PckLeafRevoked);
        Both(VerificationReason.TcbSigningCertificateRevoked, DcapFault.TcbSigningCertRevoked);

        // TCB Info.
        Both(VerificationReason.CollateralMalformed, DcapFault.TcbInfoMalformed);
        Both(VerificationReason.TcbInfoChainInvalid, DcapFault.TcbSigningCertSignatureInvalid);
        Both(VerificationReason.TcbInfoChainNotValidAtNow, DcapFault.TcbSigningCertExpired);
        Both(VerificationReason.TcbInfoChainNotValidAtNow, DcapFault.TcbSigningCertNotYetValid);
        Both(VerificationReason.TcbInfoSignatureInvalid, DcapFault.TcbInfoBadSignature);
        Both(VerificationReason.TcbInfoNotValidAtNow, DcapFault.TcbInfoExpired);
        Both(VerificationReason.TcbInfoNotValidAtNow, DcapFault.TcbInfoNotYetValid);
        // v2 describes SGX platforms only; for SGX it is accepted (see the test below).
        rows.Add(VerificationReason.TcbInfoVersionUnsupported, DcapFault.TcbInfoWrongVersion, SimulatedTee.Tdx);
        Both(VerificationReason.TcbInfoVersionUnsupported, DcapFault.TcbInfoUnknownVersion);
        Both(VerificationReason.TcbInfoIdMismatch, DcapFault.TcbInfoWrongId);
        Both(VerificationReason.FmspcMismatch, DcapFault.TcbInfoWrongFmspc);
        Both(VerificationReason.PceIdMismatch, DcapFault.TcbInfoWrongPceId);
        Both(VerificationReason.TcbLevelNotFound, DcapFault.NoMatchingTcbLevel);
        Both(VerificationReason.TcbInfoTcbTypeUnsupported, DcapFault.TcbInfoTcbTypeNonZero);
        Both(VerificationReason.TcbInfoTcbLevelDuplicated, DcapFault.TcbInfoDuplicateLevel);

        // QE Identity.
        Both(VerificationReason.QeIdentityChainInvalid, DcapFault.QeIdentitySignerSignatureInvalid);
        Both(VerificationReason.QeIdentityChainNotValidAtNow, DcapFault.QeIdentitySignerExpired);
        Both(VerificationReason.QeIdentitySignatureInvalid, DcapFault.QeIdentityBadSignature);
        Both(VerificationReason.QeIdentityNotValidAtNow, DcapFault.QeIdentityExpired);
        Both(VerificationReason.QeIdentityNotValidAtNow, DcapFault.QeIdentityNotYetValid);
        Both(VerificationReason.QeIdentityVersionUnsupported, DcapFault.QeIdentityWrongVersion);
        Both(VerificationReason.QeIdentityIdMismatch, DcapFault.QeIdentityWrongId);
        Both(VerificationReason.QeIdentityTcbLevelDuplicated, DcapFault.QeIdentityDuplicateLevel);

        // QE report.
        Both(VerificationReason.QeReportSignatureInvalid, DcapFault.QeReportSignatureInvalid);
        Both(VerificationReason.QeReportDataMismatch, DcapFault.QeReportDataMismatch);
        Both(VerificationReason.QeDebug, DcapFault.QeDebug);
        Both(VerificationReason.QeMrSignerMismatch, DcapFault.QeIdentityWrongMrSigner);
        Both(VerificationReason.QeIsvProdIdMismatch, DcapFault.QeIdentityWrongIsvProdId);
        Both(VerificationReason.QeMiscSelectMismatch, DcapFault.QeIdentityWrongMiscSelect);
        Both(VerificationReason.QeAttributesMismatch, DcapFault.QeIdentityWrongAttributes);
        Both(VerificationReason.QeTcbLevelNotFound, DcapFault.QeIsvSvnBelowAllLevels);
        Both(VerificationReason.QeTcbRevoked, DcapFault.QeIsvSvnRevoked);

        // Quote signature.
        Both(VerificationReason.AttestationKeyInvalid, DcapFault.AttestationKeyNotOnCurve);
        Both(VerificationReason.QuoteSignatureInvalid, DcapFault.QuoteSignatureInvalid);

        // Debug enclaves and TDs (VerifierOptions.AllowDebug off).
        rows.Add(VerificationReason.DebugEnclave, DcapFault.DebugEnclave, SimulatedTee.Sgx);
        rows.Add(VerificationReason.DebugTd, DcapFault.DebugTd, SimulatedTee.Tdx);

        // TDX module identity.
        rows.Add(VerificationReason.TdxModuleMrSignerMismatch, DcapFault.TdxModuleMrSignerMismatch, SimulatedTee.Tdx);
        rows.Add(VerificationReason.TdxModuleAttributesMismatch, DcapFault.TdxModuleAttributesMismatch, SimulatedTee.Tdx);
        rows.Add(VerificationReason.TdxModuleAttributesMismatch, DcapFault.TdxModuleAttributesUnmasked, SimulatedTee.Tdx);
        rows.Add(VerificationReason.TdxModuleIdentityNotFound, DcapFault.TdxModuleIdentityMissing, SimulatedTee.Tdx);
        rows.Add(VerificationReason.TdxModuleTcbLevelNotFound, DcapFault.TdxModuleSvnBelowAllLevels, SimulatedTee.Tdx);
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Verify_fails_with_exactly_the_reason_of_the_one_broken_check(VerificationReason expected, DcapFault fault, SimulatedTee tee)
    {
        var evidence = tee == SimulatedTee.Sgx ? SimulatedPki.Sgx(fault) : SimulatedPki.Tdx(fault);
        var verdict = SimulatedVerification.Verify(evidence);
        Assert.False(verdict.IsVerified);
        Assert.True(expected == verdict.Reason, $"expected {expected}, got {verdict.Reason}: {verdict.Detail}");
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Verify_fails_with_the_same_reason_for_quote_v5_and_platform_ca(VerificationReason expected, DcapFault fault, SimulatedTee tee)
    {
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now,
            Tee = tee,
            QuoteVersion = 5,
            TdReport = tee == SimulatedTee.Tdx ? SimulatedTdReport.Td15 : SimulatedTdReport.Td10,
            PckCa = SimulatedPckCaKind.Platform,
            Fault = fault,
        });
        var verdict = SimulatedVerification.Verify(evidence);
        Assert.True(expected == verdict.Reason, $"expected {expected}, got {verdict.Reason}: {verdict.Detail}");
    }

    [Fact]
    public void Every_verification_reason_has_a_row_or_a_dedicated_test()
    {
        var covered = Rows().Select(r => (VerificationReason)r[0]).ToHashSet();
        // Covered by the dedicated tests below (not expressible as a generator fault).
        covered.Add(VerificationReason.QuoteMalformed);
        covered.Add(VerificationReason.TcbRevoked);
        covered.Add(VerificationReason.TdxModuleTcbRevoked);
        covered.Add(VerificationReason.TdxModuleTcbStatusUnsupported);
        covered.Add(VerificationReason.None);
        var missing = Enum.GetValues<VerificationReason>().Where(r => !covered.Contains(r)).ToList();
        Assert.True(missing.Count == 0, "reasons without a negative test: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData(SimulatedTee.Sgx)]
    [InlineData(SimulatedTee.Tdx)]
    public void Verify_rejects_a_quote_cut_short_as_malformed(SimulatedTee tee)
    {
        var evidence = tee == SimulatedTee.Sgx ? SimulatedPki.Sgx() : SimulatedPki.Tdx();
        var cut = evidence.Quote.AsSpan(0, evidence.Quote.Length - 1).ToArray();
        var verdict = Verifier.Verify(
            cut, QuoteCollateral.FromQvlJson(System.Text.Encoding.UTF8.GetBytes(evidence.CollateralJson)), evidence.Now,
            new VerifierOptions { TrustAnchor = TrustAnchor.FromCertificate(evidence.TrustedRootDer) });
        Assert.Equal(VerificationReason.QuoteMalformed, verdict.Reason);
    }

    [Theory]
    [InlineData(SimulatedTee.Sgx)]
    [InlineData(SimulatedTee.Tdx)]
    public void Verify_rejects_a_platform_whose_matching_tcb_level_is_revoked(SimulatedTee tee)
    {
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now, Tee = tee, QuoteVersion = 4, PlatformTcbStatus = "Revoked",
        });
        Assert.Equal(VerificationReason.TcbRevoked, SimulatedVerification.Verify(evidence).Reason);
    }

    [Fact]
    public void Verify_rejects_a_tdx_module_whose_isvsvn_is_revoked()
    {
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now, Tee = SimulatedTee.Tdx, QuoteVersion = 4, TdxModuleTcbStatus = "Revoked",
        });
        Assert.Equal(VerificationReason.TdxModuleTcbRevoked, SimulatedVerification.Verify(evidence).Reason);
    }

    [Theory]
    [InlineData("ConfigurationNeeded")]
    [InlineData("SWHardeningNeeded")]
    [InlineData("OutOfDateConfigurationNeeded")]
    public void Verify_rejects_a_tdx_module_level_whose_status_is_not_up_to_date_out_of_date_or_revoked(string status)
    {
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now, Tee = SimulatedTee.Tdx, QuoteVersion = 4, TdxModuleTcbStatus = status,
        });
        var verdict = SimulatedVerification.Verify(evidence);
        Assert.True(verdict.Reason == VerificationReason.TdxModuleTcbStatusUnsupported, $"{verdict.Reason}: {verdict.Detail}");
    }

    [Fact]
    public void Tcb_info_v2_is_accepted_for_an_sgx_quote()
    {
        var verdict = SimulatedVerification.Verify(SimulatedPki.Sgx(DcapFault.TcbInfoWrongVersion));
        Assert.True(verdict.IsVerified, $"{verdict.Reason}: {verdict.Detail}");
    }

    [Fact]
    public void Quote_parser_refuses_the_cut_quote_with_its_own_exception() =>
        Assert.Throws<QuoteFormatException>(() => QuoteParser.Parse(SimulatedPki.Sgx().Quote.AsSpan(0, 100)));
}
