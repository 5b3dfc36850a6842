using System.Security.Cryptography;
using NSec.Cryptography;

namespace Citrine.Crypto.KeyAgreement;

/// <summary>X25519 (RFC 7748) through libsodium (NSec), with raw 32-byte keys.</summary>
public static class X25519
{
    public const int KeySize = 32;

    private static readonly KeyAgreementAlgorithm Algorithm = KeyAgreementAlgorithm.X25519;

    /// <summary>A fresh private key from the system CSPRNG.</summary>
    public static byte[] GeneratePrivateKey() => RandomNumberGenerator.GetBytes(KeySize);

    /// <summary>X25519(k, 9): the public key of a 32-byte private key.</summary>
    public static byte[] PublicKeyFromPrivate(ReadOnlySpan<byte> privateKey)
    {
        using var key = Import(privateKey);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>X25519(k, u): the 32-byte shared secret.</summary>
    /// <exception cref="InvalidKeyException">a key is not 32 bytes, or the result is all zero (a small-order public key, RFC 7748 §6.1).</exception>
    public static byte[] Agree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != KeySize)
        {
            throw new InvalidKeyException($"an X25519 public key is {KeySize} bytes, got {publicKey.Length}");
        }
        using var key = Import(privateKey);
        if (!PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var peer) || peer is null)
        {
            throw new InvalidKeyException("the X25519 public key was refused");
        }
        using var secret = Algorithm.Agree(key, peer, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })
            ?? throw new InvalidKeyException("the X25519 shared secret is all zero (the public key has small order)");
        return secret.Export(SharedSecretBlobFormat.RawSharedSecret);
    }

    private static Key Import(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != KeySize)
        {
            throw new InvalidKeyException($"an X25519 private key is {KeySize} bytes, got {privateKey.Length}");
        }
        return Key.Import(Algorithm, privateKey, KeyBlobFormat.RawPrivateKey);
    }
}
