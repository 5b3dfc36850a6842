using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Dcap.Verification;

namespace Citrine.Benchmarks;

/// <summary>
/// Full DCAP verification of the SGX v3 and TDX v4 vector quotes (dcap-qvl QuoteCollateralV3),
/// cold (collateral parsed and every signature checked) and warm (collateral cached by digest),
/// beside their floor: the ECDSA P-256 verifications they require, timed alone with keys
/// already imported. Imported P-256 keys are memoised per thread by the library, so "cold" still
/// reuses the root/TCB signer/PCK CA keys across iterations; "no imported keys" clears that table
/// first. Vectors: $CITRINE_VECTORS or ../shared/vectors next to the repository.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class DcapBenchmarks
{
    private readonly Dictionary<string, Input> _inputs = [];

    [Params("sgx-v3", "tdx-v4")]
    public string Quote { get; set; } = "sgx-v3";

    private Input Current => _inputs[Quote];

    [GlobalSetup]
    public void Setup()
    {
        var root = VectorsRoot() ?? throw new InvalidOperationException("DCAP vectors not found (set CITRINE_VECTORS)");
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(root, "dcap", "EXPECTED.json")));
        foreach (var c in manifest.RootElement.GetProperty("cases").EnumerateArray())
        {
            var version = c.GetProperty("quote_version").GetInt32();
            var key = c.GetProperty("tee_type").GetString() == "0x81" ? $"tdx-v{version}" : $"sgx-v{version}";
            if (_inputs.ContainsKey(key) || c.GetProperty("expected").GetProperty("result").GetString() != "OK" || !c.GetProperty("collateral").TryGetProperty("qvl_json", out var qvl))
            {
                continue;
            }
            var quote = File.ReadAllBytes(Path.Combine(root, "dcap", c.GetProperty("quote").GetString()!));
            var json = File.ReadAllBytes(Path.Combine(root, "dcap", qvl.GetString()!));
            _inputs[key] = new Input(quote, json, DateTimeOffset.FromUnixTimeSeconds(c.GetProperty("now_unix").GetInt64()));
        }
        foreach (var input in _inputs.Values)
        {
            input.Prepare();
        }
    }

    [Benchmark(Description = "verify, cold collateral (parse + all checks)")]
    public bool VerifyCold()
    {
        var c = Current;
        return Verifier.Verify(c.Quote, QuoteCollateral.FromQvlJson(c.CollateralJson), c.Now).IsVerified;
    }

    [Benchmark(Description = "verify, cold collateral and no imported keys")]
    public bool VerifyColdest()
    {
        var c = Current;
        EcdsaP256.ClearKeyCache();
        return Verifier.Verify(c.Quote, QuoteCollateral.FromQvlJson(c.CollateralJson), c.Now).IsVerified;
    }

    [Benchmark(Description = "verify, warm collateral (cached by digest)")]
    public bool VerifyWarm()
    {
        var c = Current;
        return Verifier.Verify(c.Quote, c.Collateral, c.Now, c.WarmOptions).IsVerified;
    }

    [Benchmark(Baseline = true, Description = "floor: all ECDSA verifications (cold)")]
    public bool FloorCold() => Current.VerifyAll(perQuoteOnly: false);

    [Benchmark(Description = "floor: 3 per-quote ECDSA verifications (warm)")]
    public bool FloorWarm() => Current.VerifyAll(perQuoteOnly: true);

    internal static string? VectorsRoot()
    {
        var env = Environment.GetEnvironmentVariable("CITRINE_VECTORS");
        if (!string.IsNullOrWhiteSpace(env))
        {
            return Directory.Exists(env) ? env : null;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Citrine.slnx")))
            {
                var candidate = Path.Combine(dir.FullName, "..", "shared", "vectors");
                return Directory.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    }

    private sealed class Input(byte[] quote, byte[] collateralJson, DateTimeOffset now)
    {
        private readonly List<(ECDsa Key, byte[] Data, byte[] Signature, DSASignatureFormat Format, bool PerQuote)> _checks = [];

        public byte[] Quote { get; } = quote;

        public byte[] CollateralJson { get; } = collateralJson;

        public DateTimeOffset Now { get; } = now;

        public QuoteCollateral Collateral { get; private set; } = null!;

        public VerifierOptions WarmOptions { get; } = new() { Cache = new VerifiedCollateralCache() };

        public void Prepare()
        {
            Collateral = QuoteCollateral.FromQvlJson(CollateralJson);
            if (!Verifier.Verify(Quote, Collateral, Now, WarmOptions).IsVerified)
            {
                throw new InvalidOperationException("vector does not verify");
            }
            var q = QuoteParser.Parse(Quote);
            var pck = PemText.DecodeAll(q.PckChainPem, "CERTIFICATE", "pck").Select(d => DcapCertificate.Parse(d)).ToList();
            var tcbSigner = DcapCertificate.Parse(Collateral.TcbInfoIssuerChain[0]);
            var rootKey = TrustAnchor.IntelSgxRootCa.PublicKey;
            var rootCrl = Crl.Parse(Collateral.RootCaCrl);
            var pckCrl = Crl.Parse(Collateral.PckCrl);
            var der = DSASignatureFormat.Rfc3279DerSequence;
            var raw = DSASignatureFormat.IeeeP1363FixedFieldConcatenation;
            // Collateral: TCB signing cert, TCB Info, QE Identity, root CRL, PCK CA cert, PCK CRL.
            Add(rootKey, tcbSigner.TbsBytes, tcbSigner.Signature, der, false);
            Add(tcbSigner.PublicKey, Collateral.TcbInfo.Body, Collateral.TcbInfo.Signature, raw, false);
            Add(tcbSigner.PublicKey, Collateral.QeIdentity.Body, Collateral.QeIdentity.Signature, raw, false);
            Add(rootKey, rootCrl.TbsBytes, rootCrl.Signature, der, false);
            Add(rootKey, pck[1].TbsBytes, pck[1].Signature, der, false);
            Add(pck[1].PublicKey, pckCrl.TbsBytes, pckCrl.Signature, der, false);
            // Per quote: PCK leaf, QE report, quote.
            Add(pck[1].PublicKey, pck[0].TbsBytes, pck[0].Signature, der, true);
            Add(pck[0].PublicKey, q.QeReportBytes, q.QeReportSignature, raw, true);
            Add(q.AttestationKey, q.SignedBytes, q.Signature, raw, true);
            if (!VerifyAll(false))
            {
                throw new InvalidOperationException("floor signatures do not verify");
            }
        }

        public bool VerifyAll(bool perQuoteOnly)
        {
            var ok = true;
            foreach (var (key, data, sig, format, perQuote) in _checks)
            {
                if (!perQuoteOnly || perQuote)
                {
                    ok &= key.VerifyData(data, sig, HashAlgorithmName.SHA256, format);
                }
            }
            return ok;
        }

        private void Add(byte[] key, byte[] data, byte[] sig, DSASignatureFormat format, bool perQuote)
        {
            var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = key[..32], Y = key[32..] },
            });
            _checks.Add((ecdsa, data, sig, format, perQuote));
        }
    }
}
