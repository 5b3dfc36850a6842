using Citrine.Attestation.Testing;

namespace Citrine.Attestation.Tests.Testing;

/// <summary>One deterministic test PKI shared by the tests (key derivation is the slow part).</summary>
internal static class SimulatedPki
{
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<TestPkiKeys> LazyKeys = new(() => TestPkiKeys.FromSeed("citrine-tests"u8));

    public static TestPkiKeys Keys => LazyKeys.Value;

    public static DcapSimulator Simulator { get; } = new(LazyKeys.Value);

    public static SimulatedDcapEvidence Sgx(DcapFault fault = DcapFault.None, int version = 3) =>
        Simulator.Generate(new SimulatedQuoteRequest { Now = Now, Tee = SimulatedTee.Sgx, QuoteVersion = version, Fault = fault });

    public static SimulatedDcapEvidence Tdx(DcapFault fault = DcapFault.None, int version = 4, SimulatedTdReport body = SimulatedTdReport.Td10) =>
        Simulator.Generate(new SimulatedQuoteRequest { Now = Now, Tee = SimulatedTee.Tdx, QuoteVersion = version, TdReport = body, Fault = fault });

    public static byte[] ReportData(byte fill)
    {
        var data = new byte[64];
        Array.Fill(data, fill);
        return data;
    }
}
