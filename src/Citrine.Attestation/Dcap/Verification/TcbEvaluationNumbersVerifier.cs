using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;

namespace Citrine.Attestation.Dcap.Verification;

/// <summary>Why a TCB Evaluation Data Numbers document was refused; one code per check.</summary>
public enum TcbEvaluationNumbersReason
{
    /// <summary>Never a verdict of the verifier: <c>default</c> fails closed.</summary>
    Unset = 0,
    Verified,
    Malformed,
    UntrustedRoot,
    IssuerChainInvalid,
    IssuerChainNotValidAtNow,
    RootCrlIssuerMismatch,
    RootCrlSignatureInvalid,
    RootCrlNotValidAtNow,
    SigningCertificateRevoked,
    SignatureInvalid,
    VersionUnsupported,
    IdMismatch,
    NotValidAtNow,
    /// <summary>The issuer chain is not exactly [TCB signing certificate, root].</summary>
    SignerChainLengthInvalid,
    /// <summary>The signer's CN is not "Intel SGX TCB Signing".</summary>
    SignerNameInvalid,
    /// <summary>The signer is a CA certificate.</summary>
    SignerIsCa,
    /// <summary>The signer carries the SGX PCK extension (it is a PCK certificate).</summary>
    SignerHasPckExtension,
    /// <summary>A certificate of the chain has a critical extension that is not processed (RFC 5280 4.2).</summary>
    UnknownCriticalExtension,
}

/// <summary>The outcome of <see cref="TcbEvaluationNumbersVerifier.Verify"/>; the document is set only when verified.</summary>
public readonly record struct TcbEvaluationNumbersVerdict(TcbEvaluationNumbersReason Reason, string Detail, TcbEvaluationDataNumbers? Document)
{
    public bool IsVerified => Reason == TcbEvaluationNumbersReason.Verified && Document is not null;
}

/// <summary>
/// Verifies Intel's TCB Evaluation Data Numbers document (PCS v4 <c>/tcbevaluationdatanumbers</c>:
/// <c>{"tcbEvaluationDataNumbers":{...},"signature":"hex"}</c>, signed by the TCB Signing
/// certificate whose chain comes in the <c>TCB-Evaluation-Data-Numbers-Issuer-Chain</c> header).
/// The same rules as the TCB Info: the chain ends in the pinned root, every certificate is valid
/// at <c>now</c>, the signing certificate is not on the root CA CRL (itself signed by the root
/// and current), the signature covers the exact bytes of the inner object, version 1, id SGX or
/// TDX as asked, and <c>now</c> lies in issueDate..nextUpdate. Pure: <c>now</c> is a parameter.
/// </summary>
public static class TcbEvaluationNumbersVerifier
{
    /// <summary>The document version this verifier understands (PCS API v4).</summary>
    public const int SupportedVersion = 1;

    /// <param name="pcsResponse">The PCS response body, exactly as served.</param>
    /// <param name="issuerChainPem">The issuer chain header (PEM, TCB signing certificate then root).</param>
    /// <param name="rootCaCrl">The root CA CRL (DER or PEM).</param>
    /// <param name="tee">Which document is expected (id "SGX" or "TDX").</param>
    /// <param name="now">The verification time.</param>
    /// <param name="anchor">The pinned root; Intel's SGX Root CA by default.</param>
    public static TcbEvaluationNumbersVerdict Verify(ReadOnlySpan<byte> pcsResponse, ReadOnlySpan<byte> issuerChainPem, ReadOnlySpan<byte> rootCaCrl, TeeType tee, DateTimeOffset now, TrustAnchor? anchor = null)
    {
        anchor ??= TrustAnchor.IntelSgxRootCa;
        SignedDocument signed;
        List<DcapCertificate> chain;
        Crl rootCrl;
        try
        {
            signed = SignedDocument.FromPcsResponse(pcsResponse, "tcbEvaluationDataNumbers");
            chain = [.. PemText.DecodeAll(issuerChainPem, "CERTIFICATE", "tcb_evaluation_data_numbers_issuer_chain").Select(d => DcapCertificate.Parse(d, "tcb_evaluation_data_numbers_issuer_chain"))];
            rootCrl = Crl.Parse(rootCaCrl, "root_ca_crl");
        }
        catch (CollateralFormatException e)
        {
            return Fail(TcbEvaluationNumbersReason.Malformed, e.Message);
        }

        // Authenticate before interpreting the JSON.
        // Only the TCB signing certificate may sign it (see PreparedCollateral.SignerChainFailure).
        if (PreparedCollateral.SignerChainFailure(chain, anchor, "TCB Evaluation Data Numbers issuer chain") is { } failure)
        {
            var reason = failure.Fault switch
            {
                PreparedCollateral.ChainFault.Untrusted => TcbEvaluationNumbersReason.UntrustedRoot,
                PreparedCollateral.ChainFault.Length => TcbEvaluationNumbersReason.SignerChainLengthInvalid,
                PreparedCollateral.ChainFault.Name => TcbEvaluationNumbersReason.SignerNameInvalid,
                PreparedCollateral.ChainFault.Ca => TcbEvaluationNumbersReason.SignerIsCa,
                PreparedCollateral.ChainFault.PckExtension => TcbEvaluationNumbersReason.SignerHasPckExtension,
                PreparedCollateral.ChainFault.CriticalExtension => TcbEvaluationNumbersReason.UnknownCriticalExtension,
                _ => TcbEvaluationNumbersReason.IssuerChainInvalid,
            };
            return Fail(reason, failure.Detail);
        }
        foreach (var c in chain)
        {
            if (!c.IsValidAt(now))
            {
                return Fail(TcbEvaluationNumbersReason.IssuerChainNotValidAtNow, $"'{c.SubjectText}' is valid {c.NotBefore:O}..{c.NotAfter:O}, now is {now:O}");
            }
        }
        // RFC 5280 §6.3.3 (f), (g): the root CRL is issued and signed by the pinned root, and current.
        if (!rootCrl.IssuerName.AsSpan().SequenceEqual(chain[^1].Subject))
        {
            return Fail(TcbEvaluationNumbersReason.RootCrlIssuerMismatch, "root CA CRL issuer is not the root CA");
        }
        if (rootCrl.SignatureAlgorithm != DcapCertificate.EcdsaWithSha256 || !EcdsaP256.VerifyDer(anchor.PublicKey, rootCrl.TbsBytes, rootCrl.Signature))
        {
            return Fail(TcbEvaluationNumbersReason.RootCrlSignatureInvalid, "root CA CRL is not signed by the root key");
        }
        if (rootCrl.NextUpdate is not { } next || now < rootCrl.ThisUpdate || now > next)
        {
            return Fail(TcbEvaluationNumbersReason.RootCrlNotValidAtNow, $"root CA CRL is valid {rootCrl.ThisUpdate:O}..{rootCrl.NextUpdate:O}, now is {now:O}");
        }
        for (var i = 0; i < chain.Count - 1; i++)
        {
            if (rootCrl.IsRevoked(chain[i].SerialNumber))
            {
                return Fail(TcbEvaluationNumbersReason.SigningCertificateRevoked, $"'{chain[i].SubjectText}' is revoked by the root CA CRL");
            }
        }
        if (!EcdsaP256.VerifyRaw(chain[0].PublicKey, signed.Body, signed.Signature))
        {
            return Fail(TcbEvaluationNumbersReason.SignatureInvalid, "the TCB Evaluation Data Numbers signature does not verify with the TCB signing key");
        }

        TcbEvaluationDataNumbers document;
        try
        {
            document = TcbEvaluationDataNumbers.Parse(signed.Body);
        }
        catch (CollateralFormatException e)
        {
            return Fail(TcbEvaluationNumbersReason.Malformed, e.Message);
        }
        if (document.Version != SupportedVersion)
        {
            return Fail(TcbEvaluationNumbersReason.VersionUnsupported, $"version {document.Version}; only {SupportedVersion} is defined");
        }
        var expectedId = tee == TeeType.Tdx ? "TDX" : "SGX";
        if (!string.Equals(document.Id, expectedId, StringComparison.Ordinal))
        {
            return Fail(TcbEvaluationNumbersReason.IdMismatch, $"id is '{document.Id}', expected '{expectedId}'");
        }
        if (now < document.IssueDate || now > document.NextUpdate)
        {
            return Fail(TcbEvaluationNumbersReason.NotValidAtNow, $"the document is valid {document.IssueDate:O}..{document.NextUpdate:O}, now is {now:O}");
        }
        return new TcbEvaluationNumbersVerdict(TcbEvaluationNumbersReason.Verified, string.Empty, document);
    }

    private static TcbEvaluationNumbersVerdict Fail(TcbEvaluationNumbersReason reason, string detail) => new(reason, detail, null);
}
