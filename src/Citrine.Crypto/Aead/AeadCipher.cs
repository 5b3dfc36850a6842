using System.Security.Cryptography;

namespace Citrine.Crypto.Aead;

/// <summary>
/// An AEAD with a 12-byte nonce and a 16-byte tag appended to the ciphertext (RFC 5116 layout:
/// <c>ciphertext || tag</c>). The key is imported once; instances are not thread-safe.
/// </summary>
public abstract class AeadCipher : IDisposable
{
    public const int NonceSize = 12;
    public const int TagSize = 16;

    private protected AeadCipher()
    {
    }

    /// <summary>The key length in bytes.</summary>
    public abstract int KeySize { get; }

    /// <summary>Encrypts into <paramref name="destination"/>, which must be exactly <c>plaintext.Length + 16</c> bytes.</summary>
    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> destination)
    {
        CheckNonce(nonce);
        if (destination.Length != plaintext.Length + TagSize)
        {
            throw new ArgumentException($"the ciphertext buffer must be {plaintext.Length + TagSize} bytes, got {destination.Length}", nameof(destination));
        }
        EncryptCore(nonce, plaintext, destination[..plaintext.Length], destination[plaintext.Length..], associatedData);
    }

    /// <summary>Encrypts and returns <c>ciphertext || tag</c>.</summary>
    public byte[] Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var result = new byte[plaintext.Length + TagSize];
        Seal(nonce, plaintext, associatedData, result);
        return result;
    }

    /// <summary>Decrypts <c>ciphertext || tag</c> into <paramref name="destination"/> (exactly <c>ciphertext.Length - 16</c> bytes).</summary>
    /// <exception cref="AuthenticationFailedException">the tag does not match, or the input is shorter than a tag.</exception>
    public void Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> destination)
    {
        CheckNonce(nonce);
        if (ciphertext.Length < TagSize)
        {
            throw new AuthenticationFailedException($"the ciphertext is {ciphertext.Length} bytes, shorter than the {TagSize}-byte tag");
        }
        var length = ciphertext.Length - TagSize;
        if (destination.Length != length)
        {
            throw new ArgumentException($"the plaintext buffer must be {length} bytes, got {destination.Length}", nameof(destination));
        }
        try
        {
            DecryptCore(nonce, ciphertext[..length], ciphertext[length..], destination, associatedData);
        }
        catch (AuthenticationTagMismatchException e)
        {
            // The platform has already cleared the output buffer.
            throw new AuthenticationFailedException("the authentication tag does not match (wrong key, nonce, associated data or a modified ciphertext)", e);
        }
    }

    /// <summary>Decrypts <c>ciphertext || tag</c> and returns the plaintext.</summary>
    /// <exception cref="AuthenticationFailedException">the tag does not match, or the input is shorter than a tag.</exception>
    public byte[] Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData)
    {
        if (ciphertext.Length < TagSize)
        {
            throw new AuthenticationFailedException($"the ciphertext is {ciphertext.Length} bytes, shorter than the {TagSize}-byte tag");
        }
        var result = new byte[ciphertext.Length - TagSize];
        Open(nonce, ciphertext, associatedData, result);
        return result;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    private protected abstract void EncryptCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData);

    private protected abstract void DecryptCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData);

    private protected static void CheckKey(ReadOnlySpan<byte> key, int expected, string algorithm)
    {
        if (key.Length != expected)
        {
            throw new InvalidKeyException($"{algorithm} takes a {expected}-byte key, got {key.Length} bytes");
        }
    }

    private static void CheckNonce(ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length != NonceSize)
        {
            throw new ArgumentException($"the nonce must be {NonceSize} bytes, got {nonce.Length}", nameof(nonce));
        }
    }
}
