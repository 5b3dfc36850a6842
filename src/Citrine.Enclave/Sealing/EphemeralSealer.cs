using System.Security.Cryptography;

namespace Citrine.Enclave.Sealing;

/// <summary>
/// The tdx sealer: TDX has no sealing key, so blobs are sealed (ChaCha20-Poly1305, the same blob
/// format as <see cref="InsecureFileSealer"/>) under a random key that exists only in this TD's
/// memory. Nothing sealed survives the process: a restarted TD cannot read its predecessor's
/// files and starts a new session (docs/enclave.md, "TDX: what a restart means").
/// </summary>
public sealed class EphemeralSealer : ISealer, IDisposable
{
    private readonly InsecureFileSealer _cipher;

    public EphemeralSealer()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            _cipher = new InsecureFileSealer(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The key is in TD memory only, which the TDX module protects from the host.</summary>
    public bool IsInsecure => false;

    public byte[] Seal(string purpose, ReadOnlySpan<byte> plaintext) => _cipher.Seal(purpose, plaintext);

    public bool TryUnseal(string purpose, ReadOnlySpan<byte> sealedBlob, out byte[]? plaintext, out UnsealError reason, out string detail) =>
        _cipher.TryUnseal(purpose, sealedBlob, out plaintext, out reason, out detail);

    public void Dispose() => _cipher.Dispose();
}
