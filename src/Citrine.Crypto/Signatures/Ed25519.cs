using NSec.Cryptography;

namespace Citrine.Crypto.Signatures;

/// <summary>
/// Ed25519 (RFC 8032) through libsodium. Verification follows libsodium's rules, which are
/// stricter than ZIP-215 on some non-canonical and small-order encodings (see docs/ed25519.md).
/// </summary>
public static class Ed25519
{
    public const int PublicKeySize = 32;
    public const int PrivateKeySize = 32;
    public const int SignatureSize = 64;

    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    /// <summary>Verifies <paramref name="signature"/> over <paramref name="message"/>. Wrong lengths verify as false.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }
        if (!PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
        {
            return false;
        }
        return Algorithm.Verify(key, message, signature);
    }

    /// <summary>Derives the public key of a 32-byte seed.</summary>
    public static byte[] PublicKeyFromSeed(ReadOnlySpan<byte> seed)
    {
        using var key = Import(seed);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>Signs with a 32-byte seed (RFC 8032 private key).</summary>
    public static byte[] Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> message)
    {
        using var key = Import(seed);
        return Algorithm.Sign(key, message);
    }

    private static Key Import(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != PrivateKeySize)
        {
            throw new InvalidKeyException($"an Ed25519 seed is {PrivateKeySize} bytes, got {seed.Length}");
        }
        return Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });
    }
}
