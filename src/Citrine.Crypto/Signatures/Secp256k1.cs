using System.Collections.Concurrent;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Utilities;

namespace Citrine.Crypto.Signatures;

/// <summary>Why a secp256k1 signature was accepted or refused.</summary>
public enum Secp256k1Verdict
{
    Valid = 0,

    /// <summary>The public key is not 33 (compressed) or 65 (uncompressed) bytes, or not a curve point.</summary>
    MalformedPublicKey,

    /// <summary>The signature is not 64 bytes (r || s).</summary>
    MalformedSignature,

    /// <summary>r or s is zero or not below the group order n.</summary>
    ScalarOutOfRange,

    /// <summary>s is above n/2: Cosmos (and Bitcoin) accept only the low-S form, so signatures are not malleable.</summary>
    HighS,

    /// <summary>The signature does not verify under the key.</summary>
    BadSignature,
}

/// <summary>
/// ECDSA over secp256k1 (SEC 2) as Cosmos uses it: SHA-256 of the message, RFC 6979
/// deterministic nonces (HMAC-SHA256), 64-byte <c>r || s</c> signatures in low-S form.
/// Curve arithmetic from BouncyCastle.
/// </summary>
public static class Secp256k1
{
    public const int PrivateKeySize = 32;
    public const int CompressedPublicKeySize = 33;
    public const int UncompressedPublicKeySize = 65;
    public const int SignatureSize = 64;
    public const int HashSize = 32;

    /// <summary>How many decoded public keys <see cref="VerifyHash"/> keeps (a full cache is emptied, so memory stays bounded).</summary>
    public const int PublicKeyCacheCapacity = 1024;

    private static readonly ECDomainParameters Domain = CreateDomain();
    private static readonly BigInteger HalfOrder = Domain.N.ShiftRight(1);

    // Decoded, validated public keys keyed by their exact encoding (33 or 65 bytes, so the two forms
    // of one key are separate entries). A cached point carries BouncyCastle's wNAF precomputation
    // (and its GLV-mapped copy), so a repeat signer skips the square root, the curve check and the
    // table build. Only keys that passed every check are cached, and only from their second use:
    // a stream of one-off keys would otherwise push a table per key into the older GC generations
    // (measured: a cache-miss verification 30-60% slower), while a first sighting costs one small
    // entry in SeenOnce.
    private static readonly ConcurrentDictionary<byte[], ECPublicKeyParameters> PublicKeyCache = new(ByteArrayComparer.Instance);
    private static readonly ConcurrentDictionary<byte[], bool> SeenOnce = new(ByteArrayComparer.Instance);

    /// <summary>The public key of a 32-byte private key, compressed (33 bytes) unless asked otherwise.</summary>
    public static byte[] PublicKeyFromPrivate(ReadOnlySpan<byte> privateKey, bool compressed = true)
    {
        var d = ParsePrivateKey(privateKey);
        return new FixedPointCombMultiplier().Multiply(Domain.G, d).Normalize().GetEncoded(compressed);
    }

    /// <summary>Returns the compressed form of a valid 33- or 65-byte public key.</summary>
    /// <exception cref="InvalidKeyException">the key is malformed or not on the curve.</exception>
    public static byte[] CompressPublicKey(ReadOnlySpan<byte> publicKey) =>
        ParsePublicKey(publicKey) is { } key ? key.Q.GetEncoded(true) : throw new InvalidKeyException("secp256k1: the public key is not a valid 33- or 65-byte SEC1 point");

    /// <summary>Signs SHA-256(<paramref name="message"/>).</summary>
    public static byte[] Sign(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> message) => SignHash(privateKey, Hashing.Sha256(message));

    /// <summary>Signs a 32-byte digest with an RFC 6979 nonce; returns r || s with s ≤ n/2.</summary>
    /// <exception cref="InvalidKeyException">the private key is not 32 bytes or not in [1, n-1].</exception>
    public static byte[] SignHash(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> hash)
    {
        if (hash.Length != HashSize)
        {
            throw new ArgumentException($"the digest must be {HashSize} bytes, got {hash.Length}", nameof(hash));
        }
        var d = ParsePrivateKey(privateKey);
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(d, Domain));
        var rs = signer.GenerateSignature(hash.ToArray());
        var r = rs[0];
        var s = rs[1];
        if (s.CompareTo(HalfOrder) > 0)
        {
            s = Domain.N.Subtract(s);
        }
        var signature = new byte[SignatureSize];
        BigIntegers.AsUnsignedByteArray(r, signature, 0, 32);
        BigIntegers.AsUnsignedByteArray(s, signature, 32, 32);
        return signature;
    }

    /// <summary>Verifies a signature over SHA-256(<paramref name="message"/>).</summary>
    public static Secp256k1Verdict Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        VerifyHash(publicKey, Hashing.Sha256(message), signature);

    /// <summary>Verifies a signature over a 32-byte digest; every refusal has its own verdict.</summary>
    public static Secp256k1Verdict VerifyHash(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature)
    {
        if (hash.Length != HashSize)
        {
            throw new ArgumentException($"the digest must be {HashSize} bytes, got {hash.Length}", nameof(hash));
        }
        var q = ParsePublicKey(publicKey);
        if (q is null)
        {
            return Secp256k1Verdict.MalformedPublicKey;
        }
        if (signature.Length != SignatureSize)
        {
            return Secp256k1Verdict.MalformedSignature;
        }
        var r = new BigInteger(1, signature[..32]);
        var s = new BigInteger(1, signature[32..]);
        if (r.SignValue == 0 || s.SignValue == 0 || r.CompareTo(Domain.N) >= 0 || s.CompareTo(Domain.N) >= 0)
        {
            return Secp256k1Verdict.ScalarOutOfRange;
        }
        if (s.CompareTo(HalfOrder) > 0)
        {
            return Secp256k1Verdict.HighS;
        }
        // SEC 1 v2 §4.1.4: u1 = e/s, u2 = r/s, R = u1*G + u2*Q (one interleaved multiplication
        // with the GLV endomorphism of BouncyCastle's custom secp256k1 curve), valid iff R is not
        // the identity and R.x mod n == r (compared without normalising R).
        var verifier = new ECDsaSigner();
        verifier.Init(false, q);
        return verifier.VerifySignature(hash.ToArray(), r, s) ? Secp256k1Verdict.Valid : Secp256k1Verdict.BadSignature;
    }

    /// <summary>Number of public keys currently cached (for tests and diagnostics).</summary>
    public static int CachedPublicKeyCount => PublicKeyCache.Count;

    private static BigInteger ParsePrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != PrivateKeySize)
        {
            throw new InvalidKeyException($"a secp256k1 private key is {PrivateKeySize} bytes, got {privateKey.Length}");
        }
        var d = new BigInteger(1, privateKey);
        if (d.SignValue == 0 || d.CompareTo(Domain.N) >= 0)
        {
            throw new InvalidKeyException("a secp256k1 private key must be in [1, n-1]");
        }
        return d;
    }

    // SEC1 §2.3.4: 0x02/0x03 || X or 0x04 || X || Y; the point must be on the curve and not the identity.
    private static ECPublicKeyParameters? ParsePublicKey(ReadOnlySpan<byte> publicKey)
    {
        var validPrefix = publicKey.Length switch
        {
            CompressedPublicKeySize => publicKey[0] is 0x02 or 0x03,
            UncompressedPublicKeySize => publicKey[0] == 0x04,
            _ => false,
        };
        if (!validPrefix)
        {
            return null;
        }
        var encoded = publicKey.ToArray();
        if (PublicKeyCache.TryGetValue(encoded, out var cached))
        {
            return cached;
        }
        try
        {
            var point = Domain.Curve.DecodePoint(encoded);
            if (point.IsInfinity || !point.IsValid())
            {
                return null;
            }
            var key = new ECPublicKeyParameters(point.Normalize(), Domain);
            if (SeenOnce.TryRemove(encoded, out _))
            {
                AddBounded(PublicKeyCache, encoded, key);
            }
            else
            {
                AddBounded(SeenOnce, encoded, true);
            }
            return key;
        }
        catch (ArgumentException)
        {
            // Off the curve, a coordinate not below p, or no square root for a compressed X.
            return null;
        }
    }

    // A full dictionary is emptied rather than trimmed: bounded memory without an LRU's bookkeeping.
    private static void AddBounded<T>(ConcurrentDictionary<byte[], T> cache, byte[] key, T value)
    {
        if (cache.Count >= PublicKeyCacheCapacity)
        {
            cache.Clear();
        }
        cache.TryAdd(key, value);
    }

    private static ECDomainParameters CreateDomain()
    {
        var curve = CustomNamedCurves.GetByName("secp256k1");
        return new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
    }
}
