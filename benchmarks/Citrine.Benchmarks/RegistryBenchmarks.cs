using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Dcap.Verification;

namespace Citrine.Benchmarks;

/// <summary>
/// The attestation registry's upload verification of Intel's TCB Info (FMSPC 00606a000000,
/// automata 2025-08 vectors) at a block time inside its validity, beside its floor: the two
/// P-256 verifications it cannot avoid (the TCB signing certificate by the root, the document by
/// the signer), timed alone on the same bytes with keys already imported.
/// </summary>
[MemoryDiagnoser]
public class RegistryBenchmarks
{
    private static readonly DateTimeOffset BlockTime = new(2025, 8, 20, 0, 0, 0, TimeSpan.Zero);
    private byte[] _tcbInfo = [];
    private byte[] _chain = [];
    private Crl _rootCrl = null!;
    private DcapCertificate _signer = null!;
    private SignedDocument _signed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = DcapBenchmarks.VectorsRoot() ?? throw new InvalidOperationException("DCAP vectors not found (set CITRINE_VECTORS)");
        var assets = Path.Combine(root, "dcap", "automata-dcap-attestation", "evm-assets-0825");
        var certs = Path.Combine(root, "dcap", "automata-dcap-attestation", "solana-tests-data");
        _tcbInfo = File.ReadAllBytes(Path.Combine(assets, "sgx_tcbinfov3_00606a000000.json"));
        var signerDer = File.ReadAllBytes(Path.Combine(certs, "signing.der"));
        _chain = System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", signerDer) + "\n" + PemEncoding.WriteString("CERTIFICATE", File.ReadAllBytes(Path.Combine(certs, "root.der"))) + "\n");
        _rootCrl = Crl.Parse(File.ReadAllBytes(Path.Combine(certs, "intel_root_ca_crl.der")));
        _signer = DcapCertificate.Parse(signerDer);
        _signed = SignedDocument.FromPcsResponse(_tcbInfo, "tcbInfo");
        if (!Upload() || !Floor())
        {
            throw new InvalidOperationException("the vector TCB Info does not verify");
        }
    }

    [Benchmark(Baseline = true, Description = "registry upload verification of a TCB Info (parse + chain + roles + revocation + signature)")]
    public bool Upload() =>
        CollateralUpdateVerifier.Verify(CollateralKind.TcbInfo, _tcbInfo, _chain, _rootCrl, BlockTime, TrustAnchor.IntelSgxRootCa).IsVerified;

    [Benchmark(Description = "floor: its 2 ECDSA-P256 verifications alone")]
    public bool Floor() =>
        _signer.IsSignedBy(TrustAnchor.IntelSgxRootCa.PublicKey) && EcdsaP256.VerifyRaw(_signer.PublicKey, _signed.Body, _signed.Signature);
}
