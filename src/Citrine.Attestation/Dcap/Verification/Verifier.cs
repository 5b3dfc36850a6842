using System.Buffers.Binary;
using System.Security.Cryptography;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Crypto.Encoding;

namespace Citrine.Attestation.Dcap.Verification;

/// <summary>Parameters of <see cref="Verifier.Verify(Quote, QuoteCollateral, DateTimeOffset, VerifierOptions?)"/>.</summary>
public sealed record VerifierOptions
{
    public static VerifierOptions Default { get; } = new();

    /// <summary>The pinned root. Default: the Intel SGX Root CA key. A test PKI passes its own.</summary>
    public TrustAnchor TrustAnchor { get; init; } = TrustAnchor.IntelSgxRootCa;

    /// <summary>Optional cache of time-independent collateral checks (see <see cref="VerifiedCollateralCache"/>).</summary>
    public VerifiedCollateralCache? Cache { get; init; }

    /// <summary>
    /// Accept debug enclaves and debug TDs (ATTRIBUTES.DEBUG / TD_ATTRIBUTES.DEBUG). Default: refused,
    /// since a debugger can read and change everything inside. A debug QE is refused regardless.
    /// </summary>
    public bool AllowDebug { get; init; }
}

/// <summary>
/// Pure DCAP quote verification: quote + collateral + <c>now</c> + trust anchor → verdict. Follows
/// the Intel SGX/TDX DCAP Quote Verification Library's checks (see docs/dcap.md for the order and
/// the reason code of each). Reads no clock, no file, no system certificate store.
/// </summary>
public static class Verifier
{
    public static DcapVerdict Verify(ReadOnlySpan<byte> quote, QuoteCollateral collateral, DateTimeOffset now, VerifierOptions? options = null)
    {
        Quote parsed;
        try
        {
            parsed = QuoteParser.Parse(quote);
        }
        catch (QuoteFormatException e)
        {
            return new DcapVerdict { Reason = VerificationReason.QuoteMalformed, Detail = e.Message };
        }
        return Verify(parsed, collateral, now, options);
    }

    public static DcapVerdict Verify(Quote quote, QuoteCollateral collateral, DateTimeOffset now, VerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(quote);
        ArgumentNullException.ThrowIfNull(collateral);
        options ??= VerifierOptions.Default;
        var anchor = options.TrustAnchor;
        var cache = options.Cache;
        var facts = Facts(quote);

        DcapVerdict Fail(VerificationReason reason, string detail) => facts with { Reason = reason, Detail = detail };

        // 0. The quote must come from Intel's QE: the verification below (QE Identity, PCK chain,
        // TCB Info) is Intel's, so a quote naming another QE vendor cannot be judged by it
        // (SGX ECDSA Quote Library API, quote header "QE Vendor ID"; Intel's QVL refuses such quotes).
        if (!quote.Header.QeVendorId.AsSpan().SequenceEqual(QuoteHeader.IntelQeVendorId))
        {
            return Fail(VerificationReason.QeVendorIdUnsupported, $"QE vendor id {Hex.Encode(quote.Header.QeVendorId)} is not Intel's {Hex.Encode(QuoteHeader.IntelQeVendorId)}");
        }

        // 1. Collateral: parse, TCB/QE signing chains to the anchor, document and root CRL signatures.
        var prepared = cache is null
            ? PreparedCollateral.Prepare(collateral, anchor)
            : cache.GetOrAdd(Convert.ToHexString(collateral.Digest) + Convert.ToHexString(anchor.PublicKey), () => PreparedCollateral.Prepare(collateral, anchor));
        if (prepared.FailureReason != VerificationReason.None)
        {
            return Fail(prepared.FailureReason, prepared.FailureDetail ?? string.Empty);
        }
        var tcbInfo = prepared.TcbInfo!;
        var qeIdentity = prepared.QeIdentity!;
        var rootCrl = prepared.RootCrl!;
        var pckCrl = prepared.PckCrl!;
        facts = facts with
        {
            TcbEvaluationDataNumber = tcbInfo.TcbEvaluationDataNumber,
            QeTcbEvaluationDataNumber = qeIdentity.TcbEvaluationDataNumber,
            CollateralExpires = Min(tcbInfo.NextUpdate, qeIdentity.NextUpdate, rootCrl.NextUpdate, pckCrl.NextUpdate),
        };

        // 2. TCB Info: signing chain valid at now and not revoked, document valid at now, version and id.
        if (NotValidAt(prepared.TcbInfoChain, now) is { } tcbExpired)
        {
            return Fail(VerificationReason.TcbInfoChainNotValidAtNow, $"TCB Info issuer chain: {tcbExpired}");
        }
        if (now < tcbInfo.IssueDate || now > tcbInfo.NextUpdate)
        {
            return Fail(VerificationReason.TcbInfoNotValidAtNow, $"TCB Info is valid {tcbInfo.IssueDate:O}..{tcbInfo.NextUpdate:O}, now is {now:O}");
        }
        var isTdx = quote.TeeType == TeeType.Tdx;
        if (isTdx ? tcbInfo.Version != 3 : tcbInfo.Version is not (2 or 3))
        {
            return Fail(VerificationReason.TcbInfoVersionUnsupported, $"TCB Info version {tcbInfo.Version} cannot describe a {quote.TeeType} platform");
        }
        var expectedTcbId = isTdx ? TcbInfo.TdxId : TcbInfo.SgxId;
        if (tcbInfo.Id != expectedTcbId)
        {
            return Fail(VerificationReason.TcbInfoIdMismatch, $"TCB Info id is '{tcbInfo.Id}', the quote needs '{expectedTcbId}'");
        }

        // 3. QE Identity: same rules; id QE for SGX, TD_QE for TDX (version 2, checked when parsed).
        if (NotValidAt(prepared.QeIdentityChain, now) is { } qeExpired)
        {
            return Fail(VerificationReason.QeIdentityChainNotValidAtNow, $"QE Identity issuer chain: {qeExpired}");
        }
        if (now < qeIdentity.IssueDate || now > qeIdentity.NextUpdate)
        {
            return Fail(VerificationReason.QeIdentityNotValidAtNow, $"QE Identity is valid {qeIdentity.IssueDate:O}..{qeIdentity.NextUpdate:O}, now is {now:O}");
        }
        if (qeIdentity.Version != 2)
        {
            return Fail(VerificationReason.QeIdentityVersionUnsupported, $"QE Identity version {qeIdentity.Version}");
        }
        var expectedQeId = isTdx ? EnclaveIdentity.TdQeId : EnclaveIdentity.QeId;
        if (qeIdentity.Id != expectedQeId)
        {
            return Fail(VerificationReason.QeIdentityIdMismatch, $"QE Identity id is '{qeIdentity.Id}', the quote needs '{expectedQeId}'");
        }

        // 4. PCK chain from the quote: leaf, PCK CA, root pinned by key; signatures; validity at now.
        List<DcapCertificate> pckChain;
        try
        {
            pckChain = [.. PemText.DecodeAll(quote.PckChainPem, "CERTIFICATE", "pck_chain").Select(d => DcapCertificate.Parse(d, "pck_chain"))];
        }
        catch (CollateralFormatException e)
        {
            return Fail(VerificationReason.PckChainMalformed, e.Message);
        }
        if (pckChain.Count != 3)
        {
            return Fail(VerificationReason.PckChainMalformed, $"the PCK chain has {pckChain.Count} certificates; expected leaf, PCK CA and root");
        }
        if (PreparedCollateral.ChainFailure(pckChain, anchor, "PCK chain", cache) is { } pckFailure)
        {
            var reason = pckFailure.Fault switch
            {
                PreparedCollateral.ChainFault.Untrusted => VerificationReason.UntrustedRoot,
                PreparedCollateral.ChainFault.CriticalExtension => VerificationReason.UnknownCriticalExtension,
                PreparedCollateral.ChainFault.Issuer => VerificationReason.PckChainIssuerMismatch,
                _ => VerificationReason.PckChainSignatureInvalid,
            };
            return Fail(reason, pckFailure.Detail);
        }
        if (NotValidAt(pckChain, now) is { } pckExpired)
        {
            return Fail(VerificationReason.PckChainNotValidAtNow, $"PCK chain: {pckExpired}");
        }
        var leaf = pckChain[0];
        var pckCa = pckChain[1];
        // Roles (Intel PCK Certificate and CRL Profile 1.3; Intel QVL PckCertificate checks): the
        // leaf is a PCK certificate with the SGX extension, issued by one of the two PCK CAs.
        if (!string.Equals(leaf.CommonName, PckLeafCommonName, StringComparison.Ordinal))
        {
            return Fail(VerificationReason.PckLeafNameInvalid, $"the PCK leaf's CN is '{leaf.CommonName}', not '{PckLeafCommonName}'");
        }
        if (pckCa.CommonName is not (PckPlatformCaCommonName or PckProcessorCaCommonName))
        {
            return Fail(VerificationReason.PckCaNameInvalid, $"the PCK CA's CN is '{pckCa.CommonName}', neither '{PckPlatformCaCommonName}' nor '{PckProcessorCaCommonName}'");
        }
        if (!leaf.Extensions.ContainsKey(PckExtensions.SgxExtensionsOid))
        {
            return Fail(VerificationReason.PckLeafSgxExtensionMissing, $"the PCK leaf '{leaf.SubjectText}' has no SGX extension ({PckExtensions.SgxExtensionsOid})");
        }

        // 5. CRLs: windows at now, PCK CRL issued and signed by the PCK CA, revocation of every
        //    certificate below the root (RFC 5280 6.3.3).
        if (!CrlValidAt(rootCrl, now, out var rootWhy))
        {
            return Fail(VerificationReason.RootCrlNotValidAtNow, "root CA CRL " + rootWhy);
        }
        if (!pckCrl.IssuerName.AsSpan().SequenceEqual(pckCa.Subject))
        {
            return Fail(VerificationReason.PckCrlIssuerMismatch, $"PCK CRL is not issued by the PCK CA '{pckCa.SubjectText}'");
        }
        // Intel QVL PckCrl: a PCK CRL carries its CRL Number and Authority Key Identifier (RFC 5280 5.2.1, 5.2.3).
        if (!pckCrl.HasExtension(Crl.CrlNumberOid) || !pckCrl.HasExtension(Crl.AuthorityKeyIdentifierOid))
        {
            return Fail(VerificationReason.PckCrlExtensionMissing, $"PCK CRL lacks {(pckCrl.HasExtension(Crl.CrlNumberOid) ? "the Authority Key Identifier" : "the CRL Number")} extension");
        }
        if (pckCrl.SignatureAlgorithm != DcapCertificate.EcdsaWithSha256 || !CrlSignedBy(pckCrl, pckCa.PublicKey, cache))
        {
            return Fail(VerificationReason.PckCrlSignatureInvalid, "PCK CRL is not signed by the PCK CA key");
        }
        if (!CrlValidAt(pckCrl, now, out var pckWhy))
        {
            return Fail(VerificationReason.PckCrlNotValidAtNow, "PCK CRL " + pckWhy);
        }
        if (rootCrl.IsRevoked(pckCa.SerialNumber))
        {
            return Fail(VerificationReason.PckCaRevoked, $"the PCK CA '{pckCa.SubjectText}' is revoked by the root CA CRL");
        }
        if (pckCrl.IsRevoked(leaf.SerialNumber))
        {
            return Fail(VerificationReason.PckCertificateRevoked, $"the PCK certificate (serial {Hex.Encode(leaf.SerialNumber)}) is revoked");
        }
        foreach (var signer in prepared.TcbInfoChain.Take(prepared.TcbInfoChain.Count - 1).Concat(prepared.QeIdentityChain.Take(prepared.QeIdentityChain.Count - 1)))
        {
            if (rootCrl.IsRevoked(signer.SerialNumber))
            {
                return Fail(VerificationReason.TcbSigningCertificateRevoked, $"'{signer.SubjectText}' is revoked by the root CA CRL");
            }
        }

        // 6. PCK extensions: FMSPC and PCE-ID must be the TCB Info's.
        PckExtensions pck;
        try
        {
            pck = PckExtensions.FromCertificate(leaf);
        }
        catch (PckExtensionException e)
        {
            return Fail(VerificationReason.PckExtensionMalformed, e.Message);
        }
        facts = facts with { Fmspc = pck.Fmspc };
        if (!pck.Fmspc.AsSpan().SequenceEqual(tcbInfo.Fmspc))
        {
            return Fail(VerificationReason.FmspcMismatch, $"PCK FMSPC {Hex.Encode(pck.Fmspc)} is not the TCB Info's {Hex.Encode(tcbInfo.Fmspc)}");
        }
        if (!pck.PceId.AsSpan().SequenceEqual(tcbInfo.PceId))
        {
            return Fail(VerificationReason.PceIdMismatch, $"PCK PCE-ID {Hex.Encode(pck.PceId)} is not the TCB Info's {Hex.Encode(tcbInfo.PceId)}");
        }

        // 7. QE report: signed by the PCK key; binds the attestation key; matches the QE Identity.
        if (!EcdsaP256.VerifyRaw(leaf.PublicKey, quote.QeReportBytes, quote.QeReportSignature))
        {
            return Fail(VerificationReason.QeReportSignatureInvalid, "the QE report signature does not verify with the PCK key");
        }
        Span<byte> expectedReportData = stackalloc byte[64];
        expectedReportData.Clear();
        using (var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            h.AppendData(quote.AttestationKey);
            h.AppendData(quote.QeAuthenticationData);
            h.GetHashAndReset(expectedReportData[..32]);
        }
        if (!expectedReportData.SequenceEqual(quote.QeReport.ReportData))
        {
            return Fail(VerificationReason.QeReportDataMismatch, "QE report data is not SHA-256(attestation key || QE authentication data) followed by 32 zero bytes");
        }
        var qe = quote.QeReport;
        // A debug QE's attestation key can be read out of it: nothing it signs is evidence.
        if (qe.IsDebug)
        {
            return Fail(VerificationReason.QeDebug, "the QE report has ATTRIBUTES.DEBUG set");
        }
        if (!qe.MrSigner.AsSpan().SequenceEqual(qeIdentity.MrSigner))
        {
            return Fail(VerificationReason.QeMrSignerMismatch, $"QE MRSIGNER {Hex.Encode(qe.MrSigner)} is not the QE Identity's");
        }
        if (qe.IsvProdId != qeIdentity.IsvProdId)
        {
            return Fail(VerificationReason.QeIsvProdIdMismatch, $"QE ISVPRODID {qe.IsvProdId} is not {qeIdentity.IsvProdId}");
        }
        // miscselect/miscselectMask are the 4 bytes in report order, i.e. the little-endian encoding
        // of the 32-bit value (Intel QVL reads them with a byte swap into a little-endian integer).
        var miscMask = BinaryPrimitives.ReadUInt32LittleEndian(qeIdentity.MiscSelectMask);
        var miscExpected = BinaryPrimitives.ReadUInt32LittleEndian(qeIdentity.MiscSelect);
        if ((qe.MiscSelect & miscMask) != (miscExpected & miscMask))
        {
            return Fail(VerificationReason.QeMiscSelectMismatch, $"QE MISCSELECT 0x{qe.MiscSelect:x8} & mask 0x{miscMask:x8} is not 0x{miscExpected & miscMask:x8}");
        }
        if (!MaskedEqual(qe.Attributes, qeIdentity.Attributes, qeIdentity.AttributesMask))
        {
            return Fail(VerificationReason.QeAttributesMismatch, $"QE ATTRIBUTES {Hex.Encode(qe.Attributes)} do not match under the mask");
        }
        var qeLevel = qeIdentity.TcbLevels.OrderByDescending(l => l.IsvSvn).FirstOrDefault(l => qe.IsvSvn >= l.IsvSvn);
        if (qeLevel is null)
        {
            return Fail(VerificationReason.QeTcbLevelNotFound, $"no QE Identity TCB level for QE ISVSVN {qe.IsvSvn}");
        }
        // Intel QVL EnclaveReportVerifier: a QE level is UpToDate, Revoked, or else OutOfDate.
        if (qeLevel.Status is not (TcbStatus.UpToDate or TcbStatus.Revoked))
        {
            qeLevel = qeLevel with { Status = TcbStatus.OutOfDate };
        }
        facts = facts with { QeTcbStatus = qeLevel.Status };
        if (qeLevel.Status == TcbStatus.Revoked)
        {
            return Fail(VerificationReason.QeTcbRevoked, $"QE ISVSVN {qe.IsvSvn} is revoked");
        }

        // 8. The quote: header and body signed by the attestation key.
        if (!EcdsaP256.IsValidPublicKey(quote.AttestationKey))
        {
            return Fail(VerificationReason.AttestationKeyInvalid, "the attestation key is not a P-256 point");
        }
        if (!EcdsaP256.VerifyRaw(quote.AttestationKey, quote.SignedBytes, quote.Signature))
        {
            return Fail(VerificationReason.QuoteSignatureInvalid, "the quote signature does not verify with the attestation key");
        }
        if (!options.AllowDebug && quote.SgxBody is { IsDebug: true })
        {
            return Fail(VerificationReason.DebugEnclave, "the enclave has ATTRIBUTES.DEBUG set (VerifierOptions.AllowDebug is off)");
        }
        if (!options.AllowDebug && quote.TdBody is { IsDebug: true })
        {
            return Fail(VerificationReason.DebugTd, "the TD has TD_ATTRIBUTES.DEBUG set (VerifierOptions.AllowDebug is off)");
        }

        // 9. Platform TCB level, TDX module, and the combined status.
        var tee = quote.TdBody?.TeeTcbSvn;
        var platform = SelectTcbLevel(tcbInfo, pck, tee);
        if (platform is null)
        {
            return Fail(VerificationReason.TcbLevelNotFound, $"no TCB level matches CPUSVN components {Hex.Encode(pck.TcbComponents)}, PCESVN {pck.PceSvn}" + (tee is null ? string.Empty : $", TEE TCB SVN {Hex.Encode(tee)}"));
        }
        facts = facts with { PlatformTcbStatus = platform.Status };
        if (platform.Status == TcbStatus.Revoked)
        {
            return Fail(VerificationReason.TcbRevoked, "the platform TCB level is Revoked");
        }
        EnclaveTcbLevel? moduleLevel = null;
        if (quote.TdBody is { } td)
        {
            var (moduleReason, moduleDetail, level) = CheckTdxModule(tcbInfo, td);
            if (moduleReason != VerificationReason.None)
            {
                return Fail(moduleReason, moduleDetail);
            }
            moduleLevel = level;
            facts = facts with { TdxModuleTcbStatus = level?.Status };
        }

        var (status, advisories) = Combine(platform, qeLevel, moduleLevel);
        return facts with { Reason = VerificationReason.None, TcbStatus = status, AdvisoryIds = advisories };
    }

    /// <summary>
    /// The final status: the join of platform, QE and TDX module statuses, each seen as the set of
    /// its conditions (OutOfDate, ConfigurationNeeded, SWHardeningNeeded; Revoked above all), so a
    /// ConfigurationNeeded platform with an OutOfDate QE or module is OutOfDateConfigurationNeeded
    /// (Intel QVL convergeTcbStatusWithQeTcbStatus / ...WithTdxModuleStatus), never the milder
    /// OutOfDate. Advisories of the platform, then the QE, then the module, without duplicates.
    /// </summary>
    internal static (TcbStatus Status, IReadOnlyList<string> AdvisoryIds) Combine(TcbLevel platform, EnclaveTcbLevel qe, EnclaveTcbLevel? module)
    {
        var conditions = Conditions(platform.Status) | Conditions(qe.Status) | (module is null ? 0 : Conditions(module.Status));
        var status = (conditions & RevokedCondition) != 0 ? TcbStatus.Revoked
            : (conditions & OutOfDateCondition) != 0
                ? ((conditions & ConfigurationCondition) != 0 ? TcbStatus.OutOfDateConfigurationNeeded : TcbStatus.OutOfDate)
            : (conditions & (ConfigurationCondition | SwHardeningCondition)) == (ConfigurationCondition | SwHardeningCondition) ? TcbStatus.ConfigurationAndSWHardeningNeeded
            : (conditions & ConfigurationCondition) != 0 ? TcbStatus.ConfigurationNeeded
            : (conditions & SwHardeningCondition) != 0 ? TcbStatus.SWHardeningNeeded
            : TcbStatus.UpToDate;
        var advisories = new List<string>();
        foreach (var id in platform.AdvisoryIds.Concat(qe.AdvisoryIds).Concat(module?.AdvisoryIds ?? []))
        {
            if (!advisories.Contains(id, StringComparer.Ordinal))
            {
                advisories.Add(id);
            }
        }
        return (status, advisories);
    }

    private const int SwHardeningCondition = 1;
    private const int ConfigurationCondition = 2;
    private const int OutOfDateCondition = 4;
    private const int RevokedCondition = 8;

    private static int Conditions(TcbStatus status) => status switch
    {
        TcbStatus.UpToDate => 0,
        TcbStatus.SWHardeningNeeded => SwHardeningCondition,
        TcbStatus.ConfigurationNeeded => ConfigurationCondition,
        TcbStatus.ConfigurationAndSWHardeningNeeded => ConfigurationCondition | SwHardeningCondition,
        TcbStatus.OutOfDate => OutOfDateCondition,
        TcbStatus.OutOfDateConfigurationNeeded => OutOfDateCondition | ConfigurationCondition,
        _ => RevokedCondition,
    };

    /// <summary>
    /// TCB level selection (Intel QVL TcbLevelCheck): levels ordered highest first, the first whose
    /// SGX components and PCESVN are all at or below the PCK's, and for TDX whose TDX components
    /// are at or below TEE_TCB_SVN (from index 2 when TEE_TCB_SVN[1], the module major version, is non-zero).
    /// </summary>
    internal static TcbLevel? SelectTcbLevel(TcbInfo tcbInfo, PckExtensions pck, byte[]? teeTcbSvn)
    {
        foreach (var level in tcbInfo.TcbLevels.OrderByDescending(l => l, LevelOrder.Instance))
        {
            if (!AtLeast(pck.TcbComponents, level.SgxComponents, 0) || pck.PceSvn < level.PceSvn)
            {
                continue;
            }
            if (teeTcbSvn is not null)
            {
                if (level.TdxComponents is null || !AtLeast(teeTcbSvn, level.TdxComponents, teeTcbSvn[1] > 0 ? 2 : 0))
                {
                    continue;
                }
            }
            return level;
        }
        return null;
    }

    /// <summary>
    /// TDX module identity (Intel QVL TdxModuleCheck): module major version TEE_TCB_SVN[1] = 0 uses
    /// "tdxModule" (MRSIGNERSEAM, masked SEAM attributes); otherwise the identity "TDX_%02X" and
    /// its TCB level for ISVSVN = TEE_TCB_SVN[0].
    /// </summary>
    internal static (VerificationReason Reason, string Detail, EnclaveTcbLevel? Level) CheckTdxModule(TcbInfo tcbInfo, TdReportBody td)
    {
        var version = td.TeeTcbSvn[1];
        if (version == 0)
        {
            if (tcbInfo.TdxModule is not { } module)
            {
                return (VerificationReason.TdxModuleIdentityNotFound, "the TCB Info has no tdxModule", null);
            }
            if (!td.MrSignerSeam.AsSpan().SequenceEqual(module.MrSigner))
            {
                return (VerificationReason.TdxModuleMrSignerMismatch, "MRSIGNERSEAM is not the TCB Info's tdxModule.mrsigner", null);
            }
            if (SeamAttributesFailure(td.SeamAttributes, module.Attributes, "tdxModule") is { } why)
            {
                return (VerificationReason.TdxModuleAttributesMismatch, why, null);
            }
            return (VerificationReason.None, string.Empty, null);
        }
        var id = $"TDX_{version:X2}";
        var identity = tcbInfo.TdxModuleIdentities.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));
        if (identity is null)
        {
            return (VerificationReason.TdxModuleIdentityNotFound, $"the TCB Info has no TDX module identity {id}", null);
        }
        if (!td.MrSignerSeam.AsSpan().SequenceEqual(identity.MrSigner))
        {
            return (VerificationReason.TdxModuleMrSignerMismatch, $"MRSIGNERSEAM is not {id}'s mrsigner", null);
        }
        if (SeamAttributesFailure(td.SeamAttributes, identity.Attributes, id) is { } mismatch)
        {
            return (VerificationReason.TdxModuleAttributesMismatch, mismatch, null);
        }
        var isvSvn = td.TeeTcbSvn[0];
        var level = identity.TcbLevels.OrderByDescending(l => l.IsvSvn).FirstOrDefault(l => isvSvn >= l.IsvSvn);
        if (level is null)
        {
            return (VerificationReason.TdxModuleTcbLevelNotFound, $"no {id} TCB level for module ISVSVN {isvSvn}", null);
        }
        if (level.Status == TcbStatus.Revoked)
        {
            return (VerificationReason.TdxModuleTcbRevoked, $"{id} ISVSVN {isvSvn} is revoked", level);
        }
        return (VerificationReason.None, string.Empty, level);
    }

    /// <summary>
    /// SEAM attributes are compared whole, not under attributesMask: Intel QVL requires every byte
    /// to be zero and equal to the module identity's (TdxModuleCheck), so a set bit the mask hides
    /// still refuses the quote.
    /// </summary>
    private static string? SeamAttributesFailure(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, string id)
    {
        if (actual.ContainsAnyExcept((byte)0))
        {
            return $"SEAM attributes {Hex.Encode(actual)} are not zero";
        }
        return actual.SequenceEqual(expected) ? null : $"SEAM attributes {Hex.Encode(actual)} are not {id}'s {Hex.Encode(expected)}";
    }

    /// <summary>Subject CN of the certificate that signs TCB Info, QE Identity and TCB Evaluation Data Numbers.</summary>
    public const string TcbSigningCommonName = "Intel SGX TCB Signing";

    /// <summary>Subject CN of a PCK certificate (Intel PCK Certificate and CRL Profile 1.3.1).</summary>
    public const string PckLeafCommonName = "Intel SGX PCK Certificate";

    public const string PckPlatformCaCommonName = "Intel SGX PCK Platform CA";

    public const string PckProcessorCaCommonName = "Intel SGX PCK Processor CA";

    private static DcapVerdict Facts(Quote quote)
    {
        Measurement m;
        byte[] attributes;
        if (quote.SgxBody is { } s)
        {
            m = new Measurement(s.MrEnclave, s.MrSigner, s.IsvProdId, s.IsvSvn, null, null, null, null, null, null, null, null, null);
            attributes = s.Attributes;
        }
        else
        {
            var t = quote.TdBody!;
            m = new Measurement(null, null, 0, 0, t.MrTd, t.Rtmrs, t.MrConfigId, t.MrOwner, t.MrOwnerConfig, t.MrServiceTd, t.MrSignerSeam, t.SeamAttributes, t.Xfam);
            attributes = t.TdAttributes;
        }
        return new DcapVerdict
        {
            Reason = VerificationReason.None,
            Quote = quote,
            TeeType = quote.TeeType,
            Measurement = m,
            Attributes = attributes,
            ReportData = quote.ReportData,
        };
    }

    private static string? NotValidAt(IReadOnlyList<DcapCertificate> chain, DateTimeOffset now)
    {
        foreach (var c in chain)
        {
            if (!c.IsValidAt(now))
            {
                return $"'{c.SubjectText}' is valid {c.NotBefore:O}..{c.NotAfter:O}, now is {now:O}";
            }
        }
        return null;
    }

    private static bool CrlValidAt(Crl crl, DateTimeOffset now, out string why)
    {
        if (crl.NextUpdate is not { } next)
        {
            why = "has no nextUpdate";
            return false;
        }
        if (now < crl.ThisUpdate || now > next)
        {
            why = $"is valid {crl.ThisUpdate:O}..{next:O}, now is {now:O}";
            return false;
        }
        why = string.Empty;
        return true;
    }

    private static bool CrlSignedBy(Crl crl, byte[] key, VerifiedCollateralCache? cache)
    {
        if (cache is null)
        {
            return EcdsaP256.VerifyDer(key, crl.TbsBytes, crl.Signature);
        }
        var id = "crl" + Convert.ToHexString(Crypto.Hashing.Sha256([.. crl.Der, .. key]));
        return cache.CheckSignature(id, () => EcdsaP256.VerifyDer(key, crl.TbsBytes, crl.Signature));
    }

    private static bool MaskedEqual(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> mask)
    {
        if (actual.Length != expected.Length || mask.Length != expected.Length)
        {
            return false;
        }
        for (var i = 0; i < actual.Length; i++)
        {
            if ((actual[i] & mask[i]) != (expected[i] & mask[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static bool AtLeast(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> required, int start)
    {
        for (var i = start; i < required.Length; i++)
        {
            if (actual[i] < required[i])
            {
                return false;
            }
        }
        return true;
    }

    private static DateTimeOffset? Min(params DateTimeOffset?[] values)
    {
        DateTimeOffset? min = null;
        foreach (var v in values)
        {
            if (v is { } x && (min is null || x < min))
            {
                min = x;
            }
        }
        return min;
    }

    private sealed class LevelOrder : IComparer<TcbLevel>
    {
        public static readonly LevelOrder Instance = new();

        public int Compare(TcbLevel? x, TcbLevel? y)
        {
            var c = x!.SgxComponents.AsSpan().SequenceCompareTo(y!.SgxComponents);
            if (c != 0)
            {
                return c;
            }
            c = x.PceSvn.CompareTo(y.PceSvn);
            return c != 0 ? c : (x.TdxComponents ?? []).AsSpan().SequenceCompareTo(y.TdxComponents ?? []);
        }
    }
}
