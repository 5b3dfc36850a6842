using Citrine.Crypto.Encoding;
using Citrine.Crypto.KeyAgreement;

namespace Citrine.Crypto.Tests.KeyAgreement;

public sealed class X25519Tests
{
    // RFC 7748 §6.1.
    private const string AlicePrivate = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private const string AlicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private const string BobPrivate = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
    private const string BobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    private const string Shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    [Fact]
    public void Public_keys_and_shared_secret_match_rfc7748()
    {
        Assert.Equal(AlicePublic, Hex.Encode(X25519.PublicKeyFromPrivate(Hex.Decode(AlicePrivate))));
        Assert.Equal(BobPublic, Hex.Encode(X25519.PublicKeyFromPrivate(Hex.Decode(BobPrivate))));
        Assert.Equal(Shared, Hex.Encode(X25519.Agree(Hex.Decode(AlicePrivate), Hex.Decode(BobPublic))));
        Assert.Equal(Shared, Hex.Encode(X25519.Agree(Hex.Decode(BobPrivate), Hex.Decode(AlicePublic))));
    }

    [Fact]
    public void Agree_rejects_a_small_order_public_key_and_wrong_lengths()
    {
        var sk = X25519.GeneratePrivateKey();
        Assert.Contains("all zero", Assert.Throws<InvalidKeyException>(() => X25519.Agree(sk, new byte[32])).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidKeyException>(() => X25519.Agree(sk, new byte[31]));
        Assert.Throws<InvalidKeyException>(() => X25519.Agree(new byte[31], Hex.Decode(BobPublic)));
    }
}
