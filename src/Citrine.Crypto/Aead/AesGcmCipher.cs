using System.Security.Cryptography;

namespace Citrine.Crypto.Aead;

/// <summary>AES-GCM (NIST SP 800-38D) with a 16- or 32-byte key, 12-byte nonce and 16-byte tag.</summary>
public sealed class AesGcmCipher : AeadCipher
{
    private readonly AesGcm _aes;

    /// <exception cref="InvalidKeyException">the key is neither 16 nor 32 bytes.</exception>
    public AesGcmCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length is not (16 or 32))
        {
            throw new InvalidKeyException($"AES-GCM takes a 16- or 32-byte key, got {key.Length} bytes");
        }
        KeySize = key.Length;
        _aes = new AesGcm(key, TagSize);
    }

    public override int KeySize { get; }

    /// <summary>Creates a cipher that only accepts keys of <paramref name="keySize"/> bytes.</summary>
    public static AesGcmCipher Create(ReadOnlySpan<byte> key, int keySize)
    {
        CheckKey(key, keySize, $"AES-{keySize * 8}-GCM");
        return new AesGcmCipher(key);
    }

    private protected override void EncryptCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData) =>
        _aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);

    private protected override void DecryptCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData) =>
        _aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
        }
        base.Dispose(disposing);
    }
}
