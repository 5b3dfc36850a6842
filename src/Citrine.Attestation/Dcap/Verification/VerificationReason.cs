namespace Citrine.Attestation.Dcap.Verification;

/// <summary>
/// Why cryptographic verification of a quote failed: one code per check, so tests and callers
/// can tell exactly which check refused the quote. <see cref="None"/> means verified.
/// </summary>
public enum VerificationReason
{
    None = 0,

    // Input
    QuoteMalformed,
    CollateralMalformed,
    /// <summary>The quote header's QE vendor id is not Intel's QE (939A7233-F79C-4CA9-940A-0DB3957F0607).</summary>
    QeVendorIdUnsupported,

    // Trust anchor and PCK chain
    UntrustedRoot,
    PckChainMalformed,
    PckChainIssuerMismatch,
    PckChainSignatureInvalid,
    PckChainNotValidAtNow,
    PckExtensionMalformed,

    // CRLs
    RootCrlIssuerMismatch,
    RootCrlSignatureInvalid,
    RootCrlNotValidAtNow,
    PckCrlIssuerMismatch,
    PckCrlSignatureInvalid,
    PckCrlNotValidAtNow,
    PckCaRevoked,
    PckCertificateRevoked,
    TcbSigningCertificateRevoked,

    // TCB Info
    TcbInfoChainInvalid,
    TcbInfoChainNotValidAtNow,
    TcbInfoSignatureInvalid,
    TcbInfoNotValidAtNow,
    TcbInfoVersionUnsupported,
    TcbInfoIdMismatch,
    FmspcMismatch,
    PceIdMismatch,

    // QE Identity
    QeIdentityChainInvalid,
    QeIdentityChainNotValidAtNow,
    QeIdentitySignatureInvalid,
    QeIdentityNotValidAtNow,
    QeIdentityVersionUnsupported,
    QeIdentityIdMismatch,

    // QE report
    QeReportSignatureInvalid,
    QeReportDataMismatch,
    QeMrSignerMismatch,
    QeIsvProdIdMismatch,
    QeMiscSelectMismatch,
    QeAttributesMismatch,
    QeTcbLevelNotFound,
    QeTcbRevoked,

    // Quote signature
    AttestationKeyInvalid,
    QuoteSignatureInvalid,

    // TCB evaluation
    TcbLevelNotFound,
    TcbRevoked,
    TdxModuleMrSignerMismatch,
    TdxModuleAttributesMismatch,
    TdxModuleIdentityNotFound,
    TdxModuleTcbLevelNotFound,
    TdxModuleTcbRevoked,
}
