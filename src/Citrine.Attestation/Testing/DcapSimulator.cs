using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Citrine.Attestation.Testing;

/// <summary>
/// TEST/SIMULATION ONLY — NOT INTEL, NOT A TEE. Builds a complete Intel-DCAP-shaped PKI under a
/// locally generated root (root CA, PCK CA, PCK leaf with SGX extensions, TCB signing cert,
/// CRLs), signs TCB Info v3 and QE Identity v2 the way Intel PCS does, and signs quotes
/// (SGX v3/v4/v5, TDX v4/v5) for any report body, so development and tests can run the whole
/// real verification path. <see cref="SimulatedQuoteRequest.Fault"/> breaks exactly one thing.
/// Layouts: Intel SGX ECDSA Quote Library API (quote v3, appendix A), Intel TDX DCAP Quoting
/// Library API (quote v4 §A.3, v5 §A.4), Intel PCS API v4 (TCB Info v3, Enclave Identity v2).
/// </summary>
public sealed class DcapSimulator
{
    /// <summary>The QE vendor ID of Intel's quoting enclaves (quote header).</summary>
    public static readonly IReadOnlyList<byte> IntelQeVendorId = Convert.FromHexString("939A7233F79C4CA9940A0DB3957F0607");

    /// <summary>Marks every generated name as a simulation; the CNs follow Intel's so CA-type detection behaves.</summary>
    public const string TestOrganization = "Citrine TEST PKI - simulated DCAP, not Intel";

    private const int HeaderSize = 48;
    private const int SgxReportSize = 384;
    private const int Td10ReportSize = 584;
    private const int Td15ReportSize = 648;
    private const ushort AttestationKeyTypeEcdsaP256 = 2;
    private const uint TeeTypeSgx = 0x00000000;
    private const uint TeeTypeTdx = 0x00000081;
    private const ushort CertDataPckChain = 5;
    private const ushort CertDataQeReport = 6;

    private readonly TestPkiKeys _keys;

    public DcapSimulator(TestPkiKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
    }

    public static X500DistinguishedName RootName { get; } = Name("Intel SGX Root CA");

    public static X500DistinguishedName TcbSigningName { get; } = Name("Intel SGX TCB Signing");

    public static X500DistinguishedName PckLeafName { get; } = Name("Intel SGX PCK Certificate");

    public static X500DistinguishedName PckCaName(SimulatedPckCaKind kind) =>
        Name(kind == SimulatedPckCaKind.Platform ? "Intel SGX PCK Platform CA" : "Intel SGX PCK Processor CA");

    /// <summary>Generates a quote, its collateral and the root to pin.</summary>
    public SimulatedDcapEvidence Generate(SimulatedQuoteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        var now = TruncateToSeconds(request.Now);
        var fault = request.Fault;

        // --- certificates ---
        using var root = SelfSignedRoot(_keys.Root, Window(now, fault, DcapFault.RootExpired, DcapFault.RootNotYetValid, years: 30), Serial("root"));
        using var trustedRoot = fault == DcapFault.WrongRoot
            ? SelfSignedRoot(_keys.Impostor, Window(now, DcapFault.None, DcapFault.None, DcapFault.None, years: 30), Serial("wrong-root"))
            : X509CertificateLoader.LoadCertificate(root.RawData);
        var rootSki = SubjectKeyId(root);
        var pckCaName = fault == DcapFault.PckCaWrongCn ? Name("Intel SGX PCK Other CA") : PckCaName(request.PckCa);
        using var pckCa = Issue(
            pckCaName, _keys.PckCa, RootName, fault == DcapFault.PckCaSignatureInvalid ? _keys.Impostor : _keys.Root, rootSki,
            Window(now, fault, DcapFault.PckCaExpired, DcapFault.PckCaNotYetValid, years: 15), Serial("pck-ca"),
            [new X509BasicConstraintsExtension(true, true, 0, true), new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true)]);
        var pckCaSki = SubjectKeyId(pckCa);
        var leafExtensions = new List<X509Extension>
        {
            new X509BasicConstraintsExtension(false, false, 0, true),
            new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true),
        };
        if (fault != DcapFault.PckLeafWithoutSgxExtension)
        {
            leafExtensions.Add(SgxPckExtensionBuilder.Build(
                SHA256.HashData("citrine-simulated-ppid"u8).AsSpan(0, 16), request.CpuSvn.Span, request.PceSvn,
                request.PceId.Span, request.Fmspc.Span, request.PckCa, repeatFmspc: fault == DcapFault.PckExtensionRepeatedFmspc));
        }
        if (fault == DcapFault.PckLeafUnknownCriticalExtension)
        {
            leafExtensions.Add(UnknownCriticalExtension());
        }
        var leafIssuerName = fault == DcapFault.PckLeafIssuerNameMismatch
            ? PckCaName(request.PckCa == SimulatedPckCaKind.Platform ? SimulatedPckCaKind.Processor : SimulatedPckCaKind.Platform)
            : pckCaName;
        using var pckLeaf = Issue(
            fault == DcapFault.PckLeafWrongCn ? Name("Intel SGX PCK Leaf") : PckLeafName, _keys.PckLeaf, leafIssuerName, fault == DcapFault.PckLeafSignatureInvalid ? _keys.Impostor : _keys.PckCa, pckCaSki,
            Window(now, fault, DcapFault.PckLeafExpired, DcapFault.PckLeafNotYetValid, years: 7), Serial("pck-leaf"), leafExtensions);
        using var tcbSigning = Issue(
            TcbSigningName, _keys.TcbSigning, RootName, fault == DcapFault.TcbSigningCertSignatureInvalid ? _keys.Impostor : _keys.Root, rootSki,
            Window(now, fault, DcapFault.TcbSigningCertExpired, DcapFault.TcbSigningCertNotYetValid, years: 7), Serial("tcb-signing"),
            [new X509BasicConstraintsExtension(false, false, 0, true), new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true)]);

        // Intel uses one TCB signing certificate for both documents. Faults of either chain give the
        // QE Identity chain its own copy, so exactly one of the two chains is broken.
        using var qeSigning = fault is DcapFault.QeIdentitySignerExpired or DcapFault.QeIdentitySignerSignatureInvalid
            or DcapFault.TcbSigningCertExpired or DcapFault.TcbSigningCertNotYetValid or DcapFault.TcbSigningCertSignatureInvalid
            ? Issue(
                TcbSigningName, _keys.TcbSigning, RootName, fault == DcapFault.QeIdentitySignerSignatureInvalid ? _keys.Impostor : _keys.Root, rootSki,
                Window(now, fault, DcapFault.QeIdentitySignerExpired, DcapFault.None, years: 7), Serial("tcb-signing"),
                [new X509BasicConstraintsExtension(false, false, 0, true), new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true)])
            : X509CertificateLoader.LoadCertificate(tcbSigning.RawData);

        // Role faults: who signs the TCB Info (and, for the forgery and QeIdentitySignerWrongCn,
        // the QE Identity), and with which issuer chain.
        var signerWindow = Window(now, DcapFault.None, DcapFault.None, DcapFault.None, years: 7);
        using var tcbSigningCa = fault == DcapFault.TcbSignerChainTooLong
            ? Issue(Name("Intel SGX TCB Signing CA"), _keys.Impostor, RootName, _keys.Root, rootSki, signerWindow, Serial("tcb-signing-ca"),
                [new X509BasicConstraintsExtension(true, true, 0, true), new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true)])
            : null;
        using var roleSigner = fault switch
        {
            DcapFault.TcbSignerWrongCn or DcapFault.QeIdentitySignerWrongCn => Issue(Name("Intel SGX TCB Signer"), _keys.TcbSigning, RootName, _keys.Root, rootSki, signerWindow, Serial("tcb-signing"), TcbSignerExtensions()),
            DcapFault.TcbSignerIsCa => Issue(TcbSigningName, _keys.TcbSigning, RootName, _keys.Root, rootSki, signerWindow, Serial("tcb-signing"),
                [new X509BasicConstraintsExtension(true, true, 0, true), new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true)]),
            DcapFault.TcbSignerWithPckExtension => Issue(TcbSigningName, _keys.TcbSigning, RootName, _keys.Root, rootSki, signerWindow, Serial("tcb-signing"),
                [.. TcbSignerExtensions(), SgxPckExtensionBuilder.Build(new byte[16], request.CpuSvn.Span, request.PceSvn, request.PceId.Span, request.Fmspc.Span, request.PckCa)]),
            DcapFault.TcbSignerUnknownCriticalExtension => Issue(TcbSigningName, _keys.TcbSigning, RootName, _keys.Root, rootSki, signerWindow, Serial("tcb-signing"),
                [.. TcbSignerExtensions(), UnknownCriticalExtension()]),
            DcapFault.TcbSignerChainTooLong => Issue(TcbSigningName, _keys.TcbSigning, tcbSigningCa!.SubjectName, _keys.Impostor, SubjectKeyId(tcbSigningCa), signerWindow, Serial("tcb-signing"), TcbSignerExtensions()),
            _ => null,
        };
        var (tcbInfoKey, tcbInfoSignerDer, tcbSigningChain) = fault switch
        {
            DcapFault.TcbSignerIsPckLeaf => (_keys.PckLeaf, pckLeaf.RawData, Pem(pckLeaf) + Pem(pckCa) + Pem(root)),
            DcapFault.TcbSignerIsPckCa => (_keys.PckCa, pckCa.RawData, Pem(pckCa) + Pem(root)),
            DcapFault.TcbSignerChainTooLong => (_keys.TcbSigning, roleSigner!.RawData, Pem(roleSigner) + Pem(tcbSigningCa!) + Pem(root)),
            DcapFault.QeIdentitySignerWrongCn => (_keys.TcbSigning, tcbSigning.RawData, Pem(tcbSigning) + Pem(root)),
            _ when roleSigner is not null => (_keys.TcbSigning, roleSigner.RawData, Pem(roleSigner) + Pem(root)),
            _ => (_keys.TcbSigning, tcbSigning.RawData, Pem(tcbSigning) + Pem(root)),
        };
        var (qeIdentityKey, qeSigningChain) = fault switch
        {
            DcapFault.TcbSignerIsPckLeaf => (_keys.PckLeaf, tcbSigningChain),
            DcapFault.QeIdentitySignerWrongCn => (_keys.TcbSigning, Pem(roleSigner!) + Pem(root)),
            _ => (_keys.TcbSigning, Pem(qeSigning) + Pem(root)),
        };

        // --- CRLs ---
        var rootRevoked = new List<byte[]> { Serial("revoked-decoy-ca") };
        if (fault == DcapFault.PckCaRevoked)
        {
            rootRevoked.Add(pckCa.SerialNumberBytes.ToArray());
        }
        if (fault == DcapFault.TcbSigningCertRevoked)
        {
            rootRevoked.Add(tcbSigning.SerialNumberBytes.ToArray());
        }
        var rootCrl = fault switch
        {
            DcapFault.RootCrlWrongIssuer => BuildCrl(pckCaName, _keys.PckCa, pckCaSki, rootRevoked, now, DcapFault.None, DcapFault.None, fault),
            DcapFault.RootCrlBadSignature => BuildCrl(RootName, _keys.Impostor, rootSki, rootRevoked, now, DcapFault.None, DcapFault.None, fault),
            _ => BuildCrl(RootName, _keys.Root, rootSki, rootRevoked, now, DcapFault.RootCrlExpired, DcapFault.RootCrlNotYetValid, fault),
        };
        var pckRevoked = new List<byte[]> { Serial("revoked-decoy-leaf") };
        if (fault == DcapFault.PckLeafRevoked)
        {
            pckRevoked.Add(pckLeaf.SerialNumberBytes.ToArray());
        }
        var pckCrl = fault switch
        {
            DcapFault.PckCrlWithoutCrlNumber => BuildCrlWithout("2.5.29.20", pckCaName, _keys.PckCa, pckCaSki, pckRevoked, now, fault),
            DcapFault.PckCrlWithoutAuthorityKeyId => BuildCrlWithout("2.5.29.35", pckCaName, _keys.PckCa, pckCaSki, pckRevoked, now, fault),
            DcapFault.PckCrlWrongIssuer => BuildCrl(RootName, _keys.Root, rootSki, pckRevoked, now, DcapFault.None, DcapFault.None, fault),
            DcapFault.PckCrlBadSignature => BuildCrl(pckCaName, _keys.Impostor, pckCaSki, pckRevoked, now, DcapFault.None, DcapFault.None, fault),
            _ => BuildCrl(pckCaName, _keys.PckCa, pckCaSki, pckRevoked, now, DcapFault.PckCrlExpired, DcapFault.PckCrlNotYetValid, fault),
        };

        // --- signed collateral documents ---
        var tcbInfo = TcbInfoJson(request, now);
        var tcbInfoSignature = SignRaw(fault == DcapFault.TcbInfoBadSignature ? _keys.Impostor : tcbInfoKey, Encoding.UTF8.GetBytes(tcbInfo));
        var qeIdentity = QeIdentityJson(request, now);
        var qeIdentitySignature = SignRaw(fault == DcapFault.QeIdentityBadSignature ? _keys.Impostor : qeIdentityKey, Encoding.UTF8.GetBytes(qeIdentity));

        // --- quote ---
        var pckChainPem = Pem(pckLeaf) + Pem(pckCa) + (fault == DcapFault.PckChainMissingRoot ? string.Empty : Pem(root));
        var quote = BuildQuote(request, Encoding.ASCII.GetBytes(pckChainPem));

        var pckCrlIssuerChain = Pem(pckCa) + Pem(root);
        return new SimulatedDcapEvidence
        {
            Quote = quote,
            CollateralJson = CollateralJson(pckCrlIssuerChain, rootCrl, pckCrl, tcbSigningChain, tcbInfo, tcbInfoSignature, qeSigningChain, qeIdentity, qeIdentitySignature),
            TrustedRootDer = trustedRoot.RawData,
            Now = now,
            RootCertificateDer = root.RawData,
            PckCaCertificateDer = pckCa.RawData,
            PckLeafCertificateDer = pckLeaf.RawData,
            TcbSigningCertificateDer = tcbInfoSignerDer,
            RootCrlDer = rootCrl,
            PckCrlDer = pckCrl,
            TcbInfoJson = tcbInfo,
            TcbInfoSignature = tcbInfoSignature,
            QeIdentityJson = qeIdentity,
            QeIdentitySignature = qeIdentitySignature,
            PckCrlIssuerChainPem = pckCrlIssuerChain,
            TcbSigningChainPem = tcbSigningChain,
            QeIdentitySigningChainPem = qeSigningChain,
            PckChainPem = pckChainPem,
            Fmspc = request.Fmspc.ToArray(),
        };
    }

    /// <summary>Builds a report body from the request's fields (the same bytes <see cref="Generate"/> quotes).</summary>
    public static byte[] BuildReportBody(SimulatedQuoteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ReportBodyOverride is { } body)
        {
            return body.ToArray();
        }
        return request.Tee == SimulatedTee.Sgx ? SgxReportBody(request) : TdReportBody(request);
    }

    private static void Validate(SimulatedQuoteRequest r)
    {
        static void Len(ReadOnlyMemory<byte> value, int length, string name)
        {
            if (value.Length != length)
            {
                throw new ArgumentException($"{name} must be {length} bytes, got {value.Length}", name);
            }
        }
        if (r.QuoteVersion is not (3 or 4 or 5))
        {
            throw new ArgumentException($"quote version {r.QuoteVersion} is not simulated (3, 4 or 5)", nameof(r));
        }
        if (r.Tee == SimulatedTee.Tdx && r.QuoteVersion == 3)
        {
            throw new ArgumentException("TDX quotes are version 4 or 5", nameof(r));
        }
        if (r.TdReport == SimulatedTdReport.Td15 && r.QuoteVersion != 5)
        {
            throw new ArgumentException("a TD 1.5 report body needs quote version 5", nameof(r));
        }
        if (r.Fault == DcapFault.MrServiceTdNonZero && (r.Tee != SimulatedTee.Tdx || r.TdReport != SimulatedTdReport.Td15))
        {
            throw new ArgumentException("MR_SERVICETD exists only in TD 1.5 report bodies", nameof(r));
        }
        if (r.Tee == SimulatedTee.Sgx && r.Fault is DcapFault.DebugTd or DcapFault.SeptVeDisableMissing or DcapFault.TdxModuleAttributesMismatch or DcapFault.TdxModuleAttributesUnmasked or DcapFault.TdxModuleIdentityMissing or DcapFault.TdxModuleMrSignerMismatch or DcapFault.TdxModuleSvnBelowAllLevels)
        {
            throw new ArgumentException($"{r.Fault} applies to TDX quotes only", nameof(r));
        }
        if (r.Tee == SimulatedTee.Tdx && r.Fault == DcapFault.DebugEnclave)
        {
            throw new ArgumentException("DebugEnclave applies to SGX quotes; use DebugTd", nameof(r));
        }
        Len(r.ReportData, 64, nameof(r.ReportData));
        Len(r.MrEnclave, 32, nameof(r.MrEnclave));
        Len(r.MrSigner, 32, nameof(r.MrSigner));
        Len(r.MrTd, 48, nameof(r.MrTd));
        Len(r.MrConfigId, 48, nameof(r.MrConfigId));
        Len(r.MrOwner, 48, nameof(r.MrOwner));
        Len(r.MrOwnerConfig, 48, nameof(r.MrOwnerConfig));
        Len(r.MrSeam, 48, nameof(r.MrSeam));
        Len(r.Rtmrs, 192, nameof(r.Rtmrs));
        Len(r.TeeTcbSvn, 16, nameof(r.TeeTcbSvn));
        Len(r.Fmspc, 6, nameof(r.Fmspc));
        Len(r.PceId, 2, nameof(r.PceId));
        Len(r.CpuSvn, 16, nameof(r.CpuSvn));
        Len(r.QeMrSigner, 32, nameof(r.QeMrSigner));
        if (r.QeAuthData.Length > ushort.MaxValue)
        {
            throw new ArgumentException("QE auth data is at most 65535 bytes", nameof(r));
        }
        if (r.ReportBodyOverride is { } body)
        {
            var expected = r.Tee == SimulatedTee.Sgx ? SgxReportSize : r.TdReport == SimulatedTdReport.Td15 ? Td15ReportSize : Td10ReportSize;
            Len(body, expected, nameof(r.ReportBodyOverride));
        }
    }

    // ---------------------------------------------------------------- quote

    private byte[] BuildQuote(SimulatedQuoteRequest r, byte[] pckChainPem)
    {
        var body = BuildReportBody(r);
        var header = new byte[HeaderSize];
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(0), (ushort)r.QuoteVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), AttestationKeyTypeEcdsaP256);
        // v3: bytes 4..8 are reserved (zero); v4/v5: TEE type. SGX's TEE type is 0 either way.
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), r.Tee == SimulatedTee.Tdx ? TeeTypeTdx : TeeTypeSgx);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), r.QeIsvSvn);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(10), r.PceSvn);
        for (var i = 0; i < 16; i++)
        {
            header[12 + i] = IntelQeVendorId[i];
        }
        if (r.Fault == DcapFault.QeVendorIdNotIntel)
        {
            header[12] ^= 0xFF;
        }
        // user_data (20 bytes): first 16 = QE ID in Intel's QE; a fixed simulated value here.
        "citrine-sim-qe\0\0"u8.CopyTo(header.AsSpan(28));

        // Signed region: header || body (v3/v4); header || body type || body size || body (v5, TDX DCAP API §A.4).
        var signed = new List<byte>(HeaderSize + 6 + body.Length);
        signed.AddRange(header);
        if (r.QuoteVersion == 5)
        {
            var descriptor = new byte[6];
            ushort bodyType = r.Tee == SimulatedTee.Sgx ? (ushort)1 : r.TdReport == SimulatedTdReport.Td15 ? (ushort)3 : (ushort)2;
            BinaryPrimitives.WriteUInt16LittleEndian(descriptor, bodyType);
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(2), (uint)body.Length);
            signed.AddRange(descriptor);
        }
        signed.AddRange(body);
        var signedBytes = signed.ToArray();
        var quoteSignature = SignRaw(r.Fault == DcapFault.QuoteSignatureInvalid ? _keys.Impostor : _keys.Attestation, signedBytes);
        var attestationKey = r.Fault == DcapFault.AttestationKeyNotOnCurve ? Enumerable.Repeat((byte)0x01, 64).ToArray() : RawPublicKey(_keys.Attestation);

        var qeReport = QeReport(r, attestationKey);
        var qeReportSignature = SignRaw(r.Fault == DcapFault.QeReportSignatureInvalid ? _keys.Impostor : _keys.PckLeaf, qeReport);
        var authData = r.QeAuthData.ToArray();

        var signature = new List<byte>();
        signature.AddRange(quoteSignature);
        signature.AddRange(attestationKey);
        var qeBlock = new List<byte>();
        qeBlock.AddRange(qeReport);
        qeBlock.AddRange(qeReportSignature);
        qeBlock.AddRange(U16(authData.Length));
        qeBlock.AddRange(authData);
        qeBlock.AddRange(U16(CertDataPckChain));
        qeBlock.AddRange(U32(pckChainPem.Length));
        qeBlock.AddRange(pckChainPem);
        if (r.QuoteVersion == 3)
        {
            // v3 (SGX ECDSA QL API A.4): the QE report block follows the attestation key directly.
            signature.AddRange(qeBlock);
        }
        else
        {
            // v4/v5: certification data type 6 ("QE report certification data") nests type 5.
            signature.AddRange(U16(CertDataQeReport));
            signature.AddRange(U32(qeBlock.Count));
            signature.AddRange(qeBlock);
        }

        var quote = new List<byte>(signedBytes.Length + 4 + signature.Count);
        quote.AddRange(signedBytes);
        quote.AddRange(U32(signature.Count));
        quote.AddRange(signature);
        return quote.ToArray();
    }

    private static byte[] QeReport(SimulatedQuoteRequest r, byte[] attestationKey)
    {
        var report = new byte[SgxReportSize];
        var s = report.AsSpan();
        // SGX REPORTBODY (SGX Developer Reference, sgx_report_body_t): cpusvn 0, miscselect 16,
        // isvextprodid 32, attributes 48, mrenclave 64, mrsigner 128, configid 192,
        // isvprodid 256, isvsvn 258, configsvn 260, isvfamilyid 304, report_data 320.
        r.CpuSvn.Span.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], r.QeMiscSelect);
        // INIT | PROVISIONKEY, as Intel's QE; DEBUG (bit 1) added for the QeDebug fault.
        BinaryPrimitives.WriteUInt64LittleEndian(s[48..], r.Fault == DcapFault.QeDebug ? 0x13UL : 0x11UL);
        BinaryPrimitives.WriteUInt64LittleEndian(s[56..], 0xE7);
        SHA256.HashData("citrine-simulated-qe"u8).CopyTo(s[64..]);
        r.QeMrSigner.Span.CopyTo(s[128..]);
        BinaryPrimitives.WriteUInt16LittleEndian(s[256..], r.QeIsvProdId ?? (r.Tee == SimulatedTee.Sgx ? (ushort)1 : (ushort)2));
        BinaryPrimitives.WriteUInt16LittleEndian(s[258..], r.QeIsvSvn);
        // report_data = SHA-256(attestation key || QE auth data) || 32 zero bytes.
        var hashInput = new byte[attestationKey.Length + r.QeAuthData.Length];
        attestationKey.CopyTo(hashInput, 0);
        r.QeAuthData.Span.CopyTo(hashInput.AsSpan(attestationKey.Length));
        var hash = SHA256.HashData(hashInput);
        if (r.Fault == DcapFault.QeReportDataMismatch)
        {
            hash[0] ^= 0x01;
        }
        hash.CopyTo(s[320..]);
        return report;
    }

    private static byte[] SgxReportBody(SimulatedQuoteRequest r)
    {
        var body = new byte[SgxReportSize];
        var s = body.AsSpan();
        r.CpuSvn.Span.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], r.MiscSelect);
        var flags = r.SgxAttributeFlags | (r.Fault == DcapFault.DebugEnclave ? 0x02UL : 0UL);
        BinaryPrimitives.WriteUInt64LittleEndian(s[48..], flags);
        BinaryPrimitives.WriteUInt64LittleEndian(s[56..], r.Xfrm);
        r.MrEnclave.Span.CopyTo(s[64..]);
        r.MrSigner.Span.CopyTo(s[128..]);
        BinaryPrimitives.WriteUInt16LittleEndian(s[256..], r.IsvProdId);
        BinaryPrimitives.WriteUInt16LittleEndian(s[258..], r.IsvSvn);
        r.ReportData.Span.CopyTo(s[320..]);
        return body;
    }

    private static byte[] TdReportBody(SimulatedQuoteRequest r)
    {
        var td15 = r.TdReport == SimulatedTdReport.Td15;
        var body = new byte[td15 ? Td15ReportSize : Td10ReportSize];
        var s = body.AsSpan();
        // TD report body (TDX DCAP API §A.3.3): tee_tcb_svn 0, mrseam 16, mrsignerseam 64,
        // seam_attributes 112, td_attributes 120, xfam 128, mrtd 136, mrconfigid 184,
        // mrowner 232, mrownerconfig 280, rtmr0..3 328, report_data 520; TD 1.5 adds
        // tee_tcb_svn2 584 and mrservicetd 600 (§A.4.2).
        r.TeeTcbSvn.Span.CopyTo(s);
        r.MrSeam.Span.CopyTo(s[16..]);
        // mrsignerseam and seam_attributes stay zero: Intel's TDX module (matches tdxModule in TCB Info).
        var attributes = r.TdAttributes;
        if (r.Fault == DcapFault.DebugTd)
        {
            attributes |= 1UL;
        }
        if (r.Fault == DcapFault.SeptVeDisableMissing)
        {
            attributes &= ~(1UL << 28);
        }
        if (r.Fault == DcapFault.TdxModuleAttributesMismatch)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(s[112..], 0x01);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(s[120..], attributes);
        BinaryPrimitives.WriteUInt64LittleEndian(s[128..], r.Xfam);
        r.MrTd.Span.CopyTo(s[136..]);
        r.MrConfigId.Span.CopyTo(s[184..]);
        r.MrOwner.Span.CopyTo(s[232..]);
        r.MrOwnerConfig.Span.CopyTo(s[280..]);
        r.Rtmrs.Span.CopyTo(s[328..]);
        r.ReportData.Span.CopyTo(s[520..]);
        if (td15)
        {
            r.TeeTcbSvn.Span.CopyTo(s[584..]);
            if (r.Fault == DcapFault.MrServiceTdNonZero)
            {
                s.Slice(600, 48).Fill(0x5D);
            }
        }
        return body;
    }

    // ---------------------------------------------------------------- collateral JSON

    private static string TcbInfoJson(SimulatedQuoteRequest r, DateTimeOffset now)
    {
        var fault = r.Fault;
        var tdx = r.Tee == SimulatedTee.Tdx;
        var (issue, next) = DocumentWindow(now, fault, DcapFault.TcbInfoExpired, DcapFault.TcbInfoNotYetValid);
        var fmspc = r.Fmspc.ToArray();
        if (fault == DcapFault.TcbInfoWrongFmspc)
        {
            fmspc[^1] ^= 0x01;
        }
        var pceId = r.PceId.ToArray();
        if (fault == DcapFault.TcbInfoWrongPceId)
        {
            pceId[^1] ^= 0x01;
        }
        var cpuSvn = r.CpuSvn.ToArray();
        var tee = r.TeeTcbSvn.ToArray();
        // TCB Info v2 (PCS API v3): no "id", flat sgxtcbcompNNsvn fields, SGX only.
        var v2 = fault == DcapFault.TcbInfoWrongVersion;
        if (fault == DcapFault.TcbInfoMalformed)
        {
            return tdx ? "{\"id\":\"TDX\",\"version\":3}" : "{\"id\":\"SGX\",\"version\":3}";
        }
        return WriteJson(w =>
        {
            w.WriteStartObject();
            if (!v2)
            {
                w.WriteString("id", tdx ^ (fault == DcapFault.TcbInfoWrongId) ? "TDX" : "SGX");
            }
            w.WriteNumber("version", v2 ? 2 : fault == DcapFault.TcbInfoUnknownVersion ? 4 : 3);
            w.WriteString("issueDate", Date(issue));
            w.WriteString("nextUpdate", Date(next));
            w.WriteString("fmspc", Convert.ToHexString(fmspc));
            w.WriteString("pceId", Convert.ToHexString(pceId));
            w.WriteNumber("tcbType", fault == DcapFault.TcbInfoTcbTypeNonZero ? 1 : 0);
            w.WriteNumber("tcbEvaluationDataNumber", r.TcbEvaluationDataNumber);
            if (tdx && !v2)
            {
                var mrSignerSeam = fault == DcapFault.TdxModuleMrSignerMismatch ? new string('A', 96) : new string('0', 96);
                var (moduleAttributes, moduleMask) = fault == DcapFault.TdxModuleAttributesUnmasked
                    ? ("0100000000000000", "FEFFFFFFFFFFFFFF")
                    : ("0000000000000000", "FFFFFFFFFFFFFFFF");
                w.WriteStartObject("tdxModule");
                w.WriteString("mrsigner", mrSignerSeam);
                w.WriteString("attributes", moduleAttributes);
                w.WriteString("attributesMask", moduleMask);
                w.WriteEndObject();
                w.WriteStartArray("tdxModuleIdentities");
                w.WriteStartObject();
                var major = fault == DcapFault.TdxModuleIdentityMissing ? tee[1] + 1 : tee[1];
                w.WriteString("id", string.Create(CultureInfo.InvariantCulture, $"TDX_{major:X2}"));
                w.WriteString("mrsigner", mrSignerSeam);
                w.WriteString("attributes", moduleAttributes);
                w.WriteString("attributesMask", moduleMask);
                w.WriteStartArray("tcbLevels");
                if (fault == DcapFault.TdxModuleSvnBelowAllLevels)
                {
                    ModuleLevel(w, tee[0] + 2, now.AddDays(-10), "UpToDate");
                    ModuleLevel(w, tee[0] + 1, now.AddDays(-100), "OutOfDate");
                }
                else if (r.TdxModuleTcbStatus != "UpToDate")
                {
                    ModuleLevel(w, tee[0] + 1, now.AddDays(-10), "UpToDate");
                }
                if (fault != DcapFault.TdxModuleSvnBelowAllLevels)
                {
                    ModuleLevel(w, tee[0], now.AddDays(-100), r.TdxModuleTcbStatus);
                    if (tee[0] > 0)
                    {
                        ModuleLevel(w, 0, now.AddDays(-400), "OutOfDate");
                    }
                }
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
            }
            w.WriteStartArray("tcbLevels");
            if (fault == DcapFault.NoMatchingTcbLevel)
            {
                // Every level exceeds the platform in one SGX component.
                PlatformLevel(w, v2, Bump(cpuSvn, 0), r.PceSvn, tdx ? tee : null, now.AddDays(-10), "UpToDate", []);
                PlatformLevel(w, v2, Bump(cpuSvn, 1), r.PceSvn, tdx ? tee : null, now.AddDays(-100), "OutOfDate", []);
            }
            else
            {
                if (r.PlatformTcbStatus != "UpToDate")
                {
                    PlatformLevel(w, v2, Bump(cpuSvn, 0), r.PceSvn, tdx ? tee : null, now.AddDays(-10), "UpToDate", []);
                }
                PlatformLevel(w, v2, cpuSvn, r.PceSvn, tdx ? tee : null, now.AddDays(-100), r.PlatformTcbStatus, r.PlatformAdvisories);
                if (fault == DcapFault.TcbInfoDuplicateLevel)
                {
                    PlatformLevel(w, v2, cpuSvn, r.PceSvn, tdx ? tee : null, now.AddDays(-100), "Revoked", []);
                }
                // The oldest level, unless it is the platform's own (a TCB Info never lists a TCB twice).
                if (cpuSvn.AsSpan().ContainsAnyExcept((byte)0) || r.PceSvn != 0 || (tdx && tee.AsSpan().ContainsAnyExcept((byte)0)))
                {
                    PlatformLevel(w, v2, new byte[16], 0, tdx ? new byte[16] : null, now.AddDays(-400), "OutOfDate", ["INTEL-SA-00000"]);
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static string QeIdentityJson(SimulatedQuoteRequest r, DateTimeOffset now)
    {
        var fault = r.Fault;
        var tdx = r.Tee == SimulatedTee.Tdx;
        var (issue, next) = DocumentWindow(now, fault, DcapFault.QeIdentityExpired, DcapFault.QeIdentityNotYetValid);
        var mrSigner = r.QeMrSigner.ToArray();
        if (fault == DcapFault.QeIdentityWrongMrSigner)
        {
            mrSigner[0] ^= 0x01;
        }
        var prodId = r.QeIsvProdId ?? (tdx ? (ushort)2 : (ushort)1);
        if (fault == DcapFault.QeIdentityWrongIsvProdId)
        {
            prodId++;
        }
        return WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", tdx ^ (fault == DcapFault.QeIdentityWrongId) ? "TD_QE" : "QE");
            w.WriteNumber("version", fault == DcapFault.QeIdentityWrongVersion ? 1 : 2);
            w.WriteString("issueDate", Date(issue));
            w.WriteString("nextUpdate", Date(next));
            w.WriteNumber("tcbEvaluationDataNumber", r.TcbEvaluationDataNumber);
            // Both are the value's 4 bytes in report order (little-endian), as Intel PCS writes them.
            var misc = (r.QeMiscSelect & r.QeMiscSelectMask) ^ (fault == DcapFault.QeIdentityWrongMiscSelect ? 1u : 0u);
            w.WriteString("miscselect", LittleEndianHex(misc));
            w.WriteString("miscselectMask", LittleEndianHex(r.QeMiscSelectMask));
            // Masked ATTRIBUTES compare: the QE has 0x11 in FLAGS byte 0; 0x13 differs in bit 1 (DEBUG), which the mask keeps.
            w.WriteString("attributes", fault == DcapFault.QeIdentityWrongAttributes ? "13000000000000000000000000000000" : "11000000000000000000000000000000");
            w.WriteString("attributesMask", "FBFFFFFFFFFFFFFF0000000000000000");
            w.WriteString("mrsigner", Convert.ToHexString(mrSigner));
            w.WriteNumber("isvprodid", prodId);
            w.WriteStartArray("tcbLevels");
            var svn = r.QeIsvSvn;
            if (fault == DcapFault.QeIsvSvnBelowAllLevels)
            {
                QeLevel(w, svn + 2, now.AddDays(-10), "UpToDate", []);
                QeLevel(w, svn + 1, now.AddDays(-100), "OutOfDate", []);
            }
            else
            {
                var status = fault == DcapFault.QeIsvSvnRevoked ? "Revoked" : r.QeTcbStatus;
                if (status != "UpToDate")
                {
                    QeLevel(w, svn + 1, now.AddDays(-10), "UpToDate", []);
                }
                QeLevel(w, svn, now.AddDays(-100), status, r.QeAdvisories);
                if (fault == DcapFault.QeIdentityDuplicateLevel)
                {
                    QeLevel(w, svn, now.AddDays(-100), "Revoked", []);
                }
                if (svn > 0)
                {
                    QeLevel(w, 0, now.AddDays(-400), "OutOfDate", ["INTEL-SA-00000"]);
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void PlatformLevel(Utf8JsonWriter w, bool v2, byte[] sgx, int pceSvn, byte[]? tdx, DateTimeOffset date, string status, IReadOnlyList<string> advisories)
    {
        w.WriteStartObject();
        w.WriteStartObject("tcb");
        if (v2)
        {
            for (var i = 0; i < sgx.Length; i++)
            {
                w.WriteNumber(string.Create(CultureInfo.InvariantCulture, $"sgxtcbcomp{i + 1:D2}svn"), sgx[i]);
            }
            w.WriteNumber("pcesvn", pceSvn);
            w.WriteEndObject();
            w.WriteString("tcbDate", Date(date));
            w.WriteString("tcbStatus", status);
            WriteAdvisories(w, advisories);
            w.WriteEndObject();
            return;
        }
        w.WriteStartArray("sgxtcbcomponents");
        foreach (var svn in sgx)
        {
            w.WriteStartObject();
            w.WriteNumber("svn", svn);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("pcesvn", pceSvn);
        if (tdx is not null)
        {
            w.WriteStartArray("tdxtcbcomponents");
            foreach (var svn in tdx)
            {
                w.WriteStartObject();
                w.WriteNumber("svn", svn);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteString("tcbDate", Date(date));
        w.WriteString("tcbStatus", status);
        WriteAdvisories(w, advisories);
        w.WriteEndObject();
    }

    private static void QeLevel(Utf8JsonWriter w, int isvSvn, DateTimeOffset date, string status, IReadOnlyList<string> advisories)
    {
        w.WriteStartObject();
        w.WriteStartObject("tcb");
        w.WriteNumber("isvsvn", isvSvn);
        w.WriteEndObject();
        w.WriteString("tcbDate", Date(date));
        w.WriteString("tcbStatus", status);
        WriteAdvisories(w, advisories);
        w.WriteEndObject();
    }

    private static void ModuleLevel(Utf8JsonWriter w, int isvSvn, DateTimeOffset date, string status) => QeLevel(w, isvSvn, date, status, []);

    private static void WriteAdvisories(Utf8JsonWriter w, IReadOnlyList<string> advisories)
    {
        if (advisories.Count == 0)
        {
            return;
        }
        w.WriteStartArray("advisoryIDs");
        foreach (var id in advisories)
        {
            w.WriteStringValue(id);
        }
        w.WriteEndArray();
    }

    // dcap-qvl QuoteCollateralV3 (vectors SOURCES.md §1.2), written the same way the PCS client writes it.
    private static string CollateralJson(
        string pckCrlIssuerChain, byte[] rootCrl, byte[] pckCrl, string tcbSigningChain,
        string tcbInfo, byte[] tcbInfoSignature, string qeSigningChain, string qeIdentity, byte[] qeIdentitySignature) =>
        new Pcs.PcsCollateral
        {
            PckCrlIssuerChain = pckCrlIssuerChain,
            RootCaCrl = rootCrl,
            PckCrl = pckCrl,
            TcbInfoIssuerChain = tcbSigningChain,
            TcbInfo = tcbInfo,
            TcbInfoSignature = tcbInfoSignature,
            QeIdentityIssuerChain = qeSigningChain,
            QeIdentity = qeIdentity,
            QeIdentitySignature = qeIdentitySignature,
        }.ToQvlJson();

    private static string WriteJson(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    // ---------------------------------------------------------------- PKI

    private static X500DistinguishedName Name(string commonName)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCountryOrRegion("ZZ");
        builder.AddLocalityName("Nowhere");
        builder.AddOrganizationName(TestOrganization);
        builder.AddCommonName(commonName);
        return builder.Build();
    }

    private readonly record struct Validity(DateTimeOffset NotBefore, DateTimeOffset NotAfter);

    private static Validity Window(DateTimeOffset now, DcapFault fault, DcapFault expired, DcapFault notYetValid, int years)
    {
        if (fault == expired && expired != DcapFault.None)
        {
            return new Validity(now.AddYears(-years), now.AddDays(-1));
        }
        if (fault == notYetValid && notYetValid != DcapFault.None)
        {
            return new Validity(now.AddDays(1), now.AddYears(years));
        }
        return new Validity(now.AddDays(-30), now.AddYears(years));
    }

    private static (DateTimeOffset Issue, DateTimeOffset Next) DocumentWindow(DateTimeOffset now, DcapFault fault, DcapFault expired, DcapFault notYetValid)
    {
        if (fault == expired)
        {
            return (now.AddDays(-31), now.AddDays(-1));
        }
        if (fault == notYetValid)
        {
            return (now.AddHours(1), now.AddDays(30));
        }
        return (now.AddHours(-1), now.AddDays(30));
    }

    private static X509Certificate2 SelfSignedRoot(ECDsa key, Validity validity, byte[] serial)
    {
        var request = new CertificateRequest(RootName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
        request.CertificateExtensions.Add(ski);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));
        return request.Create(RootName, X509SignatureGenerator.CreateForECDsa(key), validity.NotBefore, validity.NotAfter, serial);
    }

    private static X509Certificate2 Issue(
        X500DistinguishedName subject, ECDsa subjectKey, X500DistinguishedName issuer, ECDsa issuerKey,
        X509SubjectKeyIdentifierExtension issuerSki, Validity validity, byte[] serial, IEnumerable<X509Extension> extensions)
    {
        var request = new CertificateRequest(subject, subjectKey, HashAlgorithmName.SHA256);
        foreach (var extension in extensions)
        {
            request.CertificateExtensions.Add(extension);
        }
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(issuerSki));
        return request.Create(issuer, X509SignatureGenerator.CreateForECDsa(issuerKey), validity.NotBefore, validity.NotAfter, serial);
    }

    private static X509Extension[] TcbSignerExtensions() =>
        [new X509BasicConstraintsExtension(false, false, 0, true), new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true)];

    /// <summary>A critical extension under an OID no one assigns (2.25 UUID arc), value NULL.</summary>
    private static X509Extension UnknownCriticalExtension() => new("2.25.1234567890", [0x05, 0x00], critical: true);

    /// <summary>
    /// A CRL without one of its extensions (CRL Number 2.5.29.20 or Authority Key Identifier
    /// 2.5.29.35), which <see cref="CertificateRevocationListBuilder"/> always writes: the
    /// TBSCertList (RFC 5280 5.1) is encoded here and signed with <paramref name="key"/>.
    /// </summary>
    private static byte[] BuildCrlWithout(
        string missingOid, X500DistinguishedName issuer, ECDsa key, X509SubjectKeyIdentifierExtension issuerSki,
        List<byte[]> revokedSerials, DateTimeOffset now, DcapFault fault)
    {
        var (thisUpdate, nextUpdate) = DocumentWindow(now, fault, DcapFault.None, DcapFault.None);
        var algorithm = new AsnWriter(AsnEncodingRules.DER);
        using (algorithm.PushSequence())
        {
            algorithm.WriteObjectIdentifier("1.2.840.10045.4.3.2");
        }
        var tbs = new AsnWriter(AsnEncodingRules.DER);
        using (tbs.PushSequence())
        {
            tbs.WriteInteger(1);
            tbs.WriteEncodedValue(algorithm.Encode());
            tbs.WriteEncodedValue(issuer.RawData);
            tbs.WriteUtcTime(thisUpdate);
            tbs.WriteUtcTime(nextUpdate);
            using (tbs.PushSequence())
            {
                foreach (var serial in revokedSerials)
                {
                    using (tbs.PushSequence())
                    {
                        tbs.WriteInteger(serial);
                        tbs.WriteUtcTime(now.AddDays(-2));
                    }
                }
            }
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
            using (tbs.PushSequence())
            {
                if (missingOid != "2.5.29.20")
                {
                    var number = new AsnWriter(AsnEncodingRules.DER);
                    number.WriteInteger(1);
                    using (tbs.PushSequence())
                    {
                        tbs.WriteObjectIdentifier("2.5.29.20");
                        tbs.WriteOctetString(number.Encode());
                    }
                }
                if (missingOid != "2.5.29.35")
                {
                    var aki = new AsnWriter(AsnEncodingRules.DER);
                    using (aki.PushSequence())
                    {
                        aki.WriteOctetString(Convert.FromHexString(issuerSki.SubjectKeyIdentifier!), new Asn1Tag(TagClass.ContextSpecific, 0));
                    }
                    using (tbs.PushSequence())
                    {
                        tbs.WriteObjectIdentifier("2.5.29.35");
                        tbs.WriteOctetString(aki.Encode());
                    }
                }
            }
        }
        var tbsBytes = tbs.Encode();
        var crl = new AsnWriter(AsnEncodingRules.DER);
        using (crl.PushSequence())
        {
            crl.WriteEncodedValue(tbsBytes);
            crl.WriteEncodedValue(algorithm.Encode());
            crl.WriteBitString(key.SignData(tbsBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }
        return crl.Encode();
    }

    private static string LittleEndianHex(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Convert.ToHexString(bytes);
    }

    private static X509SubjectKeyIdentifierExtension SubjectKeyId(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single();

    private static byte[] BuildCrl(
        X500DistinguishedName issuer, ECDsa key, X509SubjectKeyIdentifierExtension issuerSki, List<byte[]> revokedSerials,
        DateTimeOffset now, DcapFault expired, DcapFault notYetValid, DcapFault fault)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var serial in revokedSerials)
        {
            builder.AddEntry(serial, now.AddDays(-2));
        }
        var (thisUpdate, nextUpdate) = DocumentWindow(now, fault, expired, notYetValid);
        return builder.Build(
            issuer, X509SignatureGenerator.CreateForECDsa(key), BigInteger.One, nextUpdate, HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(issuerSki), thisUpdate);
    }

    /// <summary>A positive 16-byte serial number derived from a label (big-endian, as DER stores it).</summary>
    private static byte[] Serial(string label)
    {
        var serial = SHA256.HashData(Encoding.UTF8.GetBytes("citrine-sim-serial/" + label))[..16];
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }

    private static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    // ---------------------------------------------------------------- small encoders

    private static byte[] SignRaw(ECDsa key, byte[] data) => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private static byte[] RawPublicKey(ECDsa key)
    {
        var parameters = key.ExportParameters(false);
        var raw = new byte[64];
        parameters.Q.X!.CopyTo(raw, 0);
        parameters.Q.Y!.CopyTo(raw, 32);
        return raw;
    }

    private static byte[] Bump(byte[] components, int index)
    {
        var copy = (byte[])components.Clone();
        copy[index] = (byte)Math.Min(copy[index] + 1, 255);
        return copy;
    }

    private static byte[] U16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, checked((ushort)value));
        return bytes;
    }

    private static byte[] U32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, checked((uint)value));
        return bytes;
    }

    private static string Date(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
