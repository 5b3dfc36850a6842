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

    // Roles of the certificates (Intel PCK Certificate and CRL Profile; Intel QVL's
    // TCB signing chain and PCK chain checks). Each one alone is what stops a PCK key from
    // signing its own TCB Info.
    /// <summary>A TCB Info / QE Identity issuer chain is not exactly [TCB signing certificate, root].</summary>
    TcbSignerChainLengthInvalid,
    /// <summary>The TCB Info / QE Identity signer's subject CN is not "Intel SGX TCB Signing".</summary>
    TcbSignerNameInvalid,
    /// <summary>The TCB Info / QE Identity signer is a CA certificate (basicConstraints cA).</summary>
    TcbSignerIsCa,
    /// <summary>The TCB Info / QE Identity signer carries the SGX PCK extension (1.2.840.113741.1.13.1): it is a PCK certificate.</summary>
    TcbSignerHasPckExtension,
    /// <summary>A certificate of a chain marks as critical an extension the verifier does not process (RFC 5280 4.2).</summary>
    UnknownCriticalExtension,
    /// <summary>The PCK leaf's subject CN is not "Intel SGX PCK Certificate".</summary>
    PckLeafNameInvalid,
    /// <summary>The PCK CA's subject CN is neither "Intel SGX PCK Platform CA" nor "Intel SGX PCK Processor CA".</summary>
    PckCaNameInvalid,
    /// <summary>The PCK leaf carries no SGX PCK extension.</summary>
    PckLeafSgxExtensionMissing,
    /// <summary>The PCK CRL lacks the CRL Number or the Authority Key Identifier extension.</summary>
    PckCrlExtensionMissing,

    // Intel-signed documents, after their signature.
    /// <summary>TCB Info tcbType is not 0, the only type defined (PCS API v4, TCB Info V3).</summary>
    TcbInfoTcbTypeUnsupported,
    /// <summary>Two TCB levels of the TCB Info (or of one TDX module identity) have the same TCB.</summary>
    TcbInfoTcbLevelDuplicated,
    /// <summary>Two TCB levels of the QE Identity have the same ISVSVN.</summary>
    QeIdentityTcbLevelDuplicated,
    /// <summary>A TDX module identity level has a status other than UpToDate, OutOfDate or Revoked.</summary>
    TdxModuleTcbStatusUnsupported,

    // Debug modes (refused unless VerifierOptions.AllowDebug; a debug QE always).
    /// <summary>The QE report has ATTRIBUTES.DEBUG set: its attestation key is not protected.</summary>
    QeDebug,
    /// <summary>The SGX enclave has ATTRIBUTES.DEBUG set.</summary>
    DebugEnclave,
    /// <summary>The TD has TD_ATTRIBUTES.DEBUG set.</summary>
    DebugTd,
}
