using System.Security.Cryptography;

namespace Citrine.Crypto;

/// <summary>One-shot digests used across Citrine (FIPS 180-4).</summary>
public static class Hashing
{
    public const int Sha256Size = 32;
    public const int Sha512Size = 64;

    public static byte[] Sha256(ReadOnlySpan<byte> data) => SHA256.HashData(data);

    public static int Sha256(ReadOnlySpan<byte> data, Span<byte> destination) => SHA256.HashData(data, destination);

    public static byte[] Sha512(ReadOnlySpan<byte> data) => SHA512.HashData(data);

    public static int Sha512(ReadOnlySpan<byte> data, Span<byte> destination) => SHA512.HashData(data, destination);
}
