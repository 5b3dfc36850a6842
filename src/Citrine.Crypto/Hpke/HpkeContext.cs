using System.Security.Cryptography;
using Citrine.Crypto.Aead;

namespace Citrine.Crypto.Hpke;

/// <summary>
/// An HPKE encryption context (RFC 9180 §5.2): the AEAD key, base nonce, exporter secret and a
/// sequence number. Not thread-safe: the sequence number orders messages.
/// </summary>
public abstract class HpkeContext : IDisposable
{
    private readonly byte[] _key;
    private readonly byte[] _baseNonce;
    private readonly byte[] _exporterSecret;
    private readonly AeadCipher? _aead;
    private readonly UInt128 _maxSequence;
    private bool _disposed;

    private protected HpkeContext(HpkeSuite suite, byte[] key, byte[] baseNonce, byte[] exporterSecret)
    {
        Suite = suite;
        _key = key;
        _baseNonce = baseNonce;
        _exporterSecret = exporterSecret;
        _aead = suite.AeadId switch
        {
            HpkeAeadId.Aes128Gcm or HpkeAeadId.Aes256Gcm => new AesGcmCipher(key),
            HpkeAeadId.ChaCha20Poly1305 => new ChaCha20Poly1305Cipher(key),
            _ => null,
        };
        // §5.2: the sequence number must stay below 2^(8*Nn) - 1.
        _maxSequence = baseNonce.Length == 0 ? UInt128.Zero : (UInt128.One << (8 * baseNonce.Length)) - 1;
    }

    public HpkeSuite Suite { get; }

    /// <summary>The sequence number the next Seal/Open uses.</summary>
    public UInt128 SequenceNumber { get; private set; }

    internal ReadOnlySpan<byte> Key => _key;

    internal ReadOnlySpan<byte> BaseNonce => _baseNonce;

    internal ReadOnlySpan<byte> ExporterSecret => _exporterSecret;

    /// <summary>Secret export (§5.3): LabeledExpand(exporter_secret, "sec", exporter_context, L).</summary>
    /// <exception cref="HpkeException">L is negative or above 255·Nh.</exception>
    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length)
    {
        var max = 255 * Suite.Kdf.Nh;
        if (length < 0 || length > max)
        {
            throw new HpkeException($"an export is 0..{max} bytes (255·Nh) for this KDF, asked for {length}");
        }
        var result = new byte[length];
        Export(exporterContext, result);
        return result;
    }

    /// <summary>Secret export (§5.3) filling <paramref name="destination"/>.</summary>
    /// <exception cref="HpkeException">the destination is longer than 255·Nh.</exception>
    public void Export(ReadOnlySpan<byte> exporterContext, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var max = 255 * Suite.Kdf.Nh;
        if (destination.Length > max)
        {
            throw new HpkeException($"an export is at most {max} bytes (255·Nh) for this KDF, asked for {destination.Length}");
        }
        Suite.Kdf.LabeledExpand(Suite.SuiteId, _exporterSecret, "sec"u8, exporterContext, destination);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Moves the sequence number, so tests can reach the §5.2 limit without 2^96 messages.</summary>
    internal void SetSequenceNumberForTesting(UInt128 value) => SequenceNumber = value;

    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed)
        {
            if (disposing)
            {
                _aead?.Dispose();
            }
            CryptographicOperations.ZeroMemory(_key);
            CryptographicOperations.ZeroMemory(_exporterSecret);
            _disposed = true;
        }
    }

    /// <summary>Returns the AEAD and writes the nonce for the current sequence number, or throws when no message may be processed.</summary>
    private protected AeadCipher BeginMessage(Span<byte> nonce)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_aead is null)
        {
            throw new HpkeException("this is an export-only context (AEAD 0xFFFF): Seal and Open are not available (RFC 9180 §5.3)");
        }
        // §5.2 IncrementSeq raises MessageLimitReachedError once seq reaches 2^(8*Nn) - 1; checking
        // before the AEAD call means no ciphertext is produced or accepted at that number.
        if (SequenceNumber >= _maxSequence)
        {
            throw new MessageLimitReachedException($"the context has used all {_maxSequence} sequence numbers (RFC 9180 §5.2)");
        }
        // §5.2 ComputeNonce: base_nonce XOR I2OSP(seq, Nn).
        _baseNonce.CopyTo(nonce);
        var seq = SequenceNumber;
        for (var i = nonce.Length - 1; i >= 0 && seq != UInt128.Zero; i--)
        {
            nonce[i] ^= (byte)seq;
            seq >>= 8;
        }
        return _aead;
    }

    private protected void EndMessage() => SequenceNumber++;
}

/// <summary>The sender's context (RFC 9180 §5.2 ContextS): Seal and Export.</summary>
public sealed class HpkeSenderContext : HpkeContext
{
    private readonly byte[] _enc;

    internal HpkeSenderContext(HpkeSuite suite, byte[] enc, byte[] key, byte[] baseNonce, byte[] exporterSecret)
        : base(suite, key, baseNonce, exporterSecret)
    {
        _enc = enc;
    }

    /// <summary>The encapsulated key to send to the recipient.</summary>
    public ReadOnlySpan<byte> EncapsulatedKey => _enc;

    /// <summary>The encapsulated key array itself, handed to a single-shot result that owns it from then on.</summary>
    internal byte[] EncapsulatedKeyArray => _enc;

    /// <summary>Seals the next message (§5.2): returns <c>ciphertext || tag</c>.</summary>
    /// <exception cref="HpkeException">export-only context.</exception>
    /// <exception cref="MessageLimitReachedException">the sequence number is exhausted.</exception>
    public byte[] Seal(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        var result = new byte[plaintext.Length + Suite.TagSize];
        Seal(associatedData, plaintext, result);
        return result;
    }

    /// <summary>Seals the next message into <paramref name="destination"/> (plaintext length + Nt bytes).</summary>
    public void Seal(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Span<byte> nonce = stackalloc byte[AeadCipher.NonceSize];
        var aead = BeginMessage(nonce);
        aead.Seal(nonce, plaintext, associatedData, destination);
        EndMessage();
    }
}

/// <summary>The recipient's context (RFC 9180 §5.2 ContextR): Open and Export.</summary>
public sealed class HpkeRecipientContext : HpkeContext
{
    internal HpkeRecipientContext(HpkeSuite suite, byte[] key, byte[] baseNonce, byte[] exporterSecret)
        : base(suite, key, baseNonce, exporterSecret)
    {
    }

    /// <summary>Opens the next message (§5.2). A failed Open does not advance the sequence number.</summary>
    /// <exception cref="AuthenticationFailedException">the ciphertext, associated data or context does not authenticate.</exception>
    /// <exception cref="HpkeException">export-only context.</exception>
    /// <exception cref="MessageLimitReachedException">the sequence number is exhausted.</exception>
    public byte[] Open(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < Suite.TagSize)
        {
            throw new AuthenticationFailedException($"the ciphertext is {ciphertext.Length} bytes, shorter than the {Suite.TagSize}-byte tag");
        }
        var result = new byte[ciphertext.Length - Suite.TagSize];
        Open(associatedData, ciphertext, result);
        return result;
    }

    /// <summary>Opens the next message into <paramref name="destination"/> (ciphertext length − Nt bytes).</summary>
    public void Open(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        Span<byte> nonce = stackalloc byte[AeadCipher.NonceSize];
        var aead = BeginMessage(nonce);
        aead.Open(nonce, ciphertext, associatedData, destination);
        EndMessage();
    }
}
