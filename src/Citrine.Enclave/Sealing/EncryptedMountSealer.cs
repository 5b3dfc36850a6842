using System.Buffers.Binary;
using System.Text;

namespace Citrine.Enclave.Sealing;

/// <summary>
/// The gramine-sgx sealer. Gramine's encrypted-files mount (manifest <c>fs.mounts</c> entry of
/// <c>type = "encrypted"</c> with <c>key_name = "_sgx_mrenclave"</c>) encrypts and authenticates
/// every file written under it with a key that only this MRENCLAVE on this CPU can derive, and
/// binds each file to its path. So this sealer adds no cryptography of its own: it frames the
/// bytes with a magic and the purpose, so a blob written for one purpose is refused for another,
/// and it refuses to be used for a directory outside the mount, where nothing would protect it.
/// What Gramine's encrypted files do not prevent is the host putting back an older copy of a
/// whole file; the runtime's rollback checks (TrustedStateStore, the session floor, the chain's
/// session record) are what catch that. Blob: <c>"CGS1" ‖ u16 len ‖ purpose ‖ plaintext</c>.
/// </summary>
public sealed class EncryptedMountSealer : ISealer
{
    private static ReadOnlySpan<byte> Magic => "CGS1"u8;

    /// <param name="mountPath">The encrypted mount's path inside the enclave (the manifest's <c>fs.mounts</c> <c>path</c>).</param>
    /// <param name="storageDirectory">Where the runtime writes; must be the mount or below it.</param>
    /// <exception cref="ArgumentException">the storage directory is not under the mount, or the mount does not exist.</exception>
    public EncryptedMountSealer(string mountPath, string storageDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(mountPath);
        ArgumentException.ThrowIfNullOrEmpty(storageDirectory);
        var mount = Path.TrimEndingDirectorySeparator(Path.GetFullPath(mountPath));
        var storage = Path.TrimEndingDirectorySeparator(Path.GetFullPath(storageDirectory));
        if (storage != mount && !storage.StartsWith(mount + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"the storage directory {storage} is not under the encrypted mount {mount}: nothing would seal it", nameof(storageDirectory));
        }
        if (!Directory.Exists(mount))
        {
            throw new ArgumentException($"the encrypted mount {mount} does not exist: not running under Gramine with the manifest's encrypted mount", nameof(mountPath));
        }
        MountPath = mount;
    }

    public string MountPath { get; }

    public bool IsInsecure => false;

    public byte[] Seal(string purpose, ReadOnlySpan<byte> plaintext)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        var label = Encoding.UTF8.GetBytes(purpose);
        if (label.Length > ushort.MaxValue)
        {
            throw new ArgumentException("the purpose is too long", nameof(purpose));
        }
        var blob = new byte[Magic.Length + 2 + label.Length + plaintext.Length];
        Magic.CopyTo(blob);
        BinaryPrimitives.WriteUInt16BigEndian(blob.AsSpan(Magic.Length), (ushort)label.Length);
        label.CopyTo(blob.AsSpan(Magic.Length + 2));
        plaintext.CopyTo(blob.AsSpan(Magic.Length + 2 + label.Length));
        return blob;
    }

    public bool TryUnseal(string purpose, ReadOnlySpan<byte> sealedBlob, out byte[]? plaintext, out UnsealError reason, out string detail)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        plaintext = null;
        if (sealedBlob.Length < Magic.Length + 2 || !sealedBlob.StartsWith(Magic))
        {
            reason = UnsealError.Malformed;
            detail = $"not a sealed blob of the encrypted mount: {sealedBlob.Length} bytes, needs the CGS1 magic";
            return false;
        }
        var length = BinaryPrimitives.ReadUInt16BigEndian(sealedBlob[Magic.Length..]);
        if (length > sealedBlob.Length - Magic.Length - 2)
        {
            reason = UnsealError.Malformed;
            detail = $"purpose of {length} bytes runs past the {sealedBlob.Length}-byte blob";
            return false;
        }
        var label = sealedBlob.Slice(Magic.Length + 2, length);
        if (!label.SequenceEqual(Encoding.UTF8.GetBytes(purpose)))
        {
            reason = UnsealError.AuthenticationFailed;
            detail = $"the blob was written for purpose '{Encoding.UTF8.GetString(label)}', not '{purpose}'";
            return false;
        }
        plaintext = sealedBlob[(Magic.Length + 2 + length)..].ToArray();
        reason = UnsealError.None;
        detail = "";
        return true;
    }
}
