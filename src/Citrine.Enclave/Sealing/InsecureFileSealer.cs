using System.Security.Cryptography;
using System.Text;
using Citrine.Crypto;
using Citrine.Crypto.Aead;

namespace Citrine.Enclave.Sealing;

/// <summary>
/// The sealer of the mock and simulated-DCAP modes: ChaCha20-Poly1305 (RFC 8439) under a key kept
/// in a plain file, which anyone who can read the file can use. The file's name and its first line
/// say so. Blob: <c>"CSB1" || nonce(12) || ciphertext || tag(16)</c>; associated data:
/// <c>"citrine/v1/seal/" || purpose || 0x00 || "CSB1"</c>, so the purpose and the format are both bound.
/// </summary>
public sealed class InsecureFileSealer : ISealer, IDisposable
{
    public const string KeyFileName = "INSECURE-seal-key.bin";

    /// <summary>The key file starts with this line; the 32 key bytes follow it.</summary>
    public static ReadOnlySpan<byte> KeyFileHeader => "CITRINE INSECURE SEALING KEY v1: NOT PROTECTED BY A TEE\n"u8;

    private static ReadOnlySpan<byte> BlobMagic => "CSB1"u8;

    private const int MinBlobLength = 4 + AeadCipher.NonceSize + AeadCipher.TagSize;

    private readonly ChaCha20Poly1305Cipher _cipher;
    private readonly Action<Span<byte>> _fillNonce;
    private readonly Lock _gate = new();

    /// <param name="key">32 bytes.</param>
    /// <param name="fillNonce">the nonce source; random by default (a nonce must never repeat under one key).</param>
    public InsecureFileSealer(ReadOnlySpan<byte> key, Action<Span<byte>>? fillNonce = null)
    {
        _cipher = new ChaCha20Poly1305Cipher(key);
        _fillNonce = fillNonce ?? RandomNumberGenerator.Fill;
    }

    public bool IsInsecure => true;

    /// <summary>Opens the key file in <paramref name="directory"/>, creating it with a fresh random key when absent.</summary>
    /// <exception cref="InvalidDataException">the file exists but is not a key file of this format.</exception>
    public static InsecureFileSealer OpenOrCreate(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, KeyFileName);
        if (!File.Exists(path))
        {
            var fresh = new byte[KeyFileHeader.Length + ChaCha20Poly1305Cipher.KeyLength];
            KeyFileHeader.CopyTo(fresh);
            RandomNumberGenerator.Fill(fresh.AsSpan(KeyFileHeader.Length));
            var temp = path + ".tmp";
            File.WriteAllBytes(temp, fresh);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            // No overwrite: two processes creating the key at once must not end up with two keys.
            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temp);
            }
        }
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != KeyFileHeader.Length + ChaCha20Poly1305Cipher.KeyLength || !bytes.AsSpan(0, KeyFileHeader.Length).SequenceEqual(KeyFileHeader))
        {
            throw new InvalidDataException($"{path} is not a Citrine insecure sealing key file ({bytes.Length} bytes)");
        }
        try
        {
            return new InsecureFileSealer(bytes.AsSpan(KeyFileHeader.Length));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public byte[] Seal(string purpose, ReadOnlySpan<byte> plaintext)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        var blob = new byte[MinBlobLength + plaintext.Length];
        BlobMagic.CopyTo(blob);
        var nonce = blob.AsSpan(BlobMagic.Length, AeadCipher.NonceSize);
        _fillNonce(nonce);
        lock (_gate)
        {
            _cipher.Seal(nonce, plaintext, AssociatedData(purpose), blob.AsSpan(BlobMagic.Length + AeadCipher.NonceSize));
        }
        return blob;
    }

    public bool TryUnseal(string purpose, ReadOnlySpan<byte> sealedBlob, out byte[]? plaintext, out UnsealError reason, out string detail)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        plaintext = null;
        if (sealedBlob.Length < MinBlobLength || !sealedBlob[..BlobMagic.Length].SequenceEqual(BlobMagic))
        {
            reason = UnsealError.Malformed;
            detail = $"not a sealed blob: {sealedBlob.Length} bytes, needs the CSB1 magic and at least {MinBlobLength} bytes";
            return false;
        }
        var nonce = sealedBlob.Slice(BlobMagic.Length, AeadCipher.NonceSize);
        var ciphertext = sealedBlob[(BlobMagic.Length + AeadCipher.NonceSize)..];
        var output = new byte[ciphertext.Length - AeadCipher.TagSize];
        try
        {
            lock (_gate)
            {
                _cipher.Open(nonce, ciphertext, AssociatedData(purpose), output);
            }
        }
        catch (AuthenticationFailedException)
        {
            reason = UnsealError.AuthenticationFailed;
            detail = $"sealed blob of {sealedBlob.Length} bytes does not authenticate for purpose '{purpose}' under this key";
            return false;
        }
        plaintext = output;
        reason = UnsealError.None;
        detail = "";
        return true;
    }

    public void Dispose() => _cipher.Dispose();

    private static byte[] AssociatedData(string purpose)
    {
        var label = Encoding.UTF8.GetBytes(purpose);
        var ad = new byte[16 + label.Length + 1 + BlobMagic.Length];
        "citrine/v1/seal/"u8.CopyTo(ad);
        label.CopyTo(ad, 16);
        BlobMagic.CopyTo(ad.AsSpan(17 + label.Length));
        return ad;
    }
}
