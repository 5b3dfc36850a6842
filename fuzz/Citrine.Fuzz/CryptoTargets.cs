using Citrine.Crypto;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Encoding.Protobuf;
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

    /// <summary>Varints report failure with false, never an exception; what they read must write back no longer.</summary>
    [FuzzTarget("protobuf-varint")]
    public static void FuzzVarint(ReadOnlySpan<byte> data)
    {
        Span<byte> buffer = stackalloc byte[Varint.MaxLength];
        if (Varint.TryReadUnsigned(data, out var value, out var read))
        {
            if (read < 1 || read > data.Length || Varint.WriteUnsigned(buffer, value) > read)
            {
                throw new InvalidOperationException($"varint read {read} bytes of {data.Length} for {value}");
            }
        }
        else if (value != 0 || read != 0)
        {
            throw new InvalidOperationException("a refused varint left a value or a length set");
        }
        _ = Varint.TryReadSigned(data, out _, out _);
    }

    /// <summary>Walks any input as a protobuf message: only <see cref="ProtoFormatException"/> may escape.</summary>
    [FuzzTarget("protobuf-reader", typeof(ProtoFormatException))]
    public static void FuzzProtoReader(ReadOnlySpan<byte> data)
    {
        var r = new ProtoReader(data, "Fuzz");
        while (r.TryReadTag(out _, out var type))
        {
            r.Skip(type);
        }
    }

    private static void Open(HpkeSuite suite, HpkePrivateKey recipient, ReadOnlySpan<byte> data)
    {
        var split = Math.Min(suite.EncapsulatedKeySize, data.Length);
        suite.Open(data[..split], recipient, [], [], data[split..]);
    }
}
