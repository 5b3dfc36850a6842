using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Citrine.Crypto.Hpke;

/// <summary>
/// An HPKE KDF (RFC 9180 §7.2) with the labeled Extract/Expand of §4:
/// <c>LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm)</c> and
/// <c>LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L)</c>.
/// The labeled inputs are assembled in a stack buffer (pooled when large) and wiped afterwards.
/// </summary>
internal sealed class LabeledKdf
{
    private const int StackLimit = 256;

    private LabeledKdf(HpkeKdfId id, HashAlgorithmName hash, int nh)
    {
        Id = id;
        Hash = hash;
        Nh = nh;
    }

    public static LabeledKdf HkdfSha256 { get; } = new(HpkeKdfId.HkdfSha256, HashAlgorithmName.SHA256, 32);

    public static LabeledKdf HkdfSha384 { get; } = new(HpkeKdfId.HkdfSha384, HashAlgorithmName.SHA384, 48);

    public static LabeledKdf HkdfSha512 { get; } = new(HpkeKdfId.HkdfSha512, HashAlgorithmName.SHA512, 64);

    public HpkeKdfId Id { get; }

    public HashAlgorithmName Hash { get; }

    /// <summary>The output size of Extract (§7.2 Nh).</summary>
    public int Nh { get; }

    private static ReadOnlySpan<byte> Version => "HPKE-v1"u8;

    private void Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        switch (Id)
        {
            case HpkeKdfId.HkdfSha256:
                HMACSHA256.HashData(key, data, destination);
                break;
            case HpkeKdfId.HkdfSha384:
                HMACSHA384.HashData(key, data, destination);
                break;
            default:
                HMACSHA512.HashData(key, data, destination);
                break;
        }
    }

    public static LabeledKdf For(HpkeKdfId id) => id switch
    {
        HpkeKdfId.HkdfSha256 => HkdfSha256,
        HpkeKdfId.HkdfSha384 => HkdfSha384,
        HpkeKdfId.HkdfSha512 => HkdfSha512,
        _ => throw new HpkeException($"KDF 0x{(int)id:x4} is not supported"),
    };

    /// <summary>LabeledExtract (§4) into <paramref name="prk"/> (Nh bytes).</summary>
    public void LabeledExtract(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> label, ReadOnlySpan<byte> ikm, Span<byte> prk)
    {
        var length = Version.Length + suiteId.Length + label.Length + ikm.Length;
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        var labeled = buffer[..length];
        try
        {
            Version.CopyTo(labeled);
            var at = Version.Length;
            suiteId.CopyTo(labeled[at..]);
            at += suiteId.Length;
            label.CopyTo(labeled[at..]);
            at += label.Length;
            ikm.CopyTo(labeled[at..]);
            // RFC 5869 §2.2: Extract(salt, ikm) = HMAC-Hash(salt, ikm); an empty salt and HashLen
            // zero bytes are the same HMAC key. The one-shot HMAC skips HKDF's extra checks.
            Hmac(salt, labeled, prk[..Nh]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(labeled);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>LabeledExpand (§4): fills <paramref name="output"/>; L is its length (&lt; 2^16, ≤ 255·Nh, checked by callers).</summary>
    public void LabeledExpand(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> info, Span<byte> output)
    {
        if (output.IsEmpty)
        {
            // L = 0 asks for nothing; the platform's HKDF-Expand refuses an empty destination.
            return;
        }
        var length = 2 + Version.Length + suiteId.Length + label.Length + info.Length;
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        var labeled = buffer[..length];
        try
        {
            BinaryPrimitives.WriteUInt16BigEndian(labeled, checked((ushort)output.Length));
            var at = 2;
            Version.CopyTo(labeled[at..]);
            at += Version.Length;
            suiteId.CopyTo(labeled[at..]);
            at += suiteId.Length;
            label.CopyTo(labeled[at..]);
            at += label.Length;
            info.CopyTo(labeled[at..]);
            HKDF.Expand(Hash, prk, output, labeled);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
