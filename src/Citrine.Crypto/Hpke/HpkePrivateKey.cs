using System.Security.Cryptography;

namespace Citrine.Crypto.Hpke;

/// <summary>
/// A KEM private key imported once, with its serialized public key (RFC 9180 §4
/// SerializePublicKey) computed at import, so repeated Open calls pay only the DH.
/// Create one through <see cref="HpkeSuite.ImportPrivateKey"/>, <see cref="HpkeSuite.GenerateKeyPair"/>
/// or <see cref="HpkeSuite.DeriveKeyPair"/>.
/// </summary>
public abstract class HpkePrivateKey : IDisposable
{
    private readonly byte[] _publicKey;
    private readonly byte[] _privateKey;
    private bool _disposed;

    private protected HpkePrivateKey(HpkeKemId kem, byte[] privateKey, byte[] publicKey)
    {
        Kem = kem;
        _privateKey = privateKey;
        _publicKey = publicKey;
    }

    /// <summary>The KEM this key belongs to.</summary>
    public HpkeKemId Kem { get; }

    /// <summary>The serialized public key: 32 bytes (X25519) or an uncompressed point (65 / 133 bytes).</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>A copy of the serialized public key.</summary>
    public byte[] ExportPublicKey() => (byte[])_publicKey.Clone();

    /// <summary>
    /// A copy of the serialized private key (§7.1.2): the 32 raw bytes for X25519 (as imported or
    /// derived, as in Appendix A; X25519 clamps when it uses them), I2OSP(sk, Nsk) for P-256/P-521.
    /// </summary>
    public byte[] ExportPrivateKey()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return (byte[])_privateKey.Clone();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_privateKey);
            _disposed = true;
        }
    }

    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
