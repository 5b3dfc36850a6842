using BenchmarkDotNet.Attributes;
using Citrine.Crypto;
using Citrine.Crypto.Signatures;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Citrine.Benchmarks;

/// <summary>
/// secp256k1 verification (half of a devnet tx's cost): <see cref="Secp256k1.Verify"/> for a repeat
/// signer (public key cached with its wNAF tables) and for a new signer every call (cache miss),
/// next to the previous implementation timed in the same run: BouncyCastle's ECDsaSigner on the
/// GLV custom curve with the key decoded on every call (baseline).
/// </summary>
[MemoryDiagnoser]
public class CryptoSecp256k1Benchmarks
{
    private static readonly ECDomainParameters Domain = CreateDomain();
    private readonly byte[] _message = new byte[200];
    private byte[] _publicKey = [];
    private byte[] _signature = [];
    private (byte[] PublicKey, byte[] Signature)[] _signers = [];
    private int _next;

    private static ECDomainParameters CreateDomain()
    {
        var curve = CustomNamedCurves.GetByName("secp256k1");
        return new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
    }

    [GlobalSetup]
    public void Setup()
    {
        var key = Hashing.Sha256("bench-sender"u8);
        _publicKey = Secp256k1.PublicKeyFromPrivate(key);
        _signature = Secp256k1.Sign(key, _message);
        // Twice the cache capacity, used round-robin: every call misses the cache.
        _signers = [.. Enumerable.Range(0, 2 * Secp256k1.PublicKeyCacheCapacity).Select(i =>
        {
            var k = Hashing.Sha256(BitConverter.GetBytes(i));
            return (Secp256k1.PublicKeyFromPrivate(k), Secp256k1.Sign(k, _message));
        })];
    }

    [Benchmark(Baseline = true, Description = "before: BouncyCastle ECDsaSigner, key decoded per call")]
    public bool PreviousVerify()
    {
        var digest = Hashing.Sha256(_message);
        var verifier = new ECDsaSigner();
        verifier.Init(false, new ECPublicKeyParameters(Domain.Curve.DecodePoint(_publicKey), Domain));
        return verifier.VerifySignature(digest, new Org.BouncyCastle.Math.BigInteger(1, _signature, 0, 32), new Org.BouncyCastle.Math.BigInteger(1, _signature, 32, 32));
    }

    [Benchmark(Description = "Secp256k1.Verify, repeat signer (cached key)")]
    public Secp256k1Verdict VerifyRepeatSigner() => Secp256k1.Verify(_publicKey, _message, _signature);

    [Benchmark(Description = "Secp256k1.Verify, new signer every call (cache miss)")]
    public Secp256k1Verdict VerifyNewSigner()
    {
        var (publicKey, signature) = _signers[_next];
        _next = (_next + 1) % _signers.Length;
        return Secp256k1.Verify(publicKey, _message, signature);
    }
}
