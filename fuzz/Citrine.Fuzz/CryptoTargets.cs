using Citrine.Crypto;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Hpke;

namespace Citrine.Fuzz;

/// <summary>
/// Fuzz targets for Citrine.Crypto's untrusted-input paths. HPKE Open may only fail with a
/// <see cref="CryptoException"/> (InvalidKeyException for a bad enc, AuthenticationFailedException
/// for a bad ciphertext); bech32 decoding only with <see cref="Bech32FormatException"/>.
/// </summary>
internal static class CryptoTargets
{
    private static readonly HpkeSuite X25519Suite = HpkeSuite.X25519Sha256ChaCha20Poly1305;
    private static readonly HpkeSuite P256Suite = HpkeSuite.P256Sha256Aes128Gcm;
    private static readonly HpkePrivateKey X25519Recipient = X25519Suite.DeriveKeyPair("citrine fuzz recipient"u8);
    private static readonly HpkePrivateKey P256Recipient = P256Suite.DeriveKeyPair("citrine fuzz recipient"u8);

    /// <summary>Input: enc (first 32 bytes, or all of a shorter input) || ciphertext, opened with a fixed recipient key.</summary>
    [FuzzTarget("crypto-hpke-open", typeof(CryptoException))]
    public static void FuzzHpkeOpen(ReadOnlySpan<byte> data) => Open(X25519Suite, X25519Recipient, data);

    /// <summary>As crypto-hpke-open over DHKEM(P-256): the first 65 bytes are the point that must pass validation.</summary>
    [FuzzTarget("crypto-hpke-open-p256", typeof(CryptoException))]
    public static void FuzzHpkeOpenP256(ReadOnlySpan<byte> data) => Open(P256Suite, P256Recipient, data);

    /// <summary>Input: the string's characters as Latin-1 bytes.</summary>
    [FuzzTarget("crypto-bech32-decode", typeof(Bech32FormatException))]
    public static void FuzzBech32Decode(ReadOnlySpan<byte> data)
    {
        var text = System.Text.Encoding.Latin1.GetString(data);
        var (hrp, values) = Bech32.Decode(text);
        // Whatever decodes must re-encode to the same string, lower-cased.
        if (!string.Equals(Bech32.Encode(hrp, values), text.ToLowerInvariant(), StringComparison.Ordinal))
        {
            throw new InvalidOperationException("bech32 decode/encode is not a round trip");
        }
    }

    private static void Open(HpkeSuite suite, HpkePrivateKey recipient, ReadOnlySpan<byte> data)
    {
        var split = Math.Min(suite.EncapsulatedKeySize, data.Length);
        suite.Open(data[..split], recipient, [], [], data[split..]);
    }
}
