using System.Buffers.Binary;
using Citrine.Attestation.Attestors;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Policy;
using Citrine.Chain.App;
using Citrine.Chain.Contracts;
using Citrine.Chain.Encoding;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Crypto.Encoding;

namespace Citrine.Chain.Attestation;

/// <summary>
/// Refusals of <see cref="RegistryQuoteVerifier"/> that belong to the registry rather than to the
/// DCAP verifier (whose <see cref="VerificationReason"/> names and the policy's
/// <see cref="PolicyReason"/> names are reported as they are).
/// </summary>
public enum RegistryQuoteReason
{
    /// <summary>The <see cref="QuotePolicy"/> cannot be read (null, an unknown TCB status name, a negative floor).</summary>
    PolicyMalformed = 1,

    /// <summary>Mock evidence, and the policy does not set <see cref="QuotePolicy.AcceptMock"/>.</summary>
    MockNotAccepted,

    /// <summary>The bytes carry the mock marker but are not mock evidence (wrong length).</summary>
    MockMalformed,

    /// <summary>The registry holds no TCB Info for the quote's TEE and FMSPC.</summary>
    TcbInfoMissing,

    /// <summary>The registry holds no QE identity for the quote's TEE (QE for SGX, TD_QE for TDX).</summary>
    QeIdentityMissing,

    /// <summary>The registry holds no CRL of the quote's PCK CA (Processor or Platform).</summary>
    PckCrlMissing,

    /// <summary>The registry holds no root CA CRL.</summary>
    RootCrlMissing,
}

/// <summary>
/// The node's <see cref="IHostAttestation"/>: verifies a quote for a contract at the block time
/// against the collateral in the registry's store (<see cref="CollateralRegistry.StoreName"/>) and
/// the root pinned in genesis. The DCAP checks are <see cref="Verifier"/>'s and the policy's
/// <see cref="PolicyEvaluator"/>'s; this class finds the collateral the quote needs, maps the
/// contract's <see cref="QuotePolicy"/> and reports the verdict. Every call is charged the fixed
/// <see cref="Gas"/> before any work, so a refusal costs what an acceptance costs, and registry
/// reads are not charged one by one (their cost is in the flat part). Deterministic: the optional
/// <see cref="VerifiedCollateralCache"/> memoises pure, time-independent results only (signatures
/// over exact bytes), so every validator reaches the same verdict with or without it.
/// </summary>
public sealed class RegistryQuoteVerifier : IHostAttestation
{
    /// <summary>The name of the policy a contract's <see cref="QuotePolicy"/> becomes, in details.</summary>
    public const string PolicyName = "contract";

    private readonly StateBranch _branch;
    private readonly GenesisAttestation _root;
    private readonly DateTimeOffset _now;
    private readonly VerifiedCollateralCache? _cache;
    private TrustAnchor? _anchor;

    /// <param name="branch">The transaction's (or query's) state: the registry is read from it, the gas charged to its meter.</param>
    /// <param name="root">The root pinned in genesis.</param>
    /// <param name="block">The block whose time the collateral must be valid at.</param>
    /// <param name="cache">Optional memo of time-independent checks (shared by the node's contract host).</param>
    public RegistryQuoteVerifier(StateBranch branch, GenesisAttestation root, BlockContext block, VerifiedCollateralCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(branch);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(block);
        _branch = branch;
        _root = root;
        _now = CollateralRegistry.BlockTime(block.Time);
        _cache = cache;
    }

    /// <summary>
    /// The fixed gas of one call: <see cref="GasCosts.QuoteVerifyFlat"/> (parsing the quote and its PCK
    /// chain, the four registry reads, CRL lookups, policy) + <see cref="GasCosts.QuoteVerifySignatures"/>
    /// (the three P-256 checks no cache can avoid for a new platform: PCK leaf by its CA, QE report by
    /// the PCK key, quote by the attestation key) + <see cref="GasCosts.QuoteVerifyPerByte"/> per quote byte.
    /// </summary>
    public static long Gas(int quoteLength) =>
        GasCosts.QuoteVerifyFlat + GasCosts.QuoteVerifySignatures + (GasCosts.QuoteVerifyPerByte * Math.Max(0, quoteLength));

    public QuoteVerification VerifyQuote(ReadOnlySpan<byte> quote, QuotePolicy policy)
    {
        _branch.Gas.Consume(Gas(quote.Length), "host attestation verify quote");
        return Verify(quote, policy);
    }

    private QuoteVerification Verify(ReadOnlySpan<byte> quote, QuotePolicy? policy)
    {
        // 1. The policy is data from the contract: read it before anything else.
        if (Map(policy, out var detail) is not { } attestationPolicy)
        {
            return Refuse(RegistryQuoteReason.PolicyMalformed.ToString(), detail, QuoteTee.Mock);
        }

        // 2. Mock evidence proves nothing: refused unless the contract opts in, and then reported insecure.
        if (MockEvidence.IsMock(quote))
        {
            return VerifyMock(quote, policy!);
        }

        // 3. The quote and its PCK chain name the collateral to look up (the verifier checks them all again).
        if (!QuoteParser.TryParse(quote, out var parsed, out var parseError))
        {
            return Refuse(nameof(VerificationReason.QuoteMalformed), parseError ?? "the quote does not parse", ClaimedTee(quote));
        }
        var facts = Facts(parsed!);
        var isTdx = parsed!.TeeType == TeeType.Tdx;
        List<DcapCertificate> pckChain;
        try
        {
            pckChain = [.. PemText.DecodeAll(parsed.PckChainPem, "CERTIFICATE", "pck_chain").Select(d => DcapCertificate.Parse(d, "pck_chain"))];
        }
        catch (CollateralFormatException e)
        {
            return facts with { Reason = nameof(VerificationReason.PckChainMalformed), Detail = e.Message };
        }
        if (pckChain.Count != 3)
        {
            return facts with { Reason = nameof(VerificationReason.PckChainMalformed), Detail = $"the PCK chain has {pckChain.Count} certificates; expected leaf, PCK CA and root" };
        }
        var (leaf, pckCa) = (pckChain[0], pckChain[1]);
        var crlKind = pckCa.CommonName switch
        {
            Verifier.PckProcessorCaCommonName => CollateralKind.ProcessorCrl,
            Verifier.PckPlatformCaCommonName => CollateralKind.PlatformCrl,
            _ => CollateralKind.Unknown,
        };
        if (crlKind == CollateralKind.Unknown)
        {
            return facts with { Reason = nameof(VerificationReason.PckCaNameInvalid), Detail = $"the PCK CA's CN is '{pckCa.CommonName}', neither '{Verifier.PckPlatformCaCommonName}' nor '{Verifier.PckProcessorCaCommonName}'" };
        }
        if (!leaf.Extensions.ContainsKey(PckExtensions.SgxExtensionsOid))
        {
            return facts with { Reason = nameof(VerificationReason.PckLeafSgxExtensionMissing), Detail = $"the PCK leaf '{leaf.SubjectText}' has no SGX extension ({PckExtensions.SgxExtensionsOid})" };
        }
        byte[] fmspc;
        try
        {
            fmspc = PckExtensions.FromCertificate(leaf).Fmspc;
        }
        catch (PckExtensionException e)
        {
            return facts with { Reason = nameof(VerificationReason.PckExtensionMalformed), Detail = e.Message };
        }

        // 4. The collateral of this TEE, FMSPC and PCK CA; each missing item is its own refusal.
        var tcbId = isTdx ? TcbInfo.TdxId : TcbInfo.SgxId;
        var qeId = isTdx ? EnclaveIdentity.TdQeId : EnclaveIdentity.QeId;
        var tcbBytes = Read(CollateralKind.TcbInfo, tcbId, fmspc);
        if (tcbBytes is null)
        {
            return facts with { Reason = nameof(RegistryQuoteReason.TcbInfoMissing), Detail = $"the registry holds no {tcbId} TCB Info for FMSPC {Hex.Encode(fmspc)}" };
        }
        var qeBytes = Read(CollateralKind.QeIdentity, qeId, []);
        if (qeBytes is null)
        {
            return facts with { Reason = nameof(RegistryQuoteReason.QeIdentityMissing), Detail = $"the registry holds no {qeId} identity" };
        }
        var pckCrlBytes = Read(crlKind, "", []);
        if (pckCrlBytes is null)
        {
            return facts with { Reason = nameof(RegistryQuoteReason.PckCrlMissing), Detail = $"the registry holds no CRL of the '{pckCa.CommonName}' ({crlKind})" };
        }
        var rootCrlBytes = Read(CollateralKind.RootCaCrl, "", []);
        if (rootCrlBytes is null)
        {
            return facts with { Reason = nameof(RegistryQuoteReason.RootCrlMissing), Detail = "the registry holds no root CA CRL" };
        }
        QuoteCollateral collateral;
        try
        {
            var tcb = RegistryEntry.Decode(tcbBytes);
            var qe = RegistryEntry.Decode(qeBytes);
            var pckCrl = RegistryEntry.Decode(pckCrlBytes);
            var rootCrl = RegistryEntry.Decode(rootCrlBytes);
            collateral = new QuoteCollateral(
                PemText.DecodeAll(pckCrl.IssuerChain, "CERTIFICATE", "pck_crl_issuer_chain"),
                rootCrl.Document,
                pckCrl.Document,
                PemText.DecodeAll(tcb.IssuerChain, "CERTIFICATE", "tcb_info_issuer_chain"),
                SignedDocument.FromPcsResponse(tcb.Document, "tcbInfo"),
                PemText.DecodeAll(qe.IssuerChain, "CERTIFICATE", "qe_identity_issuer_chain"),
                SignedDocument.FromPcsResponse(qe.Document, "enclaveIdentity"));
        }
        catch (Exception e) when (e is CollateralFormatException or ProtoDecodeException)
        {
            // Verified at upload, so this is a store that was written by something else: fail closed.
            return facts with { Reason = nameof(VerificationReason.CollateralMalformed), Detail = $"stored collateral: {e.Message}" };
        }

        // 5. DCAP verification at the block time under the pinned root, then the contract's policy.
        var options = new VerifierOptions { TrustAnchor = _anchor ??= _root.Anchor(), Cache = _cache, AllowDebug = attestationPolicy.AllowDebug };
        var verdict = Verifier.Verify(parsed, collateral, _now, options);
        facts = facts with
        {
            TcbStatus = verdict.TcbStatus is { } status ? TcbStatusNames.Name(status) : "",
            Advisories = verdict.AdvisoryIds,
            CollateralNextUpdate = verdict.CollateralExpires is { } expires ? ToContractTime(expires) : null,
        };
        if (!verdict.IsVerified)
        {
            return facts with { Reason = verdict.Reason.ToString(), Detail = verdict.Detail ?? "" };
        }
        var decision = PolicyEvaluator.Evaluate(verdict, attestationPolicy);
        if (!decision.IsAccepted)
        {
            return facts with { Reason = decision.Reason.ToString(), Detail = decision.Detail ?? "" };
        }
        return facts with
        {
            Accepted = true,
            Reason = "None",
            Detail = $"{(isTdx ? "TDX" : "SGX")} quote verified at {_now:O} under the {_root.Root} root; TCB status {facts.TcbStatus}",
        };
    }

    private QuoteVerification VerifyMock(ReadOnlySpan<byte> quote, QuotePolicy policy)
    {
        if (quote.Length != MockEvidence.Size)
        {
            return Refuse(nameof(RegistryQuoteReason.MockMalformed), $"mock evidence is {MockEvidence.Size} bytes, got {quote.Length}", QuoteTee.Mock);
        }
        var measurement = quote.Slice(MockEvidence.Marker.Length, MockEvidence.MeasurementSize).ToArray();
        var reportData = quote[(MockEvidence.Marker.Length + MockEvidence.MeasurementSize)..].ToArray();
        var mock = new QuoteVerification
        {
            Accepted = false,
            Reason = nameof(RegistryQuoteReason.MockNotAccepted),
            Detail = "mock evidence proves nothing; the policy does not accept it (QuotePolicy.AcceptMock)",
            Tee = QuoteTee.Mock,
            ReportData = reportData,
            MrEnclave = measurement,
            Root = _root.Root,
            Insecure = true,
        };
        return policy.AcceptMock
            ? mock with { Accepted = true, Reason = "None", Detail = "INSECURE mock evidence accepted by the policy (QuotePolicy.AcceptMock)" }
            : mock;
    }

    /// <summary>The contract's policy as the DCAP policy; null (with <paramref name="problem"/>) when it cannot be read.</summary>
    internal static AttestationPolicy? Map(QuotePolicy? policy, out string problem)
    {
        problem = "";
        if (policy is null)
        {
            problem = "no policy was given";
            return null;
        }
        IReadOnlyList<TcbStatus> statuses = AttestationPolicy.DefaultAcceptedTcbStatuses;
        if (policy.AcceptedTcbStatuses is { } names)
        {
            var list = new List<TcbStatus>(names.Count);
            foreach (var name in names)
            {
                if (!TcbStatusNames.TryParse(name, out var status))
                {
                    problem = $"unknown TCB status '{name}' in AcceptedTcbStatuses";
                    return null;
                }
                list.Add(status);
            }
            statuses = list;
        }
        if (policy.AllowedAdvisoryIds is { } advisories && advisories.Any(a => a is null))
        {
            problem = "AllowedAdvisoryIds holds a null id";
            return null;
        }
        if (policy.MinTcbEvaluationDataNumber is < 0)
        {
            problem = $"MinTcbEvaluationDataNumber {policy.MinTcbEvaluationDataNumber} is negative";
            return null;
        }
        return new AttestationPolicy
        {
            Name = PolicyName,
            AcceptedTcbStatuses = statuses,
            AllowedAdvisoryIds = policy.AllowedAdvisoryIds is { } allowed ? [.. allowed] : null,
            MinTcbEvaluationDataNumber = policy.MinTcbEvaluationDataNumber,
            AllowDebug = policy.AllowDebug,
        };
    }

    private byte[]? Read(CollateralKind kind, string id, ReadOnlySpan<byte> fmspc) =>
        _branch.ReadUncharged(CollateralRegistry.StoreName, CollateralRegistry.KeyOf(kind, id, fmspc));

    private QuoteVerification Facts(Quote quote)
    {
        var verification = new QuoteVerification
        {
            Accepted = false,
            Reason = "",
            Detail = "",
            Tee = quote.TeeType == TeeType.Tdx ? QuoteTee.Tdx : QuoteTee.Sgx,
            ReportData = quote.ReportData.ToArray(),
            Root = _root.Root,
            Insecure = _root.IsSimulated,
        };
        if (quote.SgxBody is { } sgx)
        {
            return verification with { MrEnclave = sgx.MrEnclave.ToArray(), MrSigner = sgx.MrSigner.ToArray(), IsvProdId = sgx.IsvProdId, IsvSvn = sgx.IsvSvn };
        }
        var td = quote.TdBody!;
        return verification with { MrTd = td.MrTd.ToArray(), Rtmrs = [.. td.Rtmrs.Select(r => r.ToArray())] };
    }

    private QuoteVerification Refuse(string reason, string detail, QuoteTee tee) => new()
    {
        Accepted = false,
        Reason = reason,
        Detail = detail,
        Tee = tee,
        Root = _root.Root,
        Insecure = tee == QuoteTee.Mock || _root.IsSimulated,
    };

    /// <summary>What an unparsable quote's header claims (TEE type 0x81 at offset 4 is TDX): a label for the refusal, nothing more.</summary>
    private static QuoteTee ClaimedTee(ReadOnlySpan<byte> quote) =>
        quote.Length >= 8 && BinaryPrimitives.ReadUInt32LittleEndian(quote[4..]) == (uint)TeeType.Tdx ? QuoteTee.Tdx : QuoteTee.Sgx;

    /// <summary>A time as the block header writes it: whole seconds and the 100 ns ticks left, in nanoseconds.</summary>
    internal static ContractTime ToContractTime(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }
        return new ContractTime(seconds, (int)(rest * 100));
    }
}
