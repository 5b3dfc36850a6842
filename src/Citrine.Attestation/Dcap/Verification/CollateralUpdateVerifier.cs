using System.Numerics;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;

namespace Citrine.Attestation.Dcap.Verification;

/// <summary>The kinds of collateral a registry holds (Intel PCS API v4 resources).</summary>
public enum CollateralKind
{
    Unknown = 0,
    /// <summary><c>/sgx/certification/v4/tcb</c> or <c>/tdx/certification/v4/tcb</c>.</summary>
    TcbInfo = 1,
    /// <summary><c>/sgx/certification/v4/qe/identity</c> (id QE) or <c>/tdx/.../qe/identity</c> (id TD_QE).</summary>
    QeIdentity = 2,
    /// <summary><c>/tcbevaluationdatanumbers</c> (id SGX or TDX).</summary>
    TcbEvaluationNumbers = 3,
    /// <summary>The CRL of the Intel SGX PCK Processor CA.</summary>
    ProcessorCrl = 4,
    /// <summary>The CRL of the Intel SGX PCK Platform CA.</summary>
    PlatformCrl = 5,
    /// <summary>The CRL of the Intel SGX Root CA.</summary>
    RootCaCrl = 6,
}

/// <summary>Why a collateral update was refused; one code per check.</summary>
public enum CollateralUpdateReason
{
    /// <summary>Never a verdict of the verifier: <c>default</c> fails closed.</summary>
    Unset = 0,
    Verified,
    /// <summary>The kind is not one the registry holds.</summary>
    UnknownKind,
    /// <summary>The document, the issuer chain or a CRL does not parse.</summary>
    Malformed,
    /// <summary>The issuer chain does not end in the pinned root key.</summary>
    UntrustedRoot,
    /// <summary>Names or signatures of the issuer chain do not link.</summary>
    IssuerChainInvalid,
    /// <summary>A signed document's chain is not exactly [TCB signing certificate, root].</summary>
    SignerChainLengthInvalid,
    /// <summary>The signer's CN is not "Intel SGX TCB Signing".</summary>
    SignerNameInvalid,
    /// <summary>The signer of a document is a CA certificate.</summary>
    SignerIsCa,
    /// <summary>The signer carries the SGX PCK extension: a PCK certificate signing collateral (the forgery).</summary>
    SignerHasPckExtension,
    /// <summary>A certificate of the chain has a critical extension that is not processed (RFC 5280 4.2).</summary>
    UnknownCriticalExtension,
    /// <summary>A certificate of the chain is not valid at the block time.</summary>
    IssuerChainNotValidAtNow,
    /// <summary>No root CA CRL is registered, so the signer's revocation cannot be checked.</summary>
    RootCrlMissing,
    /// <summary>The registered root CA CRL lists a certificate of the chain.</summary>
    SignerRevoked,
    /// <summary>The document or CRL signature does not verify with its issuer's key.</summary>
    SignatureInvalid,
    /// <summary>The document's version is not the one this verifier reads.</summary>
    VersionUnsupported,
    /// <summary>The document's id does not fit its kind (e.g. an enclave identity QVE uploaded as a QE identity).</summary>
    IdMismatch,
    /// <summary>The block time is before issueDate / thisUpdate.</summary>
    NotYetValid,
    /// <summary>The block time is after nextUpdate (or a CRL has no nextUpdate).</summary>
    Expired,
    /// <summary>The CRL's issuer is not the CA its kind names, or the CA is not that CA.</summary>
    CrlIssuerInvalid,
    /// <summary>The CRL has no cRLNumber, so a newer CRL cannot be told from an older one.</summary>
    CrlNumberMissing,
    /// <summary>The registered root CA CRL is not current at the block time: revocation cannot be checked.</summary>
    RootCrlExpired,
}

/// <summary>
/// What a verified update carries into the registry: its identity (kind, id, FMSPC) and the facts
/// the never-older rule compares. <see cref="Document"/> is the exact uploaded bytes (PCS response
/// or CRL DER).
/// </summary>
public sealed record VerifiedCollateralUpdate(
    CollateralKind Kind,
    string Id,
    byte[]? Fmspc,
    int? TcbEvaluationDataNumber,
    DateTimeOffset IssueDate,
    DateTimeOffset NextUpdate,
    BigInteger? CrlNumber,
    byte[] Document,
    Crl? Crl);

/// <summary>The outcome of <see cref="CollateralUpdateVerifier.Verify"/>; <see cref="Update"/> is set only when verified.</summary>
public readonly record struct CollateralUpdateVerdict(CollateralUpdateReason Reason, string Detail, VerifiedCollateralUpdate? Update)
{
    public bool IsVerified => Reason == CollateralUpdateReason.Verified && Update is not null;
}

/// <summary>
/// Verifies one collateral document on its own, as an on-chain registry receives it: signed by
/// Intel through a chain to the pinned root, every certificate valid at <c>now</c> (the block
/// time), the signer not revoked by the already registered root CA CRL, and the document itself
/// current at <c>now</c>. Signed documents use the same signer rule as quote verification
/// (<see cref="PreparedCollateral.SignerChainFailure"/>: exactly [TCB signing certificate, root]).
/// Whether an update is newer than what is stored is the registry's rule, not this one's.
/// Pure: no clock, no I/O.
/// </summary>
public static class CollateralUpdateVerifier
{
    /// <param name="kind">What the document is.</param>
    /// <param name="document">A PCS response (<c>{"tcbInfo":...,"signature":...}</c> etc.) or a CRL (DER or PEM).</param>
    /// <param name="issuerChainPem">PEM, leaf first: [TCB signer, root] for documents, [PCK CA, root] for PCK CRLs, [root] for the root CA CRL.</param>
    /// <param name="rootCrl">The registered root CA CRL (already verified at its upload); required except for a root CA CRL.</param>
    /// <param name="now">The block time.</param>
    /// <param name="anchor">The pinned root.</param>
    public static CollateralUpdateVerdict Verify(CollateralKind kind, ReadOnlySpan<byte> document, ReadOnlySpan<byte> issuerChainPem, Crl? rootCrl, DateTimeOffset now, TrustAnchor anchor)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        if (kind is < CollateralKind.TcbInfo or > CollateralKind.RootCaCrl)
        {
            return Fail(CollateralUpdateReason.UnknownKind, $"collateral kind {(int)kind} is not one the registry holds");
        }
        List<DcapCertificate> chain;
        try
        {
            chain = [.. PemText.DecodeAll(issuerChainPem, "CERTIFICATE", "issuer_chain").Select(d => DcapCertificate.Parse(d, "issuer_chain"))];
        }
        catch (CollateralFormatException e)
        {
            return Fail(CollateralUpdateReason.Malformed, e.Message);
        }
        return kind switch
        {
            CollateralKind.RootCaCrl => VerifyRootCrl(document, chain, now, anchor),
            CollateralKind.ProcessorCrl or CollateralKind.PlatformCrl => VerifyPckCrl(kind, document, chain, rootCrl, now, anchor),
            _ => VerifySigned(kind, document, chain, rootCrl, now, anchor),
        };
    }

    private static CollateralUpdateVerdict VerifySigned(CollateralKind kind, ReadOnlySpan<byte> document, List<DcapCertificate> chain, Crl? rootCrl, DateTimeOffset now, TrustAnchor anchor)
    {
        var objectKey = kind switch
        {
            CollateralKind.TcbInfo => "tcbInfo",
            CollateralKind.QeIdentity => "enclaveIdentity",
            _ => "tcbEvaluationDataNumbers",
        };
        SignedDocument signed;
        try
        {
            signed = SignedDocument.FromPcsResponse(document, objectKey);
        }
        catch (CollateralFormatException e)
        {
            return Fail(CollateralUpdateReason.Malformed, e.Message);
        }
        // Authenticate before interpreting the JSON; only the TCB signing certificate may sign.
        if (PreparedCollateral.SignerChainFailure(chain, anchor, "issuer chain") is { } failure)
        {
            return Fail(FromChainFault(failure.Fault), failure.Detail);
        }
        if (ChainAtNow(chain, rootCrl, now) is { } chainVerdict)
        {
            return chainVerdict;
        }
        if (!EcdsaP256.VerifyRaw(chain[0].PublicKey, signed.Body, signed.Signature))
        {
            return Fail(CollateralUpdateReason.SignatureInvalid, $"the {objectKey} signature does not verify with the TCB signing key");
        }
        VerifiedCollateralUpdate update;
        try
        {
            update = kind switch
            {
                CollateralKind.TcbInfo => TcbInfoUpdate(signed.Body, document),
                CollateralKind.QeIdentity => QeIdentityUpdate(signed.Body, document),
                _ => EvaluationNumbersUpdate(signed.Body, document),
            };
        }
        catch (CollateralFormatException e)
        {
            return Fail(e.Item == "tcbInfo.version" ? CollateralUpdateReason.VersionUnsupported : CollateralUpdateReason.Malformed, e.Message);
        }
        catch (UpdateRefusedException e)
        {
            return Fail(e.Reason, e.Message);
        }
        return Current(update, now);
    }

    private static VerifiedCollateralUpdate TcbInfoUpdate(byte[] body, ReadOnlySpan<byte> document)
    {
        var info = TcbInfo.Parse(body);
        // PCS API v4 serves TCB Info v3; v2 (API v3) has no TDX form and no TCB evaluation numbers semantics we rely on.
        if (info.Version != 3)
        {
            throw new UpdateRefusedException(CollateralUpdateReason.VersionUnsupported, $"TCB Info version {info.Version}; the registry takes version 3 (PCS API v4)");
        }
        if (info.Id is not (TcbInfo.SgxId or TcbInfo.TdxId))
        {
            throw new UpdateRefusedException(CollateralUpdateReason.IdMismatch, $"TCB Info id '{info.Id}' is neither SGX nor TDX");
        }
        return new VerifiedCollateralUpdate(CollateralKind.TcbInfo, info.Id, info.Fmspc, info.TcbEvaluationDataNumber, info.IssueDate, info.NextUpdate, null, document.ToArray(), null);
    }

    private static VerifiedCollateralUpdate QeIdentityUpdate(byte[] body, ReadOnlySpan<byte> document)
    {
        var identity = EnclaveIdentity.Parse(body);
        if (identity.Version != 2)
        {
            throw new UpdateRefusedException(CollateralUpdateReason.VersionUnsupported, $"enclave identity version {identity.Version}; only 2 is defined");
        }
        // Quote verification uses the QE (SGX) and TD_QE (TDX) identities; QVE is not a quoting enclave.
        if (identity.Id is not (EnclaveIdentity.QeId or EnclaveIdentity.TdQeId))
        {
            throw new UpdateRefusedException(CollateralUpdateReason.IdMismatch, $"enclave identity id '{identity.Id}' is neither QE nor TD_QE");
        }
        return new VerifiedCollateralUpdate(CollateralKind.QeIdentity, identity.Id, null, identity.TcbEvaluationDataNumber, identity.IssueDate, identity.NextUpdate, null, document.ToArray(), null);
    }

    private static VerifiedCollateralUpdate EvaluationNumbersUpdate(byte[] body, ReadOnlySpan<byte> document)
    {
        var numbers = TcbEvaluationDataNumbers.Parse(body);
        if (numbers.Version != TcbEvaluationNumbersVerifier.SupportedVersion)
        {
            throw new UpdateRefusedException(CollateralUpdateReason.VersionUnsupported, $"version {numbers.Version}; only {TcbEvaluationNumbersVerifier.SupportedVersion} is defined");
        }
        if (numbers.Id is not ("SGX" or "TDX"))
        {
            throw new UpdateRefusedException(CollateralUpdateReason.IdMismatch, $"TCB evaluation data numbers id '{numbers.Id}' is neither SGX nor TDX");
        }
        // The document's own evaluation number is the highest it lists: that is what never goes back.
        return new VerifiedCollateralUpdate(CollateralKind.TcbEvaluationNumbers, numbers.Id, null, numbers.Numbers.Max(n => n.Number), numbers.IssueDate, numbers.NextUpdate, null, document.ToArray(), null);
    }

    private static CollateralUpdateVerdict VerifyRootCrl(ReadOnlySpan<byte> document, List<DcapCertificate> chain, DateTimeOffset now, TrustAnchor anchor)
    {
        Crl crl;
        try
        {
            crl = Crl.Parse(document, "root_ca_crl");
        }
        catch (CollateralFormatException e)
        {
            return Fail(CollateralUpdateReason.Malformed, e.Message);
        }
        // The root certificate comes along only to name the issuer; it is pinned by key.
        if (chain.Count != 1)
        {
            return Fail(CollateralUpdateReason.IssuerChainInvalid, $"the root CA CRL's issuer chain has {chain.Count} certificate(s); it must be the root certificate alone");
        }
        if (!anchor.Matches(chain[0]))
        {
            return Fail(CollateralUpdateReason.UntrustedRoot, $"'{chain[0].SubjectText}' is not the pinned root ({anchor.Name})");
        }
        if (!chain[0].IsValidAt(now))
        {
            return Fail(CollateralUpdateReason.IssuerChainNotValidAtNow, $"'{chain[0].SubjectText}' is valid {chain[0].NotBefore:O}..{chain[0].NotAfter:O}, block time is {now:O}");
        }
        // RFC 5280 6.3.3 (f), (g): issued and signed by the root.
        if (!crl.IssuerName.AsSpan().SequenceEqual(chain[0].Subject))
        {
            return Fail(CollateralUpdateReason.CrlIssuerInvalid, "the root CA CRL's issuer is not the root CA");
        }
        if (crl.SignatureAlgorithm != DcapCertificate.EcdsaWithSha256 || !EcdsaP256.VerifyDer(anchor.PublicKey, crl.TbsBytes, crl.Signature))
        {
            return Fail(CollateralUpdateReason.SignatureInvalid, "the root CA CRL is not signed by the root key");
        }
        return CrlUpdate(CollateralKind.RootCaCrl, crl, document, now);
    }

    private static CollateralUpdateVerdict VerifyPckCrl(CollateralKind kind, ReadOnlySpan<byte> document, List<DcapCertificate> chain, Crl? rootCrl, DateTimeOffset now, TrustAnchor anchor)
    {
        Crl crl;
        try
        {
            crl = Crl.Parse(document, "pck_crl");
        }
        catch (CollateralFormatException e)
        {
            return Fail(CollateralUpdateReason.Malformed, e.Message);
        }
        // PCS API v4 SGX-PCK-CRL-Issuer-Chain: [PCK Processor or Platform CA, root].
        if (chain.Count != 2)
        {
            return Fail(CollateralUpdateReason.IssuerChainInvalid, $"the PCK CRL's issuer chain has {chain.Count} certificate(s); it must be the PCK CA and the root");
        }
        if (PreparedCollateral.ChainFailure(chain, anchor, "PCK CRL issuer chain") is { } failure)
        {
            return Fail(FromChainFault(failure.Fault), failure.Detail);
        }
        var expected = kind == CollateralKind.ProcessorCrl ? Verifier.PckProcessorCaCommonName : Verifier.PckPlatformCaCommonName;
        var ca = chain[0];
        if (!string.Equals(ca.CommonName, expected, StringComparison.Ordinal) || !ca.IsCa)
        {
            return Fail(CollateralUpdateReason.CrlIssuerInvalid, $"a {kind} must be issued by the CA '{expected}'; the chain starts with '{ca.SubjectText}'{(ca.IsCa ? "" : ", not a CA")}");
        }
        if (!crl.IssuerName.AsSpan().SequenceEqual(ca.Subject))
        {
            return Fail(CollateralUpdateReason.CrlIssuerInvalid, $"the CRL's issuer is not '{ca.SubjectText}'");
        }
        if (ChainAtNow(chain, rootCrl, now) is { } chainVerdict)
        {
            return chainVerdict;
        }
        if (crl.SignatureAlgorithm != DcapCertificate.EcdsaWithSha256 || !EcdsaP256.VerifyDer(ca.PublicKey, crl.TbsBytes, crl.Signature))
        {
            return Fail(CollateralUpdateReason.SignatureInvalid, $"the CRL is not signed by '{ca.SubjectText}'");
        }
        return CrlUpdate(kind, crl, document, now);
    }

    private static CollateralUpdateVerdict CrlUpdate(CollateralKind kind, Crl crl, ReadOnlySpan<byte> document, DateTimeOffset now)
    {
        // RFC 5280 5.2.3: conforming CRL issuers include cRLNumber; without it "newer" is undecidable.
        if (crl.CrlNumber is not { } number)
        {
            return Fail(CollateralUpdateReason.CrlNumberMissing, "the CRL has no cRLNumber extension");
        }
        if (crl.NextUpdate is not { } next)
        {
            return Fail(CollateralUpdateReason.Expired, "the CRL has no nextUpdate, so it is never current");
        }
        var id = kind switch { CollateralKind.ProcessorCrl => "processor", CollateralKind.PlatformCrl => "platform", _ => "root" };
        return Current(new VerifiedCollateralUpdate(kind, id, null, null, crl.ThisUpdate, next, number, crl.Der, crl), now);
    }

    /// <summary>Validity of the chain at the block time and revocation by the registered root CRL.</summary>
    private static CollateralUpdateVerdict? ChainAtNow(List<DcapCertificate> chain, Crl? rootCrl, DateTimeOffset now)
    {
        foreach (var c in chain)
        {
            if (!c.IsValidAt(now))
            {
                return Fail(CollateralUpdateReason.IssuerChainNotValidAtNow, $"'{c.SubjectText}' is valid {c.NotBefore:O}..{c.NotAfter:O}, block time is {now:O}");
            }
        }
        if (rootCrl is null)
        {
            return Fail(CollateralUpdateReason.RootCrlMissing, "no root CA CRL is registered; upload it first so the signer's revocation can be checked");
        }
        if (rootCrl.NextUpdate is not { } next || now > next || now < rootCrl.ThisUpdate)
        {
            return Fail(CollateralUpdateReason.RootCrlExpired, $"the registered root CA CRL is valid {rootCrl.ThisUpdate:O}..{rootCrl.NextUpdate:O}, block time is {now:O}; upload a current one");
        }
        for (var i = 0; i < chain.Count - 1; i++)
        {
            if (rootCrl.IsRevoked(chain[i].SerialNumber))
            {
                return Fail(CollateralUpdateReason.SignerRevoked, $"'{chain[i].SubjectText}' is revoked by the registered root CA CRL");
            }
        }
        return null;
    }

    private static CollateralUpdateVerdict Current(VerifiedCollateralUpdate update, DateTimeOffset now)
    {
        if (now < update.IssueDate)
        {
            return Fail(CollateralUpdateReason.NotYetValid, $"{update.Kind} {update.Id} is issued {update.IssueDate:O}, after the block time {now:O}");
        }
        if (now > update.NextUpdate)
        {
            return Fail(CollateralUpdateReason.Expired, $"{update.Kind} {update.Id} expired at {update.NextUpdate:O}, before the block time {now:O}");
        }
        return new CollateralUpdateVerdict(CollateralUpdateReason.Verified, string.Empty, update);
    }

    private static CollateralUpdateReason FromChainFault(PreparedCollateral.ChainFault fault) => fault switch
    {
        PreparedCollateral.ChainFault.Untrusted => CollateralUpdateReason.UntrustedRoot,
        PreparedCollateral.ChainFault.Length => CollateralUpdateReason.SignerChainLengthInvalid,
        PreparedCollateral.ChainFault.Name => CollateralUpdateReason.SignerNameInvalid,
        PreparedCollateral.ChainFault.Ca => CollateralUpdateReason.SignerIsCa,
        PreparedCollateral.ChainFault.PckExtension => CollateralUpdateReason.SignerHasPckExtension,
        PreparedCollateral.ChainFault.CriticalExtension => CollateralUpdateReason.UnknownCriticalExtension,
        _ => CollateralUpdateReason.IssuerChainInvalid,
    };

    private static CollateralUpdateVerdict Fail(CollateralUpdateReason reason, string detail) => new(reason, detail, null);

    private sealed class UpdateRefusedException(CollateralUpdateReason reason, string message) : Exception(message)
    {
        public CollateralUpdateReason Reason { get; } = reason;
    }
}
