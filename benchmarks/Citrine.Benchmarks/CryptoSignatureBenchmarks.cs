using BenchmarkDotNet.Attributes;
using Citrine.Crypto;
using Citrine.Crypto.Signatures;

namespace Citrine.Benchmarks;

/// <summary>
/// Signing and verification over a 128-byte message (the size of a CometBFT vote's sign bytes).
/// Ed25519 signing with the seed re-imported every call is shown next to
/// <see cref="Ed25519PrivateKey"/>, which imports once: the difference is the import overhead a
/// chain generator avoids.
/// </summary>
[MemoryDiagnoser]
public class CryptoSignatureBenchmarks
{
    private readonly byte[] _message = new byte[128];
    private byte[] _seed = null!;
    private Ed25519PrivateKey _ed25519 = null!;
    private byte[] _edPublic = null!;
    private byte[] _edSignature = null!;
    private byte[] _k1Public = null!;
    private byte[] _k1Signature = null!;

    [GlobalSetup]
    public void Setup()
    {
        _seed = Hashing.Sha256("benchmark key"u8);
        _ed25519 = Ed25519PrivateKey.FromSeed(_seed);
        _edPublic = _ed25519.ExportPublicKey();
        _edSignature = _ed25519.Sign(_message);
        _k1Public = Secp256k1.PublicKeyFromPrivate(_seed);
        _k1Signature = Secp256k1.Sign(_seed, _message);
    }

    [GlobalCleanup]
    public void Cleanup() => _ed25519.Dispose();

    [Benchmark(Description = "Ed25519 sign (seed imported per call)")]
    public byte[] Ed25519SignStatic() => Ed25519.Sign(_seed, _message);

    [Benchmark(Description = "Ed25519 sign (Ed25519PrivateKey)")]
    public byte[] Ed25519SignImported() => _ed25519.Sign(_message);

    [Benchmark(Description = "Ed25519 verify")]
    public bool Ed25519Verify() => Ed25519.Verify(_edPublic, _message, _edSignature);

    [Benchmark(Description = "secp256k1 sign (RFC 6979, low-S)")]
    public byte[] Secp256k1Sign() => Secp256k1.Sign(_seed, _message);

    [Benchmark(Description = "secp256k1 verify")]
    public Secp256k1Verdict Secp256k1Verify() => Secp256k1.Verify(_k1Public, _message, _k1Signature);
}
