using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Testing;
using Citrine.Chain.App;
using Citrine.Chain.Attestation;
using Citrine.Chain.Contracts;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.CometBft.Types;

namespace Citrine.Benchmarks;

/// <summary>
/// A contract's quote verification (<see cref="RegistryQuoteVerifier"/>, what
/// <c>IContractContext.Attestation.VerifyQuote</c> runs) over an in-memory registry holding
/// simulated-DCAP collateral uploaded through <see cref="CollateralRegistry.Apply"/>, beside its
/// floor: the three P-256 verifications a quote of a new platform cannot avoid (PCK leaf by its
/// CA, QE report by the PCK key, quote by the attestation key), timed alone on the same bytes with
/// keys already imported. "Node" is the contract host's configuration (its shared
/// <see cref="VerifiedCollateralCache"/>, warm); "no cache" re-verifies the stored collateral too.
/// </summary>
[MemoryDiagnoser]
public class ContractAttestationBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private readonly QuotePolicy _policy = new();
    private readonly VerifiedCollateralCache _cache = new();
    private MultiStoreState _state = null!;
    private GenesisAttestation _root = null!;
    private BlockContext _block = null!;
    private byte[] _sgx = [];
    private byte[] _tdx = [];
    private Floor _sgxFloor = null!;
    private Floor _tdxFloor = null!;

    private sealed record Floor(DcapCertificate Leaf, byte[] CaKey, Quote Quote);

    [GlobalSetup]
    public void Setup()
    {
        using var keys = TestPkiKeys.FromSeed("citrine-benchmarks"u8);
        var simulator = new DcapSimulator(keys);
        var sgx = simulator.Generate(new SimulatedQuoteRequest { Now = Now });
        var tdx = simulator.Generate(new SimulatedQuoteRequest { Now = Now, Tee = SimulatedTee.Tdx, QuoteVersion = 4 });
        var q = keys.Root.ExportParameters(false).Q;
        _root = GenesisAttestation.Simulated([.. q.X!, .. q.Y!]);
        _block = new BlockContext(2, new Timestamp(Now.ToUnixTimeSeconds(), 0), "citrine-bench");
        _state = MultiStoreState.InMemory(ChainApp.StoreNames);
        var branch = new StateBranch(_state, new GasMeter(long.MaxValue));
        CollateralRegistry.InitGenesis(branch, _root);
        void Upload(CollateralKind kind, byte[] document, string chain) =>
            CollateralRegistry.Apply(branch, _root, new MsgRegistryUpdate(new byte[20], (uint)kind, document, System.Text.Encoding.ASCII.GetBytes(chain)), _block, []);
        Upload(CollateralKind.RootCaCrl, sgx.RootCrlDer, PemEncoding.WriteString("CERTIFICATE", sgx.RootCertificateDer));
        Upload(CollateralKind.ProcessorCrl, sgx.PckCrlDer, sgx.PckCrlIssuerChainPem);
        foreach (var e in new[] { sgx, tdx })
        {
            Upload(CollateralKind.TcbInfo, System.Text.Encoding.UTF8.GetBytes(e.TcbInfoPcsJson), e.TcbSigningChainPem);
            Upload(CollateralKind.QeIdentity, System.Text.Encoding.UTF8.GetBytes(e.QeIdentityPcsJson), e.QeIdentitySigningChainPem);
        }
        branch.Write();
        _sgx = sgx.Quote;
        _tdx = tdx.Quote;
        _sgxFloor = FloorOf(sgx);
        _tdxFloor = FloorOf(tdx);
        if (!SgxNode() || !TdxNode() || !SgxNoCache() || !TdxNoCache() || !SgxFloor() || !TdxFloor())
        {
            throw new InvalidOperationException("the simulated quotes do not verify against the registry");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _state.Dispose();

    private static Floor FloorOf(SimulatedDcapEvidence e) =>
        new(DcapCertificate.Parse(e.PckLeafCertificateDer), DcapCertificate.Parse(e.PckCaCertificateDer).PublicKey, QuoteParser.Parse(e.Quote));

    private bool Verify(byte[] quote, VerifiedCollateralCache? cache) =>
        new RegistryQuoteVerifier(new StateBranch(_state, new GasMeter(long.MaxValue)), _root, _block, cache).VerifyQuote(quote, _policy).Accepted;

    private static bool Signatures(Floor f) =>
        f.Leaf.IsSignedBy(f.CaKey)
        && EcdsaP256.VerifyRaw(f.Leaf.PublicKey, f.Quote.QeReportBytes, f.Quote.QeReportSignature)
        && EcdsaP256.VerifyRaw(f.Quote.AttestationKey, f.Quote.SignedBytes, f.Quote.Signature);

    [Benchmark(Baseline = true, Description = "SGX v3: contract quote verification, node (shared cache, warm)")]
    public bool SgxNode() => Verify(_sgx, _cache);

    [Benchmark(Description = "SGX v3: contract quote verification, no cache (stored collateral re-verified)")]
    public bool SgxNoCache() => Verify(_sgx, null);

    [Benchmark(Description = "SGX v3 floor: its 3 ECDSA-P256 verifications alone")]
    public bool SgxFloor() => Signatures(_sgxFloor);

    [Benchmark(Description = "TDX v4: contract quote verification, node (shared cache, warm)")]
    public bool TdxNode() => Verify(_tdx, _cache);

    [Benchmark(Description = "TDX v4: contract quote verification, no cache (stored collateral re-verified)")]
    public bool TdxNoCache() => Verify(_tdx, null);

    [Benchmark(Description = "TDX v4 floor: its 3 ECDSA-P256 verifications alone")]
    public bool TdxFloor() => Signatures(_tdxFloor);
}
