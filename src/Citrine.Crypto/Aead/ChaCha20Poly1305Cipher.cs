namespace Citrine.Crypto.Aead;

/// <summary>ChaCha20-Poly1305 (RFC 8439) with a 32-byte key, 12-byte nonce and 16-byte tag.</summary>
public sealed class ChaCha20Poly1305Cipher : AeadCipher
{
    public const int KeyLength = 32;

    private readonly System.Security.Cryptography.ChaCha20Poly1305 _cipher;

    /// <exception cref="InvalidKeyException">the key is not 32 bytes.</exception>
    public ChaCha20Poly1305Cipher(ReadOnlySpan<byte> key)
    {
        CheckKey(key, KeyLength, "ChaCha20-Poly1305");
        _cipher = new System.Security.Cryptography.ChaCha20Poly1305(key);
    }

    public override int KeySize => KeyLength;

    private protected override void EncryptCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData) =>
        _cipher.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);

    private protected override void DecryptCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData) =>
        _cipher.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _cipher.Dispose();
        }
        base.Dispose(disposing);
    }
}
