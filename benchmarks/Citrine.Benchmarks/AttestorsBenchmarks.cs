using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Citrine.Attestation.Attestors;
using Citrine.Attestation.Testing;

namespace Citrine.Benchmarks;

/// <summary>
/// The simulated DCAP attestor: one quote with its whole test PKI and collateral (certificates,
/// CRLs, TCB Info, QE Identity, QE report, quote), beside its floor: the ten ECDSA P-256
/// signatures it cannot avoid (4 certificates, 2 CRLs, 2 documents, QE report, quote), timed
/// alone with the same key type. Mock attestation is timed for scale.
/// </summary>
[MemoryDiagnoser]
public class AttestorsBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly byte[] _reportData = new byte[64];
    private readonly byte[] _payload = new byte[632];
    private TestPkiKeys _keys = null!;
    private DcapSimulator _simulator = null!;
    private MockAttestor _mock = null!;

    [GlobalSetup]
    public void Setup()
    {
        _keys = TestPkiKeys.FromSeed("benchmarks"u8);
        _simulator = new DcapSimulator(_keys);
        _mock = new MockAttestor(new byte[32]);
    }

    [GlobalCleanup]
    public void Cleanup() => _keys.Dispose();

    [Benchmark(Description = "simulated SGX v3 quote + PKI + collateral")]
    public int SimulateSgx() => _simulator.Generate(new SimulatedQuoteRequest { Now = Now, ReportData = _reportData }).Quote.Length;

    [Benchmark(Description = "simulated TDX v4 quote + PKI + collateral")]
    public int SimulateTdx() => _simulator.Generate(new SimulatedQuoteRequest { Now = Now, Tee = SimulatedTee.Tdx, QuoteVersion = 4, ReportData = _reportData }).Quote.Length;

    [Benchmark(Baseline = true, Description = "floor: 10 ECDSA P-256 signatures")]
    public int TenSignatures()
    {
        var total = 0;
        for (var i = 0; i < 10; i++)
        {
            total += _keys.Attestation.SignData(_payload, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation).Length;
        }
        return total;
    }

    [Benchmark(Description = "mock attestation (insecure)")]
    public int Mock() => _mock.AttestAsync(_reportData).GetAwaiter().GetResult().Quote.Length;
}
