using NSec.Cryptography;

namespace Citrine.Crypto.Signatures;

/// <summary>
/// An Ed25519 (RFC 8032) signing key imported once and kept in libsodium's form, so repeated
/// signing does not pay the seed import and public-key derivation every time.
/// </summary>
public sealed class Ed25519PrivateKey : IDisposable
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    private readonly Key _key;
    private readonly byte[] _publicKey;

    private Ed25519PrivateKey(Key key)
    {
        _key = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The 32-byte public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>Imports a 32-byte seed (the RFC 8032 private key).</summary>
    /// <exception cref="InvalidKeyException">the seed is not 32 bytes.</exception>
    public static Ed25519PrivateKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Ed25519.PrivateKeySize)
        {
            throw new InvalidKeyException($"an Ed25519 seed is {Ed25519.PrivateKeySize} bytes, got {seed.Length}");
        }
        var key = Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });
        return new Ed25519PrivateKey(key);
    }

    /// <summary>Returns a copy of the public key.</summary>
    public byte[] ExportPublicKey() => (byte[])_publicKey.Clone();

    /// <summary>Signs <paramref name="message"/>; the signature is 64 bytes.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) => Algorithm.Sign(_key, message);

    /// <summary>Signs <paramref name="message"/> into <paramref name="signature"/> (exactly 64 bytes).</summary>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        if (signature.Length != Ed25519.SignatureSize)
        {
            throw new ArgumentException($"an Ed25519 signature is {Ed25519.SignatureSize} bytes, got a {signature.Length}-byte buffer", nameof(signature));
        }
        Algorithm.Sign(_key, message, signature);
    }

    public void Dispose() => _key.Dispose();
}
