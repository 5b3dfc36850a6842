using System.Text;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Testing;
using Citrine.Attestation.Tests.Testing;
using Citrine.Testing;

namespace Citrine.Attestation.Tests.Verification;

public sealed class CollateralUpdateVerifierTests
{
    private static TrustAnchor Anchor(SimulatedDcapEvidence e) => TrustAnchor.FromCertificate(e.TrustedRootDer);

    [SkippableFact]
    public void Crl_reads_the_crl_number_of_an_intel_crl()
    {
        var crl = Crl.Parse(File.ReadAllBytes(Vectors.Require("dcap/automata-dcap-attestation/evm-assets-0825/platform_crl.der")));
        Assert.Equal(1, crl.CrlNumber);
    }

    [Fact]
    public void Crl_without_crl_number_has_none()
    {
        Assert.Null(Crl.Parse(SimulatedPki.Sgx(DcapFault.PckCrlWithoutCrlNumber).PckCrlDer).CrlNumber);
        Assert.Equal(1, Crl.Parse(SimulatedPki.Sgx().PckCrlDer).CrlNumber);
    }

    [Fact]
    public void Verify_accepts_a_simulated_tcb_info_with_its_facts()
    {
        var e = SimulatedPki.Sgx();
        var verdict = CollateralUpdateVerifier.Verify(CollateralKind.TcbInfo, Encoding.UTF8.GetBytes(e.TcbInfoPcsJson), Encoding.ASCII.GetBytes(e.TcbSigningChainPem), Crl.Parse(e.RootCrlDer), e.Now, Anchor(e));
        Assert.True(verdict.IsVerified, verdict.Detail);
        Assert.Equal("SGX", verdict.Update!.Id);
        Assert.Equal(e.Fmspc, verdict.Update.Fmspc);
        Assert.Equal(17, verdict.Update.TcbEvaluationDataNumber);
    }

    [Fact]
    public void Verify_refuses_the_unknown_kind()
    {
        var e = SimulatedPki.Sgx();
        var verdict = CollateralUpdateVerifier.Verify(CollateralKind.Unknown, e.RootCrlDer, [], null, e.Now, Anchor(e));
        Assert.Equal(CollateralUpdateReason.UnknownKind, verdict.Reason);
        Assert.False(verdict.IsVerified);
    }

    [Fact]
    public void Verify_refuses_a_qe_identity_whose_chain_is_a_pck_chain()
    {
        var e = SimulatedPki.Sgx(DcapFault.TcbSignerIsPckLeaf);
        var verdict = CollateralUpdateVerifier.Verify(CollateralKind.QeIdentity, Encoding.UTF8.GetBytes(e.QeIdentityPcsJson), Encoding.ASCII.GetBytes(e.QeIdentitySigningChainPem), Crl.Parse(e.RootCrlDer), e.Now, Anchor(e));
        Assert.Equal(CollateralUpdateReason.SignerChainLengthInvalid, verdict.Reason);
    }

    [Fact]
    public void Default_verdict_is_not_verified()
    {
        Assert.False(default(CollateralUpdateVerdict).IsVerified);
    }

    [Fact]
    public void Verify_refuses_a_signed_tcb_info_of_version_2_as_version_unsupported()
    {
        var e = SimulatedPki.Sgx(DcapFault.TcbInfoWrongVersion);
        var verdict = CollateralUpdateVerifier.Verify(CollateralKind.TcbInfo, Encoding.UTF8.GetBytes(e.TcbInfoPcsJson), Encoding.ASCII.GetBytes(e.TcbSigningChainPem), Crl.Parse(e.RootCrlDer), e.Now, Anchor(e));
        Assert.Equal(CollateralUpdateReason.VersionUnsupported, verdict.Reason);
        Assert.Contains("version 2", verdict.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_refuses_a_signed_qe_identity_of_version_1_as_version_unsupported()
    {
        var e = SimulatedPki.Sgx(DcapFault.QeIdentityWrongVersion);
        var verdict = CollateralUpdateVerifier.Verify(CollateralKind.QeIdentity, Encoding.UTF8.GetBytes(e.QeIdentityPcsJson), Encoding.ASCII.GetBytes(e.QeIdentitySigningChainPem), Crl.Parse(e.RootCrlDer), e.Now, Anchor(e));
        Assert.Equal(CollateralUpdateReason.VersionUnsupported, verdict.Reason);
        Assert.Contains("version 1", verdict.Detail, StringComparison.Ordinal);
    }
}
