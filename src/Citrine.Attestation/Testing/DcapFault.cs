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

    // Roles of the certificates: the TCB Info issuer chain gets another signer (the QE Identity
    // chain keeps the real TCB signing certificate), except where noted.
    /// <summary>
    /// The forgery a PCK key holder could make: TCB Info and QE Identity both signed by the PCK
    /// leaf's key, issuer chains [PCK leaf, PCK CA, root]; the QE report is signed by that key anyway.
    /// </summary>
    TcbSignerIsPckLeaf,
    /// <summary>TCB Info signed by the PCK CA's key, issuer chain [PCK CA, root].</summary>
    TcbSignerIsPckCa,
    /// <summary>TCB Info issuer chain [TCB signing certificate, intermediate CA, root], every signature valid.</summary>
    TcbSignerChainTooLong,
    /// <summary>The TCB Info signer (same key, issued by the root) has CN "Intel SGX TCB Signer".</summary>
    TcbSignerWrongCn,
    /// <summary>The TCB Info signer is marked a CA (basicConstraints cA true).</summary>
    TcbSignerIsCa,
    /// <summary>The TCB Info signer carries the SGX PCK extension.</summary>
    TcbSignerWithPckExtension,
    /// <summary>The TCB Info signer has an extra extension marked critical that nobody defines.</summary>
    TcbSignerUnknownCriticalExtension,
    /// <summary>The QE Identity signer (its own copy) has CN "Intel SGX TCB Signer"; the TCB Info chain is the real one.</summary>
    QeIdentitySignerWrongCn,
    /// <summary>The PCK leaf's CN is "Intel SGX PCK Leaf".</summary>
    PckLeafWrongCn,
    /// <summary>The PCK CA's CN is "Intel SGX PCK Other CA" (leaf and PCK CRL name it as issuer).</summary>
    PckCaWrongCn,
    /// <summary>The PCK leaf has an extra extension marked critical that nobody defines.</summary>
    PckLeafUnknownCriticalExtension,
    /// <summary>The PCK CRL (validly signed) has no CRL Number extension.</summary>
    PckCrlWithoutCrlNumber,
    /// <summary>The PCK CRL (validly signed) has no Authority Key Identifier extension.</summary>
    PckCrlWithoutAuthorityKeyId,
    /// <summary>The PCK leaf's SGX extension lists the FMSPC entry twice.</summary>
    PckExtensionRepeatedFmspc,

    // Intel-signed documents (validly signed).
    /// <summary>TCB Info "tcbType" is 1.</summary>
    TcbInfoTcbTypeNonZero,
    /// <summary>The TCB Info lists the platform's TCB level twice, the copy with another status.</summary>
    TcbInfoDuplicateLevel,
    /// <summary>The QE Identity lists the QE's ISVSVN level twice.</summary>
    QeIdentityDuplicateLevel,
    /// <summary>
    /// TDX only: the TCB Info's module attributes are 01.. with mask FE..: equal to the report's
    /// zero SEAM attributes under the mask, not byte for byte.
    /// </summary>
    TdxModuleAttributesUnmasked,
    /// <summary>The QE report has ATTRIBUTES.DEBUG set (and is validly signed).</summary>
    QeDebug,
}
