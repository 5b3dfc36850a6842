using Citrine.Crypto.Encoding;
using Citrine.Crypto.Signatures;

namespace Citrine.Crypto.Tests.Signatures;

public sealed class Ed25519Tests
{
    // RFC 8032 §7.1, TEST 1..3: secret key, public key, message, signature.
    public static TheoryData<string, string, string, string> Rfc8032Vectors() => new()
    {
        {
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        },
        {
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        },
        {
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void Sign_and_verify_match_rfc8032_vectors(string sk, string pk, string message, string signature)
    {
        var seed = Hex.Decode(sk);
        var msg = Hex.Decode(message);
        Assert.Equal(pk, Hex.Encode(Ed25519.PublicKeyFromSeed(seed)));
        Assert.Equal(signature, Hex.Encode(Ed25519.Sign(seed, msg)));
        Assert.True(Ed25519.Verify(Hex.Decode(pk), msg, Hex.Decode(signature)));
        using var key = Ed25519PrivateKey.FromSeed(seed);
        Assert.Equal(pk, Hex.Encode(key.PublicKey));
        Assert.Equal(signature, Hex.Encode(key.Sign(msg)));
        var buffer = new byte[64];
        key.Sign(msg, buffer);
        Assert.Equal(signature, Hex.Encode(buffer));
    }

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void Verify_rejects_a_signature_with_any_one_bit_flipped(string sk, string pk, string message, string signature)
    {
        _ = sk;
        var sig = Hex.Decode(signature);
        for (var bit = 0; bit < sig.Length * 8; bit += 7)
        {
            var tampered = (byte[])sig.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Ed25519.Verify(Hex.Decode(pk), Hex.Decode(message), tampered));
        }
    }

    [Fact]
    public void Verify_rejects_an_altered_message_and_wrong_lengths()
    {
        var seed = Hex.Decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        var pk = Ed25519.PublicKeyFromSeed(seed);
        var sig = Ed25519.Sign(seed, "hello"u8);
        Assert.False(Ed25519.Verify(pk, "hellp"u8, sig));
        Assert.False(Ed25519.Verify(pk.AsSpan(0, 31), "hello"u8, sig));
        Assert.False(Ed25519.Verify(pk, "hello"u8, sig.AsSpan(0, 63)));
    }

    [Fact]
    public void Private_key_rejects_a_seed_of_the_wrong_length()
    {
        Assert.Throws<InvalidKeyException>(() => Ed25519PrivateKey.FromSeed(new byte[31]));
        Assert.Throws<InvalidKeyException>(() => Ed25519.Sign(new byte[33], "m"u8));
        using var key = Ed25519PrivateKey.FromSeed(new byte[32]);
        Assert.Throws<ArgumentException>(() => key.Sign("m"u8, new byte[63]));
    }
}
