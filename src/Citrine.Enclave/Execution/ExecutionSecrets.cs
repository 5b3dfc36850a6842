using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Citrine.Crypto;
using Citrine.Crypto.Aead;
using Citrine.Crypto.Hpke;
using Citrine.Crypto.Kdf;

namespace Citrine.Enclave.Execution;

/// <summary>
/// The keys derived from the session's sealed master secret (docs/execution.md, "Determinism and
/// keys"): the state key and its deterministic encryption, and the handler's randomness. Every
/// output is a function of this secret and the proven inputs, so a re-run gives the same bytes.
/// </summary>
internal sealed class ExecutionSecrets : IDisposable
{
    public const int StateKeySize = 32;
    public const int HashSize = 32;

    private const string StateTag = "citrine/v1/state";
    private const string RandomTag = "citrine/v1/random";

    private readonly byte[] _master;
    private readonly byte[] _stateKey;
    private readonly byte[] _stateAad;

    public ExecutionSecrets(ReadOnlySpan<byte> masterSecret, string chainId, ReadOnlySpan<byte> contract)
    {
        if (masterSecret.Length != 32)
        {
            throw new ArgumentException($"the master secret is 32 bytes, got {masterSecret.Length}", nameof(masterSecret));
        }
        _master = masterSecret.ToArray();
        var chain = Encoding.UTF8.GetBytes(chainId);
        // state key = HKDF-SHA256(master, salt = "citrine/v1/state", info = chain_id ‖ contract)
        _stateKey = Hkdf.DeriveKey(HashAlgorithmName.SHA256, _master, StateKeySize, Encoding.UTF8.GetBytes(StateTag), [.. chain, .. contract]);
        // aad = LP("citrine/v1/state") ‖ LP(chain_id) ‖ LP(contract)
        _stateAad = [.. Lp(Encoding.UTF8.GetBytes(StateTag)), .. Lp(chain), .. Lp(contract)];
    }

    /// <summary>
    /// <c>nonce[12] ‖ ChaCha20-Poly1305(state key, nonce, plaintext, aad)</c> with
    /// <c>nonce = HMAC-SHA256(state key, "nonce" ‖ prev_state_hash ‖ u64 first_seq ‖ u64 end_seq)[..12]</c>.
    /// </summary>
    public byte[] EncryptState(ReadOnlySpan<byte> previousStateHash, ulong firstSeq, ulong endSeq, ReadOnlySpan<byte> plaintext)
    {
        var input = new byte[5 + HashSize + 16];
        "nonce"u8.CopyTo(input);
        previousStateHash.CopyTo(input.AsSpan(5));
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(5 + HashSize), firstSeq);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(5 + HashSize + 8), endSeq);
        var nonce = HMACSHA256.HashData(_stateKey, input).AsSpan(0, AeadCipher.NonceSize);
        using var cipher = new ChaCha20Poly1305Cipher(_stateKey);
        var blob = new byte[AeadCipher.NonceSize + plaintext.Length + AeadCipher.TagSize];
        nonce.CopyTo(blob);
        cipher.Seal(nonce, plaintext, _stateAad, blob.AsSpan(AeadCipher.NonceSize));
        return blob;
    }

    /// <summary>Opens a state blob; false when it is too short or does not authenticate under this session's state key.</summary>
    public bool TryDecryptState(ReadOnlySpan<byte> blob, out byte[] plaintext)
    {
        plaintext = [];
        if (blob.Length < AeadCipher.NonceSize + AeadCipher.TagSize)
        {
            return false;
        }
        try
        {
            using var cipher = new ChaCha20Poly1305Cipher(_stateKey);
            plaintext = cipher.Open(blob[..AeadCipher.NonceSize], blob[AeadCipher.NonceSize..], _stateAad);
            return true;
        }
        catch (CryptoException)
        {
            return false;
        }
    }

    /// <summary><c>HKDF-SHA256(master, salt = "citrine/v1/random", info = prev_state_hash ‖ u64 seq ‖ LP(label))</c>.</summary>
    public byte[] DeriveRandom(ReadOnlySpan<byte> previousStateHash, ulong seq, string label, int length)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (length is < 1 or > 255 * 32)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "HKDF-SHA256 gives 1 to 8160 bytes");
        }
        var seqBytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(seqBytes, seq);
        byte[] info = [.. previousStateHash, .. seqBytes, .. Lp(Encoding.UTF8.GetBytes(label))];
        return Hkdf.DeriveKey(HashAlgorithmName.SHA256, _master, length, Encoding.UTF8.GetBytes(RandomTag), info);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_master);
        CryptographicOperations.ZeroMemory(_stateKey);
    }

    internal static byte[] Lp(ReadOnlySpan<byte> value)
    {
        var output = new byte[4 + value.Length];
        BinaryPrimitives.WriteUInt32BigEndian(output, (uint)value.Length);
        value.CopyTo(output.AsSpan(4));
        return output;
    }
}

/// <summary>The <see cref="IAppContext"/> of one batch: randomness and sealing bound to the batch's previous state hash.</summary>
internal sealed class DeterministicAppContext(ExecutionSecrets secrets, byte[] previousStateHash) : IAppContext
{
    public const string SealLabelPrefix = "citrine/v1/seal/";

    public byte[] DeriveRandom(ulong seq, string label, int length) => secrets.DeriveRandom(previousStateHash, seq, label, length);

    public HpkeSealedMessage SealTo(ReadOnlySpan<byte> recipientX25519PublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, ulong seq)
    {
        // The ephemeral key is bound to the whole message: two different messages never share one
        // (which would reuse the AEAD key and nonce); the same message gives the same bytes.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(ExecutionSecrets.Lp(recipientX25519PublicKey));
        hash.AppendData(ExecutionSecrets.Lp(info));
        hash.AppendData(ExecutionSecrets.Lp(aad));
        hash.AppendData(ExecutionSecrets.Lp(plaintext));
        var label = SealLabelPrefix + Convert.ToHexStringLower(hash.GetHashAndReset());
        var ikmE = DeriveRandom(seq, label, 32);
        try
        {
            return HpkeSuite.X25519Sha256ChaCha20Poly1305.SealDerived(recipientX25519PublicKey, info, aad, plaintext, ikmE);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikmE);
        }
    }
}
