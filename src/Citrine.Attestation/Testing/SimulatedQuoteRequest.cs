namespace Citrine.Attestation.Testing;

/// <summary>TEST/SIMULATION ONLY. The TEE whose quote is simulated.</summary>
public enum SimulatedTee
{
    Sgx,
    Tdx,
}

/// <summary>TEST/SIMULATION ONLY. The TD report layout for TDX quotes (v5 only distinguishes them on the wire).</summary>
public enum SimulatedTdReport
{
    /// <summary>TD 1.0 report, 584 bytes.</summary>
    Td10,

    /// <summary>TD 1.5 report, 648 bytes (adds TEE_TCB_SVN2 and MR_SERVICETD); quote v5 only.</summary>
    Td15,
}

/// <summary>
/// TEST/SIMULATION ONLY. What <see cref="DcapSimulator"/> should produce: the quote's report body,
/// the simulated platform (FMSPC, PCE, TCB), the TCB statuses the collateral assigns, the
/// verification time, and at most one <see cref="DcapFault"/>.
/// </summary>
public sealed class SimulatedQuoteRequest
{
    /// <summary>Verification time; every validity window is placed around it.</summary>
    public required DateTimeOffset Now { get; init; }

    public SimulatedTee Tee { get; init; } = SimulatedTee.Sgx;

    /// <summary>3 (SGX only), 4 or 5.</summary>
    public int QuoteVersion { get; init; } = 3;

    public SimulatedTdReport TdReport { get; init; } = SimulatedTdReport.Td10;

    /// <summary>The 64 bytes bound into the report body.</summary>
    public ReadOnlyMemory<byte> ReportData { get; init; } = new byte[64];

    /// <summary>
    /// When set, used verbatim as the report body (384 bytes SGX, 584 TD10, 648 TD15) instead of
    /// building one from the fields below; <see cref="ReportData"/> and body faults are then ignored.
    /// </summary>
    public ReadOnlyMemory<byte>? ReportBodyOverride { get; init; }

    public DcapFault Fault { get; init; } = DcapFault.None;

    public SimulatedPckCaKind PckCa { get; init; } = SimulatedPckCaKind.Processor;

    // ---- SGX enclave report body ----
    public ReadOnlyMemory<byte> MrEnclave { get; init; } = Filled(32, 0xE1);

    public ReadOnlyMemory<byte> MrSigner { get; init; } = Filled(32, 0x51);

    public ushort IsvProdId { get; init; }

    public ushort IsvSvn { get; init; } = 1;

    public uint MiscSelect { get; init; }

    /// <summary>SGX ATTRIBUTES.FLAGS: INIT | MODE64BIT by default (DEBUG is bit 1).</summary>
    public ulong SgxAttributeFlags { get; init; } = 0x05;

    public ulong Xfrm { get; init; } = 0x03;

    // ---- TD report body ----
    public ReadOnlyMemory<byte> MrTd { get; init; } = Filled(48, 0x7D);

    public ReadOnlyMemory<byte> MrConfigId { get; init; } = new byte[48];

    public ReadOnlyMemory<byte> MrOwner { get; init; } = new byte[48];

    public ReadOnlyMemory<byte> MrOwnerConfig { get; init; } = new byte[48];

    /// <summary>RTMR0..3 concatenated (4 x 48 bytes).</summary>
    public ReadOnlyMemory<byte> Rtmrs { get; init; } = new byte[192];

    public ReadOnlyMemory<byte> MrSeam { get; init; } = Filled(48, 0x5E);

    /// <summary>TD ATTRIBUTES: SEPT_VE_DISABLE (bit 28) set, DEBUG (bit 0) clear by default.</summary>
    public ulong TdAttributes { get; init; } = 1UL << 28;

    public ulong Xfam { get; init; } = 0x00000000000642E7;

    /// <summary>TEE_TCB_SVN: [0] = TDX module SVN, [1] = module major version (selects "TDX_%02X").</summary>
    public ReadOnlyMemory<byte> TeeTcbSvn { get; init; } = new byte[] { 3, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

    // ---- Platform (PCK certificate) ----
    public ReadOnlyMemory<byte> Fmspc { get; init; } = new byte[] { 0x00, 0xC1, 0x7E, 0x51, 0x00, 0x00 };

    public ReadOnlyMemory<byte> PceId { get; init; } = new byte[2];

    /// <summary>The 16 CPUSVN components in the PCK certificate.</summary>
    public ReadOnlyMemory<byte> CpuSvn { get; init; } = new byte[] { 4, 4, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0 };

    public ushort PceSvn { get; init; } = 13;

    // ---- Quoting enclave ----
    public ushort QeIsvSvn { get; init; } = 8;

    /// <summary>QE ISVPRODID; null means 1 for the SGX QE and 2 for the TD QE.</summary>
    public ushort? QeIsvProdId { get; init; }

    public ReadOnlyMemory<byte> QeMrSigner { get; init; } = Filled(32, 0x8C);

    /// <summary>The QE report's MISCSELECT; the QE Identity expects it (under <see cref="QeMiscSelectMask"/>).</summary>
    public uint QeMiscSelect { get; init; }

    /// <summary>The QE Identity's miscselectMask (written, like miscselect, as the value's bytes in report order).</summary>
    public uint QeMiscSelectMask { get; init; } = 0xFFFFFFFF;

    /// <summary>QE authentication data hashed into the QE report data.</summary>
    public ReadOnlyMemory<byte> QeAuthData { get; init; } = Sequence(32);

    // ---- Statuses the collateral assigns ----
    public string PlatformTcbStatus { get; init; } = "UpToDate";

    public IReadOnlyList<string> PlatformAdvisories { get; init; } = [];

    public string QeTcbStatus { get; init; } = "UpToDate";

    public IReadOnlyList<string> QeAdvisories { get; init; } = [];

    public string TdxModuleTcbStatus { get; init; } = "UpToDate";

    public int TcbEvaluationDataNumber { get; init; } = 17;

    private static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, value);
        return bytes;
    }

    private static byte[] Sequence(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)i;
        }
        return bytes;
    }
}
