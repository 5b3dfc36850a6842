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

    private static bool IsLowS(byte[] sig)
    {
        var s = new Org.BouncyCastle.Math.BigInteger(1, sig[32..]);
        return s.CompareTo(new Org.BouncyCastle.Math.BigInteger(1, Order).ShiftRight(1)) <= 0;
    }
}
