using System.Security.Cryptography;
using System.Text;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Verification;

namespace Citrine.Attestation.Tests.Dcap;

/// <summary>
/// Checks that can be made to fail alone with the real vectors: one byte changed (or one
/// parameter changed) and exactly one reason code expected. The generated-PKI matrix in
/// Testing/ covers the checks that need re-signed data.
/// </summary>
public sealed class VerifierTests
{
    public static TheoryData<string> TeeTypes => new() { "0x0", "0x81" };

    private static DcapVerdict Run(DcapVectorCase c, byte[]? quote = null, QuoteCollateral? collateral = null, DateTimeOffset? now = null, TrustAnchor? root = null) =>
        Verifier.Verify(quote ?? c.QuoteBytes, collateral ?? c.Collateral, now ?? c.Now, new VerifierOptions { TrustAnchor = root ?? c.Root });

    private static byte[] Flip(byte[] bytes, int offset, byte mask = 0x01)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] ^= mask;
        return copy;
    }

    private static int QeReportOffset(DcapVectorCase c)
    {
        var q = QuoteParser.Parse(c.QuoteBytes);
        var at = c.QuoteBytes.AsSpan().IndexOf(q.QeReportBytes);
        Assert.True(at > 0);
        return at;
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_accepts_the_unmodified_vector(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var v = Run(c);
        Assert.True(v.IsVerified, v.Detail);
        Assert.NotNull(v.CollateralExpires);
        Assert.True(v.CollateralExpires >= c.Now);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_quote_whose_report_data_was_altered(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var q = QuoteParser.Parse(c.QuoteBytes);
        var at = q.SignedBytes.Length - 1; // last byte of the body is report data
        Assert.Equal(VerificationReason.QuoteSignatureInvalid, Run(c, Flip(c.QuoteBytes, at)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_quote_whose_header_user_data_was_altered(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        Assert.Equal(VerificationReason.QuoteSignatureInvalid, Run(c, Flip(c.QuoteBytes, 47)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_quote_whose_signature_was_altered(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var at = QuoteParser.Parse(c.QuoteBytes).SignedBytes.Length + 4 + 10;
        Assert.Equal(VerificationReason.QuoteSignatureInvalid, Run(c, Flip(c.QuoteBytes, at)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_quote_whose_qe_report_was_altered(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        // A reserved byte of the QE report (offset 262, reserved4): only the PCK signature covers it.
        Assert.Equal(VerificationReason.QeReportSignatureInvalid, Run(c, Flip(c.QuoteBytes, QeReportOffset(c) + 262)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_quote_whose_qe_report_signature_was_altered(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        Assert.Equal(VerificationReason.QeReportSignatureInvalid, Run(c, Flip(c.QuoteBytes, QeReportOffset(c) + 384 + 5)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_quote_whose_qe_authentication_data_was_altered(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var q = QuoteParser.Parse(c.QuoteBytes);
        Skip.If(q.QeAuthenticationData.Length == 0, "no QE authentication data to alter");
        Assert.Equal(VerificationReason.QeReportDataMismatch, Run(c, Flip(c.QuoteBytes, QeReportOffset(c) + 384 + 64 + 2)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_quote_whose_attestation_key_was_replaced(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var at = QuoteParser.Parse(c.QuoteBytes).SignedBytes.Length + 4 + 64;
        // The QE report binds the key, so a new key is caught there first.
        Assert.Equal(VerificationReason.QeReportDataMismatch, Run(c, Flip(c.QuoteBytes, at)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_a_pck_leaf_whose_signature_was_altered(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var q = QuoteParser.Parse(c.QuoteBytes);
        var pemAt = c.QuoteBytes.AsSpan().IndexOf(q.PckChainPem);
        var leaf = PemText.DecodeAll(q.PckChainPem, "CERTIFICATE", "pck")[0];
        leaf[^2] ^= 0x01; // inside the signature's s integer
        var tampered = (byte[])c.QuoteBytes.Clone();
        ReplaceFirstPemBody(tampered.AsSpan(pemAt, q.PckChainPem.Length), leaf);
        Assert.Equal(VerificationReason.PckChainSignatureInvalid, Run(c, tampered).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_every_chain_when_another_root_is_pinned(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = other.ExportParameters(false);
        var anchor = TrustAnchor.FromPublicKey([.. p.Q.X!, .. p.Q.Y!], "other root");
        Assert.Equal(VerificationReason.UntrustedRoot, Run(c, root: anchor).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_uses_the_intel_root_by_default(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        // Every vector root is the Intel SGX Root CA (SOURCES.md 1.1).
        Assert.Equal(TrustAnchor.IntelSgxRootCa.PublicKey, c.Root.PublicKey);
        Assert.True(Verifier.Verify(c.QuoteBytes, c.Collateral, c.Now).IsVerified);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_tcb_info_whose_signature_was_altered(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var sig = Flip(c.Collateral.TcbInfo.Signature, 3);
        Assert.Equal(VerificationReason.TcbInfoSignatureInvalid, Run(c, collateral: With(c.Collateral, tcbInfo: new SignedDocument(c.Collateral.TcbInfo.Body, sig))).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_tcb_info_whose_bytes_were_reformatted(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        // Same JSON value, different bytes (hex case): the signature covers bytes, not meaning.
        var text = Encoding.UTF8.GetString(c.Collateral.TcbInfo.Body);
        var fmspc = TcbInfo.Parse(c.Collateral.TcbInfo.Body).Fmspc;
        var upper = Convert.ToHexString(fmspc);
        var lower = upper.ToLowerInvariant();
        var changed = text.Contains(upper, StringComparison.Ordinal) ? text.Replace(upper, lower, StringComparison.Ordinal) : text.Replace(lower, upper, StringComparison.Ordinal);
        Skip.If(changed == text, "FMSPC has no letters to re-case");
        var doc = new SignedDocument(Encoding.UTF8.GetBytes(changed), c.Collateral.TcbInfo.Signature);
        Assert.Equal(VerificationReason.TcbInfoSignatureInvalid, Run(c, collateral: With(c.Collateral, tcbInfo: doc)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_qe_identity_whose_signature_was_altered(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var sig = Flip(c.Collateral.QeIdentity.Signature, 40);
        Assert.Equal(VerificationReason.QeIdentitySignatureInvalid, Run(c, collateral: With(c.Collateral, qeIdentity: new SignedDocument(c.Collateral.QeIdentity.Body, sig))).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_root_crl_whose_signature_was_altered(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var crl = Flip(c.Collateral.RootCaCrl, c.Collateral.RootCaCrl.Length - 2);
        Assert.Equal(VerificationReason.RootCrlSignatureInvalid, Run(c, collateral: With(c.Collateral, rootCrl: crl)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_pck_crl_whose_signature_was_altered(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var crl = Flip(c.Collateral.PckCrl, c.Collateral.PckCrl.Length - 2);
        Assert.Equal(VerificationReason.PckCrlSignatureInvalid, Run(c, collateral: With(c.Collateral, pckCrl: crl)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_pck_crl_issued_by_the_root_instead_of_the_pck_ca(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        Assert.Equal(VerificationReason.PckCrlIssuerMismatch, Run(c, collateral: With(c.Collateral, pckCrl: c.Collateral.RootCaCrl)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_root_crl_issued_by_the_pck_ca(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        Assert.Equal(VerificationReason.RootCrlIssuerMismatch, Run(c, collateral: With(c.Collateral, rootCrl: c.Collateral.PckCrl)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_collateral_one_second_after_its_earliest_next_update(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var ok = Run(c);
        var expires = ok.CollateralExpires!.Value;
        Assert.True(Run(c, now: expires).IsVerified);
        var late = Run(c, now: expires.AddSeconds(1));
        var tcb = TcbInfo.Parse(c.Collateral.TcbInfo.Body);
        var qe = EnclaveIdentity.Parse(c.Collateral.QeIdentity.Body);
        var candidates = new List<(DateTimeOffset? At, VerificationReason Reason)>
        {
            (tcb.NextUpdate, VerificationReason.TcbInfoNotValidAtNow),
            (qe.NextUpdate, VerificationReason.QeIdentityNotValidAtNow),
            (Crl.Parse(c.Collateral.RootCaCrl).NextUpdate, VerificationReason.RootCrlNotValidAtNow),
            (Crl.Parse(c.Collateral.PckCrl).NextUpdate, VerificationReason.PckCrlNotValidAtNow),
        };
        var expected = candidates.Where(x => x.At == expires).Select(x => x.Reason).ToList();
        Skip.If(expected.Count != 1, "several collateral items expire at the same second");
        Assert.Equal(expected[0], late.Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Verify_rejects_collateral_before_the_tcb_info_issue_date(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var tcb = TcbInfo.Parse(c.Collateral.TcbInfo.Body);
        // The TCB Info window is checked before the QE Identity's and the PCK chain's.
        Assert.Equal(VerificationReason.TcbInfoNotValidAtNow, Run(c, now: tcb.IssueDate.AddSeconds(-1)).Reason);
    }

    [SkippableFact]
    public void Verify_rejects_sgx_quote_with_tdx_collateral()
    {
        var sgx = DcapVectorCases.FirstOk("0x0");
        var tdx = DcapVectorCases.FirstOk("0x81");
        var v = Verifier.Verify(sgx.QuoteBytes, tdx.Collateral, tdx.Now);
        Assert.Equal(VerificationReason.TcbInfoIdMismatch, v.Reason);
    }

    [SkippableFact]
    public void Verify_reports_a_malformed_quote_and_malformed_collateral()
    {
        var c = DcapVectorCases.FirstOk("0x0");
        Assert.Equal(VerificationReason.QuoteMalformed, Run(c, c.QuoteBytes[..100]).Reason);
        Assert.Equal(VerificationReason.CollateralMalformed, Run(c, collateral: With(c.Collateral, pckCrl: [0x30, 0x03, 0x02, 0x01])).Reason);
        // A TCB Info is authenticated before it is read: unsigned garbage is a signature failure.
        var broken = new SignedDocument(Encoding.UTF8.GetBytes("{\"id\":"), c.Collateral.TcbInfo.Signature);
        Assert.Equal(VerificationReason.TcbInfoSignatureInvalid, Run(c, collateral: With(c.Collateral, tcbInfo: broken)).Reason);
    }

    [SkippableTheory]
    [MemberData(nameof(TeeTypes))]
    public void Cached_verification_gives_the_same_verdict_and_still_checks_time(string tee)
    {
        var c = DcapVectorCases.FirstOk(tee);
        var cache = new VerifiedCollateralCache(4);
        var options = new VerifierOptions { TrustAnchor = c.Root, Cache = cache };
        var cold = Verifier.Verify(c.QuoteBytes, c.Collateral, c.Now, options);
        var warm = Verifier.Verify(c.QuoteBytes, c.Collateral, c.Now, options);
        Assert.True(warm.IsVerified);
        Assert.Equal(cold.TcbStatus, warm.TcbStatus);
        Assert.Equal(1, cache.Count);
        Assert.False(Verifier.Verify(c.QuoteBytes, c.Collateral, cold.CollateralExpires!.Value.AddDays(1), options).IsVerified);
        // A tampered quote is still caught with warm collateral.
        Assert.Equal(VerificationReason.QuoteSignatureInvalid, Verifier.Verify(Flip(c.QuoteBytes, 47), c.Collateral, c.Now, options).Reason);
        // Different collateral bytes are a different key.
        var other = With(c.Collateral, tcbInfo: new SignedDocument(c.Collateral.TcbInfo.Body, Flip(c.Collateral.TcbInfo.Signature, 1)));
        Assert.Equal(VerificationReason.TcbInfoSignatureInvalid, Verifier.Verify(c.QuoteBytes, other, c.Now, options).Reason);
        Assert.Equal(2, cache.Count);
    }

    internal static QuoteCollateral With(QuoteCollateral c, SignedDocument? tcbInfo = null, SignedDocument? qeIdentity = null, byte[]? rootCrl = null, byte[]? pckCrl = null) =>
        new(c.PckCrlIssuerChain, rootCrl ?? c.RootCaCrl, pckCrl ?? c.PckCrl, c.TcbInfoIssuerChain, tcbInfo ?? c.TcbInfo, c.QeIdentityIssuerChain, qeIdentity ?? c.QeIdentity);

    /// <summary>Overwrites the base64 characters of the first PEM block with those of <paramref name="der"/> (same length).</summary>
    private static void ReplaceFirstPemBody(Span<byte> pem, byte[] der)
    {
        var b64 = Encoding.ASCII.GetBytes(Convert.ToBase64String(der));
        var begin = "-----BEGIN CERTIFICATE-----"u8;
        var i = pem.IndexOf(begin) + begin.Length;
        var k = 0;
        while (k < b64.Length)
        {
            if (pem[i] is not ((byte)'\n' or (byte)'\r'))
            {
                pem[i] = b64[k++];
            }
            i++;
        }
    }
}
