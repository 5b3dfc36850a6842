using Citrine.Crypto.Encoding;
using Citrine.Crypto.Signatures;
using FsCheck.Xunit;

namespace Citrine.Crypto.Tests.Signatures;

public sealed class Secp256k1Tests
{
    private static readonly byte[] Key = Hashing.Sha256("citrine secp256k1 test key"u8);
    private static readonly byte[] Order = Hex.Decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

    [Fact]
    public void Public_key_of_private_key_one_is_the_generator()
    {
        var one = new byte[32];
        one[31] = 1;
        Assert.Equal("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", Hex.Encode(Secp256k1.PublicKeyFromPrivate(one)));
        Assert.Equal("0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8",
            Hex.Encode(Secp256k1.PublicKeyFromPrivate(one, compressed: false)));
    }

    [Fact]
    public void Sign_matches_the_published_rfc6979_vector_for_key_one_and_satoshi_nakamoto()
    {
        // The widely published secp256k1/SHA-256 RFC 6979 vector (private key 1, message
        // "Satoshi Nakamoto"), used by python-ecdsa and bitcoin libraries; its s is already low.
        var one = new byte[32];
        one[31] = 1;
        var sig = Secp256k1.Sign(one, "Satoshi Nakamoto"u8);
        Assert.Equal("934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8"
            + "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5", Hex.Encode(sig));
    }

    [Fact]
    public void Sign_is_deterministic_low_s_and_verifies_with_both_key_forms()
    {
        var a = Secp256k1.Sign(Key, "message"u8);
        var b = Secp256k1.Sign(Key, "message"u8);
        Assert.Equal(a, b);
        Assert.Equal(64, a.Length);
        Assert.True(IsLowS(a));
        Assert.Equal(Secp256k1Verdict.Valid, Secp256k1.Verify(Secp256k1.PublicKeyFromPrivate(Key), "message"u8, a));
        Assert.Equal(Secp256k1Verdict.Valid, Secp256k1.Verify(Secp256k1.PublicKeyFromPrivate(Key, compressed: false), "message"u8, a));
        Assert.NotEqual(a, Secp256k1.Sign(Key, "message2"u8));
    }

    [Fact]
    public void Verify_rejects_the_high_s_twin_of_a_valid_signature_with_HighS()
    {
        var sig = Secp256k1.Sign(Key, "message"u8);
        var highS = (byte[])sig.Clone();
        var s = new Org.BouncyCastle.Math.BigInteger(1, sig[32..]);
        var n = new Org.BouncyCastle.Math.BigInteger(1, Order);
        Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(n.Subtract(s), highS, 32, 32);
        Assert.Equal(Secp256k1Verdict.HighS, Secp256k1.Verify(Secp256k1.PublicKeyFromPrivate(Key), "message"u8, highS));
    }

    [Fact]
    public void Verify_gives_each_refusal_its_own_verdict()
    {
        var pk = Secp256k1.PublicKeyFromPrivate(Key);
        var sig = Secp256k1.Sign(Key, "message"u8);
        Assert.Equal(Secp256k1Verdict.BadSignature, Secp256k1.Verify(pk, "messagf"u8, sig));
        Assert.Equal(Secp256k1Verdict.MalformedSignature, Secp256k1.Verify(pk, "message"u8, sig.AsSpan(0, 63)));
        Assert.Equal(Secp256k1Verdict.MalformedPublicKey, Secp256k1.Verify(pk.AsSpan(0, 32), "message"u8, sig));

        var badPrefix = (byte[])pk.Clone();
        badPrefix[0] = 0x04;
        Assert.Equal(Secp256k1Verdict.MalformedPublicKey, Secp256k1.Verify(badPrefix, "message"u8, sig));
        var uncompressed = Secp256k1.PublicKeyFromPrivate(Key, compressed: false);
        uncompressed[^1] ^= 1;
        Assert.Equal(Secp256k1Verdict.MalformedPublicKey, Secp256k1.Verify(uncompressed, "message"u8, sig));

        var zeroR = (byte[])sig.Clone();
        Array.Clear(zeroR, 0, 32);
        Assert.Equal(Secp256k1Verdict.ScalarOutOfRange, Secp256k1.Verify(pk, "message"u8, zeroR));
        var rIsN = (byte[])sig.Clone();
        Order.CopyTo(rIsN, 0);
        Assert.Equal(Secp256k1Verdict.ScalarOutOfRange, Secp256k1.Verify(pk, "message"u8, rIsN));
    }

    [Fact]
    public void Verify_rejects_every_one_bit_change_of_the_signature()
    {
        var pk = Secp256k1.PublicKeyFromPrivate(Key);
        var sig = Secp256k1.Sign(Key, "message"u8);
        for (var bit = 0; bit < 512; bit += 11)
        {
            var tampered = (byte[])sig.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(Secp256k1Verdict.Valid, Secp256k1.Verify(pk, "message"u8, tampered));
        }
    }

    [Fact]
    public void Private_keys_outside_one_to_n_minus_one_are_refused()
    {
        Assert.Throws<InvalidKeyException>(() => Secp256k1.Sign(new byte[32], "m"u8));
        Assert.Throws<InvalidKeyException>(() => Secp256k1.Sign(Order, "m"u8));
        Assert.Throws<InvalidKeyException>(() => Secp256k1.Sign(new byte[31], "m"u8));
    }

    [Property(MaxTest = 40)]
    public bool Sign_then_verify_round_trips(byte[] message, byte[] seed)
    {
        var key = Hashing.Sha256(seed ?? []);
        var sig = Secp256k1.Sign(key, message ?? []);
        return IsLowS(sig) && Secp256k1.Verify(Secp256k1.PublicKeyFromPrivate(key), message ?? [], sig) == Secp256k1Verdict.Valid;
    }

    [Property(MaxTest = 40)]
    public bool Verify_agrees_with_BouncyCastle_ECDsaSigner_on_valid_and_altered_signatures(byte[] message, byte[] seed, byte flip)
    {
        var key = Hashing.Sha256(seed ?? []);
        var publicKey = Secp256k1.PublicKeyFromPrivate(key);
        var digest = Hashing.Sha256(message ?? []);
        var sig = Secp256k1.SignHash(key, digest);
        var altered = (byte[])sig.Clone();
        altered[flip % 64] ^= (byte)(1 << (flip % 8));
        foreach (var candidate in new[] { sig, altered })
        {
            var ours = Secp256k1.VerifyHash(publicKey, digest, candidate);
            if (ours is Secp256k1Verdict.ScalarOutOfRange or Secp256k1Verdict.HighS)
            {
                continue;
            }
            if ((ours == Secp256k1Verdict.Valid) != ReferenceVerify(publicKey, digest, candidate))
            {
                return false;
            }
        }
        return Secp256k1.VerifyHash(publicKey, digest, sig) == Secp256k1Verdict.Valid;
    }

    [Fact]
    public void Verify_accepts_a_signature_whose_R_x_is_at_least_n_and_only_with_r_equal_to_R_x_minus_n()
    {
        // Such an R has probability ~2^-128 in real signatures, so build one: take the first x > n
        // on the curve (r = x - n must not be 0) as R, pick s and e, and solve for the key Q = r^-1 (s R - e G) (SEC 1 §4.1.6).
        var curve = Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("secp256k1");
        var n = curve.N;
        Org.BouncyCastle.Math.EC.ECPoint? bigR = null;
        for (var x = n.Add(Org.BouncyCastle.Math.BigInteger.One); bigR is null; x = x.Add(Org.BouncyCastle.Math.BigInteger.One))
        {
            try
            {
                bigR = curve.Curve.DecodePoint([0x02, .. Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(32, x)]);
            }
            catch (ArgumentException)
            {
                // x^3 + 7 is not a square: try the next x.
            }
        }
        var r = bigR.Normalize().AffineXCoord.ToBigInteger().Subtract(n);
        var s = new Org.BouncyCastle.Math.BigInteger(1, Hashing.Sha256("s"u8)).Mod(n.ShiftRight(1));
        var digest = Hashing.Sha256("R.x >= n"u8);
        var e = new Org.BouncyCastle.Math.BigInteger(1, digest);
        var q = bigR.Multiply(s).Subtract(curve.G.Multiply(e)).Multiply(r.ModInverse(n)).Normalize();
        var publicKey = q.GetEncoded(true);
        var sig = new byte[64];
        Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(r, sig, 0, 32);
        Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(s, sig, 32, 32);
        Assert.True(ReferenceVerify(publicKey, digest, sig));
        Assert.Equal(Secp256k1Verdict.Valid, Secp256k1.VerifyHash(publicKey, digest, sig));
        // r' = R.x itself is not below n: refused by the range check; r - 1 does not verify.
        var rMinusOne = (byte[])sig.Clone();
        Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(r.Subtract(Org.BouncyCastle.Math.BigInteger.One), rMinusOne, 0, 32);
        Assert.Equal(Secp256k1Verdict.BadSignature, Secp256k1.VerifyHash(publicKey, digest, rMinusOne));
    }

    [Fact]
    public void A_cached_public_key_still_rejects_a_bad_signature_and_the_cache_stays_bounded()
    {
        var publicKey = Secp256k1.PublicKeyFromPrivate(Key);
        var sig = Secp256k1.Sign(Key, "cached"u8);
        Assert.Equal(Secp256k1Verdict.Valid, Secp256k1.Verify(publicKey, "cached"u8, sig));
        Assert.Equal(Secp256k1Verdict.Valid, Secp256k1.Verify(publicKey, "cached"u8, sig));
        Assert.Equal(Secp256k1Verdict.BadSignature, Secp256k1.Verify(publicKey, "cached!"u8, sig));
        var other = Secp256k1.PublicKeyFromPrivate(Hashing.Sha256("other"u8));
        Assert.Equal(Secp256k1Verdict.BadSignature, Secp256k1.Verify(other, "cached"u8, sig));
        // An off-curve key is refused every time (it is never cached as valid).
        var offCurve = (byte[])publicKey.Clone();
        offCurve[^1] ^= 1;
        var firstVerdict = Secp256k1.Verify(offCurve, "cached"u8, sig);
        Assert.Equal(firstVerdict, Secp256k1.Verify(offCurve, "cached"u8, sig));
        Assert.NotEqual(Secp256k1Verdict.Valid, firstVerdict);
        for (var i = 0; i < Secp256k1.PublicKeyCacheCapacity + 10; i++)
        {
            var k = Secp256k1.PublicKeyFromPrivate(Hashing.Sha256(BitConverter.GetBytes(i)));
            Assert.Equal(Secp256k1Verdict.BadSignature, Secp256k1.Verify(k, "cached"u8, sig));
            Assert.True(Secp256k1.CachedPublicKeyCount <= Secp256k1.PublicKeyCacheCapacity);
        }
    }

    private static bool ReferenceVerify(byte[] publicKey, byte[] digest, byte[] sig)
    {
        var curve = Org.BouncyCastle.Asn1.Sec.SecNamedCurves.GetByName("secp256k1");
        var domain = new Org.BouncyCastle.Crypto.Parameters.ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
        var signer = new Org.BouncyCastle.Crypto.Signers.ECDsaSigner();
        signer.Init(false, new Org.BouncyCastle.Crypto.Parameters.ECPublicKeyParameters(curve.Curve.DecodePoint(publicKey), domain));
        return signer.VerifySignature(digest, new Org.BouncyCastle.Math.BigInteger(1, sig[..32]), new Org.BouncyCastle.Math.BigInteger(1, sig[32..]));
    }

    private static bool IsLowS(byte[] sig)
    {
        var s = new Org.BouncyCastle.Math.BigInteger(1, sig[32..]);
        return s.CompareTo(new Org.BouncyCastle.Math.BigInteger(1, Order).ShiftRight(1)) <= 0;
    }
}
