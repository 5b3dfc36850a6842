using Citrine.Crypto.Signatures;
using Org.BouncyCastle.Crypto.Digests;

namespace Citrine.Crypto.Encoding;

/// <summary>Cosmos SDK account addresses: bech32(hrp, RIPEMD-160(SHA-256(compressed secp256k1 key))).</summary>
public static class CosmosAddress
{
    public const int AddressSize = 20;

    /// <summary>The 20-byte account address of a secp256k1 public key (33 or 65 bytes; hashed in compressed form).</summary>
    /// <exception cref="InvalidKeyException">the public key is not a valid secp256k1 point.</exception>
    public static byte[] AccountBytes(ReadOnlySpan<byte> publicKey)
    {
        var compressed = Secp256k1.CompressPublicKey(publicKey);
        var sha = Hashing.Sha256(compressed);
        var ripemd = new RipeMD160Digest();
        ripemd.BlockUpdate(sha, 0, sha.Length);
        var address = new byte[AddressSize];
        ripemd.DoFinal(address, 0);
        return address;
    }

    /// <summary>The bech32 account address, e.g. <c>cosmos1…</c> for <paramref name="hrp"/> "cosmos".</summary>
    public static string FromPublicKey(string hrp, ReadOnlySpan<byte> publicKey) => Bech32.EncodeBytes(hrp, AccountBytes(publicKey));

    /// <summary>Decodes an account address, checking its HRP and 20-byte length.</summary>
    /// <exception cref="Bech32FormatException">not valid bech32, another HRP, or not 20 bytes.</exception>
    public static byte[] Decode(string address, string expectedHrp)
    {
        var (hrp, bytes) = Bech32.DecodeBytes(address);
        if (!string.Equals(hrp, expectedHrp, StringComparison.Ordinal))
        {
            throw new Bech32FormatException($"the address prefix is '{hrp}', expected '{expectedHrp}'", -1);
        }
        if (bytes.Length != AddressSize)
        {
            throw new Bech32FormatException($"an account address is {AddressSize} bytes, got {bytes.Length}", -1);
        }
        return bytes;
    }
}
