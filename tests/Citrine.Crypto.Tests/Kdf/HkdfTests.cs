using System.Security.Cryptography;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Kdf;

namespace Citrine.Crypto.Tests.Kdf;

public sealed class HkdfTests
{
    [Fact]
    public void Extract_and_expand_match_rfc5869_test_case_1()
    {
        var ikm = Enumerable.Repeat((byte)0x0b, 22).ToArray();
        var salt = Hex.Decode("000102030405060708090a0b0c");
        var info = Hex.Decode("f0f1f2f3f4f5f6f7f8f9");
        var prk = new byte[32];
        Hkdf.Extract(HashAlgorithmName.SHA256, salt, ikm, prk);
        Assert.Equal("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", Hex.Encode(prk));
        var okm = new byte[42];
        Hkdf.Expand(HashAlgorithmName.SHA256, prk, info, okm);
        Assert.Equal("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", Hex.Encode(okm));
        Assert.Equal(okm, Hkdf.DeriveKey(HashAlgorithmName.SHA256, ikm, 42, salt, info));
    }

    [Fact]
    public void Expand_refuses_more_than_255_hash_lengths_and_unsupported_hashes()
    {
        var prk = new byte[32];
        Assert.Throws<ArgumentException>(() => Hkdf.Expand(HashAlgorithmName.SHA256, prk, [], new byte[(255 * 32) + 1]));
        Assert.Throws<InvalidKeyException>(() => Hkdf.Expand(HashAlgorithmName.SHA256, new byte[31], [], new byte[1]));
        Assert.Throws<ArgumentException>(() => Hkdf.DeriveKey(HashAlgorithmName.MD5, [], 16, [], []));
        Assert.Empty(Hkdf.DeriveKey(HashAlgorithmName.SHA512, [1], 0, [], []));
    }
}
