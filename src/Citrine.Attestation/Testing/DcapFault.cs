namespace Citrine.Attestation.Testing;

/// <summary>
/// TEST/SIMULATION ONLY. The one thing <see cref="DcapSimulator"/> breaks in an otherwise valid
/// quote + collateral set, so a test can assert that exactly one verifier check fails.
/// </summary>
public enum DcapFault
{
    None,

    /// <summary>The quote header names a QE vendor other than Intel (the quote is still validly signed).</summary>
    QeVendorIdNotIntel,

    // Trust anchor and certificate validity (times relative to the request's Now).
    /// <summary>Everything is signed under the generated root, but the root handed out as trusted is a different key.</summary>
    WrongRoot,
    RootExpired,
    RootNotYetValid,
    PckCaExpired,
    PckCaNotYetValid,
    PckLeafExpired,
    PckLeafNotYetValid,
    /// <summary>Affects the TCB Info issuer chain only (the QE Identity chain keeps a valid copy).</summary>
    TcbSigningCertExpired,
    /// <summary>Affects the TCB Info issuer chain only (the QE Identity chain keeps a valid copy).</summary>
    TcbSigningCertNotYetValid,

    /// <summary>The QE Identity issuer chain gets its own TCB signing certificate, expired (the TCB Info chain stays valid).</summary>
    QeIdentitySignerExpired,

    // Certificate signatures (the certificate is signed by the impostor key under the right issuer name).
    PckCaSignatureInvalid,
    PckLeafSignatureInvalid,
    /// <summary>Affects the TCB Info issuer chain only (the QE Identity chain keeps a valid copy).</summary>
    TcbSigningCertSignatureInvalid,
    /// <summary>The QE Identity issuer chain's signing certificate is signed by the impostor key.</summary>
    QeIdentitySignerSignatureInvalid,
    /// <summary>The PCK leaf names the other PCK CA as issuer (still signed by the real PCK CA key).</summary>
    PckLeafIssuerNameMismatch,
    /// <summary>The quote's PEM chain holds only the leaf and the PCK CA.</summary>
    PckChainMissingRoot,

    // Revocation.
    PckLeafRevoked,
    PckCaRevoked,
    TcbSigningCertRevoked,

    /// <summary>The PCK leaf carries no SGX extension (OID 1.2.840.113741.1.13.1).</summary>
    PckLeafWithoutSgxExtension,

    // CRLs.
    RootCrlExpired,
    RootCrlNotYetValid,
    RootCrlBadSignature,
    /// <summary>The root CA CRL is issued (and validly signed) by the PCK CA instead of the root.</summary>
    RootCrlWrongIssuer,
    PckCrlExpired,
    PckCrlNotYetValid,
    PckCrlBadSignature,
    /// <summary>The PCK CRL is issued (and validly signed) by the root instead of the PCK CA.</summary>
    PckCrlWrongIssuer,

    // TCB Info.
    TcbInfoBadSignature,
    /// <summary>The TCB Info is a validly signed JSON object that lacks required fields.</summary>
    TcbInfoMalformed,
    TcbInfoExpired,
    TcbInfoNotYetValid,
    /// <summary>
    /// A well-formed TCB Info v2 document (no "id", flat sgxtcbcompNNsvn fields). Only v3 describes
    /// TDX, so a TDX quote must be refused; for SGX, v2 is a legitimate (older) format.
    /// </summary>
    TcbInfoWrongVersion,
    /// <summary>TCB Info "version" is 4 (a version nobody defines) with the v3 layout.</summary>
    TcbInfoUnknownVersion,
    /// <summary>TCB Info "id" is "TDX" for an SGX quote and "SGX" for a TDX quote.</summary>
    TcbInfoWrongId,
    TcbInfoWrongFmspc,
    TcbInfoWrongPceId,
    /// <summary>Every TCB level is above the platform's (no level matches).</summary>
    NoMatchingTcbLevel,

    // QE Identity.
    QeIdentityBadSignature,
    QeIdentityExpired,
    QeIdentityNotYetValid,
    /// <summary>"id" is "TD_QE" for an SGX quote and "QE" for a TDX quote.</summary>
    QeIdentityWrongId,
    /// <summary>"version" is 1 instead of 2.</summary>
    QeIdentityWrongVersion,
    QeIdentityWrongMrSigner,
    QeIdentityWrongIsvProdId,
    QeIdentityWrongMiscSelect,
    QeIdentityWrongAttributes,
    /// <summary>The QE's ISVSVN level has status Revoked.</summary>
    QeIsvSvnRevoked,
    /// <summary>Every QE Identity TCB level has an ISVSVN above the QE's.</summary>
    QeIsvSvnBelowAllLevels,

    // Quote signatures and bindings.
    /// <summary>The QE report is signed by the impostor key instead of the PCK leaf key.</summary>
    QeReportSignatureInvalid,
    /// <summary>QE report_data[0..32] is not SHA-256(attestation key || QE auth data); the report is validly signed.</summary>
    QeReportDataMismatch,
    /// <summary>The quote is signed by the impostor key instead of the attestation key.</summary>
    QuoteSignatureInvalid,
    /// <summary>The quote's attestation key is not a P-256 point (the QE report data still binds it).</summary>
    AttestationKeyNotOnCurve,

    // TDX module identity (TDX only).
    TdxModuleMrSignerMismatch,
    TdxModuleAttributesMismatch,
    /// <summary>TCB Info has no tdxModuleIdentities entry "TDX_%02X" for the module's major version.</summary>
    TdxModuleIdentityMissing,
    /// <summary>Every level of the module identity has an ISVSVN above the module's TEE_TCB_SVN[0].</summary>
    TdxModuleSvnBelowAllLevels,

    // Report body attributes (policy checks).
    DebugEnclave,
    DebugTd,
    SeptVeDisableMissing,
    /// <summary>MR_SERVICETD is non-zero (TD 1.5 report body, quote v5 only).</summary>
    MrServiceTdNonZero,
}
