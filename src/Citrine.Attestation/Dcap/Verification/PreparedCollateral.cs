using System.Buffers.Binary;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;

namespace Citrine.Attestation.Dcap.Verification;

/// <summary>
/// Collateral after its time-independent checks: parsed, TCB/QE signing chains checked up to the
/// anchor key, document signatures and the root CRL signature checked. Either
/// <see cref="FailureReason"/> is set or every parsed item is present.
/// </summary>
internal sealed class PreparedCollateral
{
    public VerificationReason FailureReason { get; init; }

    public string? FailureDetail { get; init; }

    public TcbInfo? TcbInfo { get; init; }

    public EnclaveIdentity? QeIdentity { get; init; }

    public Crl? RootCrl { get; init; }

    public Crl? PckCrl { get; init; }

    public IReadOnlyList<DcapCertificate> TcbInfoChain { get; init; } = [];

    public IReadOnlyList<DcapCertificate> QeIdentityChain { get; init; } = [];

    public static PreparedCollateral Prepare(QuoteCollateral collateral, TrustAnchor anchor)
    {
        Crl rootCrl, pckCrl;
        List<DcapCertificate> tcbChain, qeChain;
        try
        {
            rootCrl = Crl.Parse(collateral.RootCaCrl, "root_ca_crl");
            pckCrl = Crl.Parse(collateral.PckCrl, "pck_crl");
            tcbChain = [.. collateral.TcbInfoIssuerChain.Select(c => DcapCertificate.Parse(c, "tcb_info_issuer_chain"))];
            qeChain = [.. collateral.QeIdentityIssuerChain.Select(c => DcapCertificate.Parse(c, "qe_identity_issuer_chain"))];
        }
        catch (CollateralFormatException e)
        {
            return Fail(VerificationReason.CollateralMalformed, e.Message);
        }

        // Signed documents are authenticated before their JSON is interpreted, and only by a key
        // whose certificate is the TCB signing certificate itself: a PCK leaf or PCK CA also chains
        // to the root, and its holder could otherwise sign its own TCB Info and QE Identity.
        var chainFailure = SignerChainFailure(tcbChain, anchor, "TCB Info issuer chain");
        if (chainFailure is not null)
        {
            return Fail(SignerReason(chainFailure.Value.Fault, VerificationReason.TcbInfoChainInvalid), chainFailure.Value.Detail);
        }
        if (!EcdsaP256.VerifyRaw(tcbChain[0].PublicKey, collateral.TcbInfo.Body, collateral.TcbInfo.Signature))
        {
            return Fail(VerificationReason.TcbInfoSignatureInvalid, "TCB Info signature does not verify with the TCB signing key");
        }
        TcbInfo tcbInfo;
        try
        {
            tcbInfo = TcbInfo.Parse(collateral.TcbInfo.Body);
        }
        catch (CollateralFormatException e)
        {
            return Fail(e.Item == "tcbInfo.version" ? VerificationReason.TcbInfoVersionUnsupported : VerificationReason.CollateralMalformed, e.Message);
        }
        // PCS API v4 (TCB Info V3): tcbType 0 is the only type, the one whose components are
        // compared one by one; another type would need another comparison.
        if (tcbInfo.TcbType != 0)
        {
            return Fail(VerificationReason.TcbInfoTcbTypeUnsupported, $"TCB Info tcbType {tcbInfo.TcbType}; only 0 is defined");
        }
        if (DuplicateLevel(tcbInfo) is { } duplicate)
        {
            return Fail(VerificationReason.TcbInfoTcbLevelDuplicated, duplicate);
        }
        // Intel QVL TdxModuleTcbLevel: a module level is UpToDate, OutOfDate or Revoked; any other
        // status has no defined meaning when combined with the platform's.
        foreach (var identity in tcbInfo.TdxModuleIdentities)
        {
            if (identity.TcbLevels.FirstOrDefault(l => l.Status is not (TcbStatus.UpToDate or TcbStatus.OutOfDate or TcbStatus.Revoked)) is { } odd)
            {
                return Fail(VerificationReason.TdxModuleTcbStatusUnsupported, $"TDX module identity {identity.Id} ISVSVN {odd.IsvSvn} has status {odd.Status}");
            }
        }
        // The QE Identity is normally signed by the same TCB Signing certificate: check a chain once.
        var sameChain = collateral.QeIdentityIssuerChain.Count == collateral.TcbInfoIssuerChain.Count
            && collateral.QeIdentityIssuerChain.Zip(collateral.TcbInfoIssuerChain).All(p => p.First.AsSpan().SequenceEqual(p.Second));
        chainFailure = sameChain ? null : SignerChainFailure(qeChain, anchor, "QE Identity issuer chain");
        if (chainFailure is not null)
        {
            return Fail(SignerReason(chainFailure.Value.Fault, VerificationReason.QeIdentityChainInvalid), chainFailure.Value.Detail);
        }
        if (!EcdsaP256.VerifyRaw(qeChain[0].PublicKey, collateral.QeIdentity.Body, collateral.QeIdentity.Signature))
        {
            return Fail(VerificationReason.QeIdentitySignatureInvalid, "QE Identity signature does not verify with the TCB signing key");
        }
        EnclaveIdentity qeIdentity;
        try
        {
            qeIdentity = EnclaveIdentity.Parse(collateral.QeIdentity.Body);
        }
        catch (CollateralFormatException e)
        {
            return Fail(VerificationReason.CollateralMalformed, e.Message);
        }
        if (qeIdentity.TcbLevels.GroupBy(l => l.IsvSvn).FirstOrDefault(g => g.Count() > 1) is { } same)
        {
            return Fail(VerificationReason.QeIdentityTcbLevelDuplicated, $"QE Identity has {same.Count()} TCB levels for ISVSVN {same.Key}");
        }
        // The root CRL must be issued and signed by the pinned root (RFC 5280 6.3.3 (f), (g)).
        if (!rootCrl.IssuerName.AsSpan().SequenceEqual(tcbChain[^1].Subject))
        {
            return Fail(VerificationReason.RootCrlIssuerMismatch, "root CA CRL issuer is not the root CA");
        }
        if (rootCrl.SignatureAlgorithm != DcapCertificate.EcdsaWithSha256 || !EcdsaP256.VerifyDer(anchor.PublicKey, rootCrl.TbsBytes, rootCrl.Signature))
        {
            return Fail(VerificationReason.RootCrlSignatureInvalid, "root CA CRL is not signed by the root key");
        }
        return new PreparedCollateral
        {
            TcbInfo = tcbInfo,
            QeIdentity = qeIdentity,
            RootCrl = rootCrl,
            PckCrl = pckCrl,
            TcbInfoChain = tcbChain,
            QeIdentityChain = qeChain,
        };
    }

    /// <summary>
    /// Checks names and signatures of a leaf-first chain whose last certificate must carry the
    /// anchor key. Certificates below the root are verified with the anchor key itself, so a root
    /// certificate in the chain is only a name carrier.
    /// </summary>
    internal enum ChainFault
    {
        Untrusted,
        Issuer,
        Signature,
        CriticalExtension,
        Length,
        Name,
        Ca,
        PckExtension,
    }

    /// <summary>
    /// The issuer chain of an Intel-signed document: exactly [signer, root] (Intel QVL
    /// TCBSigningChain; PCS API v4 issuer chain headers), the signer issued and signed by the
    /// pinned root, named "Intel SGX TCB Signing", not a CA and not a PCK certificate (no SGX
    /// extension). Whether the root CA CRL revokes the signer is checked with the CRLs.
    /// </summary>
    internal static (ChainFault Fault, string Detail)? SignerChainFailure(IReadOnlyList<DcapCertificate> chain, TrustAnchor anchor, string what, VerifiedCollateralCache? cache = null)
    {
        if (chain.Count != 2)
        {
            return (ChainFault.Length, $"{what} has {chain.Count} certificate(s); it must be exactly the TCB signing certificate and the root");
        }
        if (ChainFailure(chain, anchor, what, cache) is { } failure)
        {
            return failure;
        }
        var signer = chain[0];
        if (!string.Equals(signer.CommonName, Verifier.TcbSigningCommonName, StringComparison.Ordinal))
        {
            return (ChainFault.Name, $"{what}: the signer's CN is '{signer.CommonName}', not '{Verifier.TcbSigningCommonName}'");
        }
        if (signer.IsCa)
        {
            return (ChainFault.Ca, $"{what}: the signer '{signer.SubjectText}' is a CA certificate");
        }
        if (signer.Extensions.ContainsKey(PckExtensions.SgxExtensionsOid))
        {
            return (ChainFault.PckExtension, $"{what}: the signer '{signer.SubjectText}' carries the SGX PCK extension ({PckExtensions.SgxExtensionsOid})");
        }
        return null;
    }

    private static VerificationReason SignerReason(ChainFault fault, VerificationReason chainInvalid) => fault switch
    {
        ChainFault.Untrusted => VerificationReason.UntrustedRoot,
        ChainFault.CriticalExtension => VerificationReason.UnknownCriticalExtension,
        ChainFault.Length => VerificationReason.TcbSignerChainLengthInvalid,
        ChainFault.Name => VerificationReason.TcbSignerNameInvalid,
        ChainFault.Ca => VerificationReason.TcbSignerIsCa,
        ChainFault.PckExtension => VerificationReason.TcbSignerHasPckExtension,
        _ => chainInvalid,
    };

    /// <summary>Two TCB levels with the same TCB make the selection depend on their order (Intel QVL keeps levels in a set).</summary>
    private static string? DuplicateLevel(TcbInfo tcbInfo)
    {
        // Keyed by the 16 component bytes of each kind as integers: no strings per level.
        var seen = new HashSet<(UInt128 Sgx, ushort PceSvn, UInt128? Tdx)>();
        foreach (var level in tcbInfo.TcbLevels)
        {
            var key = (BinaryPrimitives.ReadUInt128LittleEndian(level.SgxComponents), level.PceSvn,
                level.TdxComponents is null ? (UInt128?)null : BinaryPrimitives.ReadUInt128LittleEndian(level.TdxComponents));
            if (!seen.Add(key))
            {
                return $"TCB Info has two TCB levels for SGX components {Convert.ToHexString(level.SgxComponents)}, PCESVN {level.PceSvn}";
            }
        }
        foreach (var identity in tcbInfo.TdxModuleIdentities)
        {
            if (identity.TcbLevels.GroupBy(l => l.IsvSvn).FirstOrDefault(g => g.Count() > 1) is { } same)
            {
                return $"TDX module identity {identity.Id} has {same.Count()} TCB levels for ISVSVN {same.Key}";
            }
        }
        return null;
    }

    internal static (ChainFault Fault, string Detail)? ChainFailure(IReadOnlyList<DcapCertificate> chain, TrustAnchor anchor, string what, VerifiedCollateralCache? cache = null)
    {
        if (chain.Count < 2)
        {
            return (ChainFault.Issuer, $"{what} has {chain.Count} certificate(s); at least an issuer and the root are needed");
        }
        if (!anchor.Matches(chain[^1]))
        {
            return (ChainFault.Untrusted, $"{what} ends in '{chain[^1].SubjectText}', whose key is not the trusted root key ({anchor.Name})");
        }
        foreach (var c in chain)
        {
            if (c.UnknownCriticalExtension is { } oid)
            {
                return (ChainFault.CriticalExtension, $"{what}: '{c.SubjectText}' has the critical extension {oid}, which is not processed here");
            }
        }
        for (var i = 0; i < chain.Count - 1; i++)
        {
            var issuer = chain[i + 1];
            if (!chain[i].Issuer.AsSpan().SequenceEqual(issuer.Subject))
            {
                return (ChainFault.Issuer, $"{what}: certificate {i} names issuer '{chain[i].IssuerText}', next is '{issuer.SubjectText}'");
            }
            // An intermediate must be a CA (RFC 5280 6.1.4 (k)); the root is pinned by key.
            if (i + 1 < chain.Count - 1 && !issuer.IsCa)
            {
                return (ChainFault.Issuer, $"{what}: issuer '{issuer.SubjectText}' is not a CA certificate");
            }
            var key = i + 1 == chain.Count - 1 ? anchor.PublicKey : issuer.PublicKey;
            if (!SignedBy(chain[i], key, cache))
            {
                return (ChainFault.Signature, $"{what}: certificate {i} ('{chain[i].SubjectText}') is not signed by its issuer");
            }
        }
        return null;
    }

    internal static bool SignedBy(DcapCertificate cert, byte[] key, VerifiedCollateralCache? cache)
    {
        if (cache is null)
        {
            return cert.IsSignedBy(key);
        }
        var id = Convert.ToHexString(Crypto.Hashing.Sha256([.. cert.Der, .. key]));
        return cache.CheckSignature(id, () => cert.IsSignedBy(key));
    }

    private static PreparedCollateral Fail(VerificationReason reason, string detail) => new() { FailureReason = reason, FailureDetail = detail };
}
