namespace Citrine.Enclave.Sealing;

/// <summary>Why <see cref="ISealer.TryUnseal"/> refused a blob.</summary>
public enum UnsealError
{
    None = 0,
    /// <summary>Not a sealed blob of this sealer's format (magic, version or length).</summary>
    Malformed,
    /// <summary>The tag does not verify: the blob was altered, sealed under another key, or sealed for another purpose.</summary>
    AuthenticationFailed,
}

/// <summary>
/// Sealing: data only this enclave (this measurement on this platform) can read back. Each blob
/// is bound to a purpose label as associated data, so a blob sealed for one purpose cannot be
/// swapped in for another (a sealed key for a sealed light-client state, say).
/// </summary>
public interface ISealer
{
    /// <summary>True when the sealing key is not protected by a TEE (mock and simulated modes).</summary>
    bool IsInsecure { get; }

    byte[] Seal(string purpose, ReadOnlySpan<byte> plaintext);

    bool TryUnseal(string purpose, ReadOnlySpan<byte> sealedBlob, out byte[]? plaintext, out UnsealError reason, out string detail);
}
