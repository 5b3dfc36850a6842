using System.Security.Cryptography;

namespace Citrine.Crypto.Kdf;

/// <summary>HKDF (RFC 5869) over SHA-256, SHA-384 or SHA-512.</summary>
public static class Hkdf
{
    /// <summary>HKDF-Extract (§2.2): writes PRK (the hash length) into <paramref name="prk"/>. An empty salt means HashLen zero bytes.</summary>
    public static void Extract(HashAlgorithmName hash, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ikm, Span<byte> prk)
    {
        var size = HashSize(hash);
        if (prk.Length != size)
        {
            throw new ArgumentException($"the PRK buffer must be {size} bytes for {hash.Name}, got {prk.Length}", nameof(prk));
        }
        HKDF.Extract(hash, ikm, salt, prk);
    }

    /// <summary>HKDF-Expand (§2.3): fills <paramref name="output"/> (at most 255 hash lengths).</summary>
    public static void Expand(HashAlgorithmName hash, ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        var size = HashSize(hash);
        if (prk.Length < size)
        {
            throw new InvalidKeyException($"an HKDF-{hash.Name} PRK is at least {size} bytes, got {prk.Length}");
        }
        if (output.Length > 255 * size)
        {
            throw new ArgumentException($"HKDF-{hash.Name} can expand to at most {255 * size} bytes, asked for {output.Length}", nameof(output));
        }
        if (!output.IsEmpty)
        {
            HKDF.Expand(hash, prk, output, info);
        }
    }

    /// <summary>Extract then Expand: returns <paramref name="length"/> bytes of output keying material.</summary>
    public static byte[] DeriveKey(HashAlgorithmName hash, ReadOnlySpan<byte> ikm, int length, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Span<byte> prk = stackalloc byte[64];
        prk = prk[..HashSize(hash)];
        Extract(hash, salt, ikm, prk);
        var okm = new byte[length];
        Expand(hash, prk, info, okm);
        CryptographicOperations.ZeroMemory(prk);
        return okm;
    }

    /// <summary>The output size of <paramref name="hash"/> (32, 48 or 64 bytes).</summary>
    public static int HashSize(HashAlgorithmName hash)
    {
        if (hash == HashAlgorithmName.SHA256)
        {
            return 32;
        }
        if (hash == HashAlgorithmName.SHA384)
        {
            return 48;
        }
        if (hash == HashAlgorithmName.SHA512)
        {
            return 64;
        }
        throw new ArgumentException($"HKDF here supports SHA-256, SHA-384 and SHA-512, not {hash.Name}", nameof(hash));
    }
}
