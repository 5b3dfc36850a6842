using Citrine.Chain.App;
using Citrine.Crypto.Signatures;

namespace Citrine.Chain.Tests.App;

public sealed class VerifiedSignaturesTests
{
    private static readonly byte[] PrivateKey = Convert.FromHexString("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
    private static readonly byte[] PublicKey = Secp256k1.PublicKeyFromPrivate(PrivateKey);

    [Fact]
    public void A_valid_signature_is_verified_once_and_then_found()
    {
        var cache = new VerifiedSignatures();
        var message = "sign doc"u8.ToArray();
        var signature = Secp256k1.Sign(PrivateKey, message);
        Assert.Equal(Secp256k1Verdict.Valid, cache.Verify(PublicKey, message, signature));
        Assert.Equal(1, cache.Count);
        Assert.Equal(Secp256k1Verdict.Valid, cache.Verify(PublicKey, message, signature));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void A_failed_verification_is_not_cached_and_keeps_its_reason()
    {
        var cache = new VerifiedSignatures();
        var message = "sign doc"u8.ToArray();
        var signature = Secp256k1.Sign(PrivateKey, message);
        signature[5] ^= 1;
        Assert.Equal(Secp256k1Verdict.BadSignature, cache.Verify(PublicKey, message, signature));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_cached_signature_does_not_vouch_for_another_message_key_or_signature()
    {
        var cache = new VerifiedSignatures();
        var message = "sign doc"u8.ToArray();
        var signature = Secp256k1.Sign(PrivateKey, message);
        Assert.Equal(Secp256k1Verdict.Valid, cache.Verify(PublicKey, message, signature));

        var otherMessage = "sign dod"u8.ToArray();
        Assert.Equal(Secp256k1Verdict.BadSignature, cache.Verify(PublicKey, otherMessage, signature));
        var otherKey = Secp256k1.PublicKeyFromPrivate(Convert.FromHexString("0000000000000000000000000000000000000000000000000000000000000002"));
        Assert.Equal(Secp256k1Verdict.BadSignature, cache.Verify(otherKey, message, signature));
        var otherSignature = Secp256k1.Sign(PrivateKey, otherMessage);
        Assert.Equal(Secp256k1Verdict.BadSignature, cache.Verify(PublicKey, message, otherSignature));
    }

    [Fact]
    public void The_cache_stays_within_its_capacity()
    {
        var cache = new VerifiedSignatures(capacity: 3);
        for (var i = 0; i < 10; i++)
        {
            var message = new[] { (byte)i };
            Assert.Equal(Secp256k1Verdict.Valid, cache.Verify(PublicKey, message, Secp256k1.Sign(PrivateKey, message)));
            Assert.InRange(cache.Count, 1, 3);
        }
    }
}
