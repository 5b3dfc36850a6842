using System.Text;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Testing;

namespace Citrine.Attestation.Tests.Testing;

/// <summary>
/// Each <see cref="DcapFault"/> changes exactly one thing: the evidence is reduced to its signed
/// contents (certificate and CRL TBS bytes, documents, quote regions) plus the validity of each
/// signature (signatures themselves use random nonces), and compared with the fault-free evidence.
/// </summary>
public sealed class FaultIsolationTests
{
    public static TheoryData<DcapFault> Faults()
    {
        var data = new TheoryData<DcapFault>();
        foreach (var fault in Enum.GetValues<DcapFault>().Where(f => f != DcapFault.None))
        {
            data.Add(fault);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public void Fault_changes_exactly_one_signed_item_or_signature(DcapFault fault)
    {
        var request = fault switch
        {
            DcapFault.MrServiceTdNonZero => new SimulatedQuoteRequest { Now = SimulatedPki.Now, Tee = SimulatedTee.Tdx, QuoteVersion = 5, TdReport = SimulatedTdReport.Td15 },
            DcapFault.DebugTd or DcapFault.SeptVeDisableMissing or DcapFault.TdxModuleAttributesMismatch or DcapFault.TdxModuleAttributesUnmasked or DcapFault.TdxModuleIdentityMissing
                or DcapFault.TdxModuleMrSignerMismatch or DcapFault.TdxModuleSvnBelowAllLevels
                => new SimulatedQuoteRequest { Now = SimulatedPki.Now, Tee = SimulatedTee.Tdx, QuoteVersion = 4 },
            _ => new SimulatedQuoteRequest { Now = SimulatedPki.Now },
        };
        var baseline = Fingerprint(SimulatedPki.Simulator.Generate(request));
        var faulted = Fingerprint(SimulatedPki.Simulator.Generate(CopyWithFault(request, fault)));
        var changed = baseline.Keys.Where(k => baseline[k] != faulted[k]).Order().ToList();

        // Exceptions: a key that is not a curve point is also what the QE report binds and what the
        // quote signature is checked with; a CRL from the wrong issuer names that issuer and is
        // (validly) signed by it, so the expected issuer's key no longer verifies it. A renamed PCK
        // CA is named by the leaf and the PCK CRL too. A TCB signer under an intermediate CA is not
        // signed by the root. The forgery replaces both signers by the PCK leaf, which the PCK CA
        // signed, not the root.
        var expected = fault switch
        {
            DcapFault.AttestationKeyNotOnCurve or DcapFault.PckCaWrongCn => 3,
            DcapFault.RootCrlWrongIssuer or DcapFault.PckCrlWrongIssuer or DcapFault.TcbSignerChainTooLong => 2,
            DcapFault.TcbSignerIsPckLeaf => 4,
            _ => 1,
        };
        Assert.True(changed.Count == expected, $"{fault} changed [{string.Join(", ", changed)}]");
    }

    private static SimulatedQuoteRequest CopyWithFault(SimulatedQuoteRequest r, DcapFault fault) => new()
    {
        Now = r.Now, Tee = r.Tee, QuoteVersion = r.QuoteVersion, TdReport = r.TdReport, Fault = fault,
    };

    private static Dictionary<string, string> Fingerprint(SimulatedDcapEvidence e)
    {
        var root = DcapCertificate.Parse(e.RootCertificateDer);
        var ca = DcapCertificate.Parse(e.PckCaCertificateDer);
        var leaf = DcapCertificate.Parse(e.PckLeafCertificateDer);
        var tcb = DcapCertificate.Parse(e.TcbSigningCertificateDer);
        var qeSigner = DcapCertificate.Parse(PemText.DecodeAll(Encoding.ASCII.GetBytes(e.QeIdentitySigningChainPem), "CERTIFICATE", "qe")[0]);
        var rootCrl = Crl.Parse(e.RootCrlDer);
        var pckCrl = Crl.Parse(e.PckCrlDer);
        var quote = QuoteParser.Parse(e.Quote);
        var chain = PemText.DecodeAll(quote.PckChainPem, "CERTIFICATE", "pck");
        static string H(byte[] b) => Convert.ToHexString(b);
        return new Dictionary<string, string>
        {
            ["root"] = H(root.TbsBytes),
            ["pck-ca"] = H(ca.TbsBytes),
            ["pck-leaf"] = H(leaf.TbsBytes),
            ["tcb-signer"] = H(tcb.TbsBytes),
            ["qe-signer"] = H(qeSigner.TbsBytes),
            ["trusted-root-key"] = H(DcapCertificate.Parse(e.TrustedRootDer).PublicKey),
            ["root-crl"] = H(rootCrl.TbsBytes),
            ["pck-crl"] = H(pckCrl.TbsBytes),
            ["tcb-info"] = e.TcbInfoJson,
            ["qe-identity"] = e.QeIdentityJson,
            ["quote.signed"] = H(quote.SignedBytes),
            ["quote.key"] = H(quote.AttestationKey),
            ["quote.qe-report"] = H(quote.QeReportBytes),
            ["quote.auth"] = H(quote.QeAuthenticationData),
            // The chain's certificates are fingerprinted above; here only whether the quote carries exactly them.
            ["quote.pck-chain"] = chain.Count == 3 && chain[0].AsSpan().SequenceEqual(e.PckLeafCertificateDer)
                && chain[1].AsSpan().SequenceEqual(e.PckCaCertificateDer) && chain[2].AsSpan().SequenceEqual(e.RootCertificateDer)
                ? "leaf, PCK CA, root" : $"{chain.Count} other certificates",
            ["sig.root"] = root.IsSignedBy(root.PublicKey).ToString(),
            ["sig.pck-ca"] = ca.IsSignedBy(root.PublicKey).ToString(),
            ["sig.pck-leaf"] = leaf.IsSignedBy(ca.PublicKey).ToString(),
            ["sig.tcb-signer"] = tcb.IsSignedBy(root.PublicKey).ToString(),
            ["sig.qe-signer"] = qeSigner.IsSignedBy(root.PublicKey).ToString(),
            ["sig.root-crl"] = EcdsaP256.VerifyDer(root.PublicKey, rootCrl.TbsBytes, rootCrl.Signature).ToString(),
            ["sig.pck-crl"] = EcdsaP256.VerifyDer(ca.PublicKey, pckCrl.TbsBytes, pckCrl.Signature).ToString(),
            ["sig.tcb-info"] = EcdsaP256.VerifyRaw(tcb.PublicKey, Encoding.UTF8.GetBytes(e.TcbInfoJson), e.TcbInfoSignature).ToString(),
            ["sig.qe-identity"] = EcdsaP256.VerifyRaw(qeSigner.PublicKey, Encoding.UTF8.GetBytes(e.QeIdentityJson), e.QeIdentitySignature).ToString(),
            ["sig.qe-report"] = EcdsaP256.VerifyRaw(leaf.PublicKey, quote.QeReportBytes, quote.QeReportSignature).ToString(),
            ["sig.quote"] = EcdsaP256.VerifyRaw(quote.AttestationKey, quote.SignedBytes, quote.Signature).ToString(),
        };
    }
}
