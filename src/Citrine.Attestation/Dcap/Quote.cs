using System.Buffers.Binary;

namespace Citrine.Attestation.Dcap;

/// <summary>TEE type field of the quote header (Intel DCAP quote layouts, appendix A).</summary>
public enum TeeType : uint
{
    Sgx = 0x00000000,
    Tdx = 0x00000081,
}

/// <summary>Which report body a quote carries.</summary>
public enum ReportBodyType : ushort
{
    /// <summary>SGX enclave report body, 384 bytes (v5 body type 1).</summary>
    Sgx = 1,

    /// <summary>TDX 1.0 TD report body, 584 bytes (v5 body type 2).</summary>
    Td10 = 2,

    /// <summary>TDX 1.5 TD report body, 648 bytes (v5 body type 3).</summary>
    Td15 = 3,
}

/// <summary>The 48-byte quote header.</summary>
public sealed record QuoteHeader(
    ushort Version,
    ushort AttestationKeyType,
    TeeType TeeType,
    ushort QeSvn,
    ushort PceSvn,
    byte[] QeVendorId,
    byte[] UserData)
{
    public const int Size = 48;

    /// <summary>Attestation key type 2: ECDSA-256 with P-256 curve.</summary>
    public const ushort EcdsaP256 = 2;

    /// <summary>QE vendor id of the Intel QE: 939A7233-F79C-4CA9-940A-0DB3957F0607.</summary>
    public static ReadOnlySpan<byte> IntelQeVendorId =>
        [0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C, 0x4C, 0xA9, 0x94, 0x0A, 0x0D, 0xB3, 0x95, 0x7F, 0x06, 0x07];
}

/// <summary>
/// The 384-byte SGX report body (SGX ECDSA Quote Library API, table "Enclave Report Body"):
/// used as the report of an SGX enclave quote and as the QE report in every quote.
/// </summary>
public sealed record SgxReportBody(
    byte[] CpuSvn,
    uint MiscSelect,
    byte[] IsvExtProdId,
    byte[] Attributes,
    byte[] MrEnclave,
    byte[] MrSigner,
    byte[] ConfigId,
    ushort IsvProdId,
    ushort IsvSvn,
    ushort ConfigSvn,
    byte[] IsvFamilyId,
    byte[] ReportData)
{
    public const int Size = 384;

    /// <summary>ATTRIBUTES.DEBUG is bit 1 of the first attributes byte (SGX SDM, SECS.ATTRIBUTES).</summary>
    public bool IsDebug => (Attributes[0] & 0x02) != 0;

    internal static SgxReportBody Read(ref QuoteReader r)
    {
        var cpuSvn = r.Bytes(16, "report.cpusvn").ToArray();
        var misc = r.U32("report.miscselect");
        r.Bytes(12, "report.reserved1");
        var extProd = r.Bytes(16, "report.isvextprodid").ToArray();
        var attributes = r.Bytes(16, "report.attributes").ToArray();
        var mrEnclave = r.Bytes(32, "report.mrenclave").ToArray();
        r.Bytes(32, "report.reserved2");
        var mrSigner = r.Bytes(32, "report.mrsigner").ToArray();
        r.Bytes(32, "report.reserved3");
        var configId = r.Bytes(64, "report.configid").ToArray();
        var prodId = r.U16("report.isvprodid");
        var isvSvn = r.U16("report.isvsvn");
        var configSvn = r.U16("report.configsvn");
        r.Bytes(42, "report.reserved4");
        var family = r.Bytes(16, "report.isvfamilyid").ToArray();
        var reportData = r.Bytes(64, "report.reportdata").ToArray();
        return new SgxReportBody(cpuSvn, misc, extProd, attributes, mrEnclave, mrSigner, configId, prodId, isvSvn, configSvn, family, reportData);
    }
}

/// <summary>
/// The TD report body (TDX DCAP Quoting Library API, appendix A): 584 bytes for TDX 1.0,
/// 648 bytes for TDX 1.5 (adds TEE_TCB_SVN_2 and MR_SERVICETD).
/// </summary>
public sealed record TdReportBody(
    byte[] TeeTcbSvn,
    byte[] MrSeam,
    byte[] MrSignerSeam,
    byte[] SeamAttributes,
    byte[] TdAttributes,
    byte[] Xfam,
    byte[] MrTd,
    byte[] MrConfigId,
    byte[] MrOwner,
    byte[] MrOwnerConfig,
    byte[][] Rtmrs,
    byte[] ReportData,
    byte[]? TeeTcbSvn2,
    byte[]? MrServiceTd)
{
    public const int Td10Size = 584;
    public const int Td15Size = 648;

    /// <summary>TD_ATTRIBUTES as a little-endian 64-bit value.</summary>
    public ulong TdAttributesValue => BinaryPrimitives.ReadUInt64LittleEndian(TdAttributes);

    /// <summary>TUD.DEBUG: bit 0 of TD_ATTRIBUTES (TDX module spec, TD attributes table).</summary>
    public bool IsDebug => (TdAttributesValue & 1UL) != 0;

    internal static TdReportBody Read(ref QuoteReader r, bool td15)
    {
        var teeTcbSvn = r.Bytes(16, "td.tee_tcb_svn").ToArray();
        var mrSeam = r.Bytes(48, "td.mrseam").ToArray();
        var mrSignerSeam = r.Bytes(48, "td.mrsignerseam").ToArray();
        var seamAttributes = r.Bytes(8, "td.seam_attributes").ToArray();
        var tdAttributes = r.Bytes(8, "td.td_attributes").ToArray();
        var xfam = r.Bytes(8, "td.xfam").ToArray();
        var mrTd = r.Bytes(48, "td.mrtd").ToArray();
        var mrConfigId = r.Bytes(48, "td.mrconfigid").ToArray();
        var mrOwner = r.Bytes(48, "td.mrowner").ToArray();
        var mrOwnerConfig = r.Bytes(48, "td.mrownerconfig").ToArray();
        var rtmrs = new byte[4][];
        for (var i = 0; i < 4; i++)
        {
            rtmrs[i] = r.Bytes(48, "td.rtmr" + i).ToArray();
        }
        var reportData = r.Bytes(64, "td.reportdata").ToArray();
        byte[]? svn2 = null;
        byte[]? serviceTd = null;
        if (td15)
        {
            svn2 = r.Bytes(16, "td.tee_tcb_svn2").ToArray();
            serviceTd = r.Bytes(48, "td.mrservicetd").ToArray();
        }
        return new TdReportBody(teeTcbSvn, mrSeam, mrSignerSeam, seamAttributes, tdAttributes, xfam, mrTd, mrConfigId, mrOwner, mrOwnerConfig, rtmrs, reportData, svn2, serviceTd);
    }
}

/// <summary>Certification data: a type and its bytes (type 5 = PEM PCK chain, type 6 = QE report certification data).</summary>
public sealed record CertificationData(ushort Type, byte[] Data)
{
    public const ushort PckCertChain = 5;
    public const ushort QeReportCertificationData = 6;
}

/// <summary>
/// A parsed ECDSA-256 DCAP quote (v3, v4 or v5). Byte arrays are copies owned by this object.
/// </summary>
public sealed class Quote
{
    internal Quote(
        QuoteHeader header,
        ReportBodyType bodyType,
        SgxReportBody? sgxBody,
        TdReportBody? tdBody,
        byte[] signedBytes,
        byte[] signature,
        byte[] attestationKey,
        byte[] qeReportBytes,
        SgxReportBody qeReport,
        byte[] qeReportSignature,
        byte[] qeAuthenticationData,
        CertificationData certificationData,
        byte[] pckChainPem,
        int length,
        int trailingByteCount)
    {
        Header = header;
        BodyType = bodyType;
        SgxBody = sgxBody;
        TdBody = tdBody;
        SignedBytes = signedBytes;
        Signature = signature;
        AttestationKey = attestationKey;
        QeReportBytes = qeReportBytes;
        QeReport = qeReport;
        QeReportSignature = qeReportSignature;
        QeAuthenticationData = qeAuthenticationData;
        CertificationData = certificationData;
        PckChainPem = pckChainPem;
        Length = length;
        TrailingByteCount = trailingByteCount;
    }

    public QuoteHeader Header { get; }

    public ushort Version => Header.Version;

    public TeeType TeeType => Header.TeeType;

    public ReportBodyType BodyType { get; }

    /// <summary>The enclave report body (SGX quotes), else null.</summary>
    public SgxReportBody? SgxBody { get; }

    /// <summary>The TD report body (TDX quotes), else null.</summary>
    public TdReportBody? TdBody { get; }

    /// <summary>Header and body (for v5 including body type and size): the bytes the attestation key signs.</summary>
    public byte[] SignedBytes { get; }

    /// <summary>ECDSA P-256 signature over <see cref="SignedBytes"/>, raw r||s (64 bytes).</summary>
    public byte[] Signature { get; }

    /// <summary>Attestation public key, raw x||y (64 bytes).</summary>
    public byte[] AttestationKey { get; }

    /// <summary>The raw 384-byte QE report: the bytes the PCK key signs.</summary>
    public byte[] QeReportBytes { get; }

    public SgxReportBody QeReport { get; }

    /// <summary>ECDSA P-256 signature of the QE report by the PCK key, raw r||s.</summary>
    public byte[] QeReportSignature { get; }

    public byte[] QeAuthenticationData { get; }

    /// <summary>The outer certification data as it appears in the quote (type 5 in v3, type 6 in v4/v5).</summary>
    public CertificationData CertificationData { get; }

    /// <summary>The PEM PCK certificate chain (leaf, intermediate CA, root) from the type-5 data.</summary>
    public byte[] PckChainPem { get; }

    /// <summary>Bytes consumed by the quote structure (header through certification data).</summary>
    public int Length { get; }

    /// <summary>
    /// Bytes found after the signature data. They are not covered by any signature and are
    /// ignored (real quote buffers are padded with zeros); the count is kept for inspection.
    /// </summary>
    public int TrailingByteCount { get; }

    /// <summary>Report data of the attested enclave or TD (64 bytes).</summary>
    public byte[] ReportData => SgxBody?.ReportData ?? TdBody!.ReportData;
}
