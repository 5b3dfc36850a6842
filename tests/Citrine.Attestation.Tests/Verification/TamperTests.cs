using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Testing;
using Citrine.Attestation.Tests.Testing;

namespace Citrine.Attestation.Tests.Verification;

/// <summary>One bit flipped in each signed region of a valid simulated quote; the exact reason asserted.</summary>
public sealed class TamperTests
{
    // Offsets (Intel SGX ECDSA QL API A.4 / TDX DCAP API A.3): v3 SGX: header 0, body 48, signature
    // data length 432, quote signature 436, attestation key 500, QE report 564, QE report
    // signature 948, auth data length 1012, auth data 1014. v4 TDX: header 0, body 48, length
    // 632, signature 636, key 700, cert type 764, size 766, QE report 770, its signature 1154,
    // auth data length 1218, auth data 1220.
    public static TheoryData<SimulatedTee, int, VerificationReason> Flips => new()
    {
        { SimulatedTee.Sgx, 28, VerificationReason.QuoteSignatureInvalid },          // header user data
        { SimulatedTee.Sgx, 48 + 64, VerificationReason.QuoteSignatureInvalid },     // MRENCLAVE
        { SimulatedTee.Sgx, 48 + 320, VerificationReason.QuoteSignatureInvalid },    // report data
        { SimulatedTee.Sgx, 436 + 5, VerificationReason.QuoteSignatureInvalid },     // quote signature
        { SimulatedTee.Sgx, 500 + 7, VerificationReason.QeReportDataMismatch },      // attestation key
        { SimulatedTee.Sgx, 564 + 258, VerificationReason.QeReportSignatureInvalid },// QE ISVSVN
        { SimulatedTee.Sgx, 948 + 40, VerificationReason.QeReportSignatureInvalid }, // QE report signature
        { SimulatedTee.Sgx, 1014 + 3, VerificationReason.QeReportDataMismatch },     // QE auth data
        { SimulatedTee.Tdx, 28, VerificationReason.QuoteSignatureInvalid },
        { SimulatedTee.Tdx, 48 + 136, VerificationReason.QuoteSignatureInvalid },    // MRTD
        { SimulatedTee.Tdx, 48 + 520, VerificationReason.QuoteSignatureInvalid },    // report data
        { SimulatedTee.Tdx, 636 + 5, VerificationReason.QuoteSignatureInvalid },
        { SimulatedTee.Tdx, 700 + 7, VerificationReason.QeReportDataMismatch },
        { SimulatedTee.Tdx, 770 + 258, VerificationReason.QeReportSignatureInvalid },
        { SimulatedTee.Tdx, 1154 + 40, VerificationReason.QeReportSignatureInvalid },
        { SimulatedTee.Tdx, 1220 + 3, VerificationReason.QeReportDataMismatch },
    };

    [Theory]
    [MemberData(nameof(Flips))]
    public void Verify_rejects_a_simulated_quote_with_one_bit_flipped(SimulatedTee tee, int offset, VerificationReason expected)
    {
        var evidence = tee == SimulatedTee.Sgx ? SimulatedPki.Sgx() : SimulatedPki.Tdx();
        var quote = (byte[])evidence.Quote.Clone();
        quote[offset] ^= 0x01;
        var verdict = Verifier.Verify(
            quote, QuoteCollateral.FromQvlJson(System.Text.Encoding.UTF8.GetBytes(evidence.CollateralJson)), evidence.Now,
            new VerifierOptions { TrustAnchor = TrustAnchor.FromCertificate(evidence.TrustedRootDer) });
        Assert.True(expected == verdict.Reason, $"expected {expected}, got {verdict.Reason}: {verdict.Detail}");
    }
}
