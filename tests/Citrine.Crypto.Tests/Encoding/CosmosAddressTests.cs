using Citrine.Crypto.Encoding;
using Citrine.Crypto.Signatures;

namespace Citrine.Crypto.Tests.Encoding;

public sealed class CosmosAddressTests
{
    [Fact]
    public void Address_is_bech32_of_ripemd160_of_sha256_of_the_compressed_key()
    {
        var key = Hashing.Sha256("cosmos key"u8);
        var compressed = Secp256k1.PublicKeyFromPrivate(key);
        var expected = new byte[20];
        var ripemd = new Org.BouncyCastle.Crypto.Digests.RipeMD160Digest();
        var sha = Hashing.Sha256(compressed);
        ripemd.BlockUpdate(sha, 0, 32);
        ripemd.DoFinal(expected, 0);

        var address = CosmosAddress.FromPublicKey("cosmos", compressed);
        Assert.StartsWith("cosmos1", address, StringComparison.Ordinal);
        Assert.Equal(45, address.Length);
        Assert.Equal(expected, CosmosAddress.Decode(address, "cosmos"));
        // The uncompressed form of the same key gives the same address.
        Assert.Equal(address, CosmosAddress.FromPublicKey("cosmos", Secp256k1.PublicKeyFromPrivate(key, compressed: false)));
    }

    [Fact]
    public void Decode_rejects_another_prefix_and_another_length()
    {
        var address = Bech32.EncodeBytes("osmo", new byte[20]);
        Assert.Contains("expected 'cosmos'", Assert.Throws<Bech32FormatException>(() => CosmosAddress.Decode(address, "cosmos")).Message, StringComparison.Ordinal);
        var longer = Bech32.EncodeBytes("cosmos", new byte[32]);
        Assert.Contains("20 bytes", Assert.Throws<Bech32FormatException>(() => CosmosAddress.Decode(longer, "cosmos")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Address_of_an_invalid_key_is_refused() =>
        Assert.Throws<InvalidKeyException>(() => CosmosAddress.FromPublicKey("cosmos", new byte[33]));
}
