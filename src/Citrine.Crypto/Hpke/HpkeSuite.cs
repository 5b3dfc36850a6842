using System.Security.Cryptography;

namespace Citrine.Crypto.Hpke;

/// <summary>The result of a single-shot Seal (RFC 9180 §6.1): the encapsulated key and <c>ciphertext || tag</c>.</summary>
public sealed record HpkeSealedMessage(byte[] EncapsulatedKey, byte[] Ciphertext);

/// <summary>The result of a single-shot SendExport (RFC 9180 §6.2): the encapsulated key and the exported secret.</summary>
public sealed record HpkeExportedSecret(byte[] EncapsulatedKey, byte[] Secret);

/// <summary>
/// An HPKE ciphersuite (RFC 9180): a KEM, a KDF and an AEAD. Entry points for key handling,
/// the four setup modes (§5.1.1–§5.1.4) and single-shot Seal/Open (§6). Instances are immutable
/// and thread-safe; contexts are not.
/// </summary>
public sealed class HpkeSuite
{
    private readonly byte[] _suiteId;
    private readonly byte[] _emptyPskIdHash;

    private HpkeSuite(HpkeKemId kem, HpkeKdfId kdf, HpkeAeadId aead)
    {
        Kem = Dhkem.For(kem);
        Kdf = LabeledKdf.For(kdf);
        (KeySize, NonceSize, TagSize) = aead switch
        {
            HpkeAeadId.Aes128Gcm => (16, 12, 16),
            HpkeAeadId.Aes256Gcm => (32, 12, 16),
            HpkeAeadId.ChaCha20Poly1305 => (32, 12, 16),
            HpkeAeadId.ExportOnly => (0, 0, 0),
            _ => throw new HpkeException($"AEAD 0x{(int)aead:x4} is not supported"),
        };
        KemId = kem;
        KdfId = kdf;
        AeadId = aead;
        // §5.1: suite_id = concat("HPKE", I2OSP(kem_id, 2), I2OSP(kdf_id, 2), I2OSP(aead_id, 2))
        _suiteId = [(byte)'H', (byte)'P', (byte)'K', (byte)'E',
            (byte)((int)kem >> 8), (byte)kem, (byte)((int)kdf >> 8), (byte)kdf, (byte)((int)aead >> 8), (byte)aead];
        // psk_id is empty in base and auth modes, so its hash is a per-suite constant.
        _emptyPskIdHash = new byte[Kdf.Nh];
        Kdf.LabeledExtract(_suiteId, [], "psk_id_hash"u8, [], _emptyPskIdHash);
    }

    /// <summary>DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305: Citrine's default.</summary>
    public static HpkeSuite X25519Sha256ChaCha20Poly1305 { get; } = new(HpkeKemId.DhkemX25519HkdfSha256, HpkeKdfId.HkdfSha256, HpkeAeadId.ChaCha20Poly1305);

    /// <summary>DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM.</summary>
    public static HpkeSuite X25519Sha256Aes128Gcm { get; } = new(HpkeKemId.DhkemX25519HkdfSha256, HpkeKdfId.HkdfSha256, HpkeAeadId.Aes128Gcm);

    /// <summary>DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.</summary>
    public static HpkeSuite X25519Sha256Aes256Gcm { get; } = new(HpkeKemId.DhkemX25519HkdfSha256, HpkeKdfId.HkdfSha256, HpkeAeadId.Aes256Gcm);

    /// <summary>DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM.</summary>
    public static HpkeSuite P256Sha256Aes128Gcm { get; } = new(HpkeKemId.DhkemP256HkdfSha256, HpkeKdfId.HkdfSha256, HpkeAeadId.Aes128Gcm);

    public HpkeKemId KemId { get; }

    public HpkeKdfId KdfId { get; }

    public HpkeAeadId AeadId { get; }

    /// <summary>Nenc: the length of an encapsulated key (equal to Npk for DHKEM).</summary>
    public int EncapsulatedKeySize => Kem.Npk;

    /// <summary>Npk: the length of a serialized public key.</summary>
    public int PublicKeySize => Kem.Npk;

    /// <summary>Nsk: the length of a serialized private key.</summary>
    public int PrivateKeySize => Kem.Nsk;

    /// <summary>Nk (0 for export-only).</summary>
    public int KeySize { get; }

    /// <summary>Nn (0 for export-only).</summary>
    public int NonceSize { get; }

    /// <summary>Nt (0 for export-only).</summary>
    public int TagSize { get; }

    internal Dhkem Kem { get; }

    internal LabeledKdf Kdf { get; }

    internal ReadOnlySpan<byte> SuiteId => _suiteId;

    /// <summary>A suite from its identifiers.</summary>
    /// <exception cref="HpkeException">an identifier is not implemented here.</exception>
    public static HpkeSuite Create(HpkeKemId kem, HpkeKdfId kdf, HpkeAeadId aead) => new(kem, kdf, aead);

    public override string ToString() =>
        $"HPKE(KEM 0x{(int)KemId:x4}, KDF 0x{(int)KdfId:x4}, AEAD 0x{(int)AeadId:x4})";

    /// <summary>GenerateKeyPair (§4) from the system CSPRNG.</summary>
    public HpkePrivateKey GenerateKeyPair() => Kem.GenerateKeyPair();

    /// <summary>DeriveKeyPair (§7.1.3): a deterministic key pair from input keying material.</summary>
    public HpkePrivateKey DeriveKeyPair(ReadOnlySpan<byte> ikm) => Kem.DeriveKeyPair(ikm);

    /// <summary>DeserializePrivateKey (§7.1.2).</summary>
    /// <exception cref="InvalidKeyException">wrong length, or a P-256/P-521 scalar that is zero or not below the order.</exception>
    public HpkePrivateKey ImportPrivateKey(ReadOnlySpan<byte> privateKey) => Kem.ImportPrivateKey(privateKey);

    /// <summary>DeserializePublicKey (§7.1.1) with the validation of §7.1.4.</summary>
    /// <exception cref="InvalidKeyException">wrong length, not an uncompressed point, or not on the curve.</exception>
    public void ValidatePublicKey(ReadOnlySpan<byte> publicKey) => Kem.ValidatePublicKey(publicKey);

    /// <summary>SetupBaseS (§5.1.1).</summary>
    public HpkeSenderContext SetupBaseSender(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info) =>
        SetupSender(HpkeMode.Base, recipientPublicKey, info, [], [], null);

    /// <summary>SetupBaseR (§5.1.1).</summary>
    public HpkeRecipientContext SetupBaseRecipient(ReadOnlySpan<byte> enc, HpkePrivateKey recipient, ReadOnlySpan<byte> info) =>
        SetupRecipient(HpkeMode.Base, enc, recipient, info, [], [], []);

    /// <summary>
    /// SetupS for any mode (§5.1.1–§5.1.4). <paramref name="psk"/>/<paramref name="pskId"/> are empty
    /// unless the mode is psk or auth_psk; <paramref name="sender"/> is null unless the mode is auth or auth_psk.
    /// </summary>
    /// <exception cref="HpkeException">the PSK inputs or sender key do not fit the mode (§5.1 VerifyPSKInputs).</exception>
    /// <exception cref="InvalidKeyException">the recipient public key is malformed or invalid.</exception>
    public HpkeSenderContext SetupSender(HpkeMode mode, ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, HpkePrivateKey? sender)
    {
        CheckSetup(mode, psk, pskId, sender is not null);
        using var ephemeral = Kem.GenerateKeyPair();
        Span<byte> sharedSecret = stackalloc byte[Kem.Nsecret];
        try
        {
            return SetupSenderCore(mode, recipientPublicKey, info, psk, pskId, sender, ephemeral, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    /// <summary>SetupR for any mode (§5.1.1–§5.1.4). <paramref name="senderPublicKey"/> is empty unless the mode is auth or auth_psk.</summary>
    /// <exception cref="HpkeException">the PSK inputs or sender key do not fit the mode (§5.1 VerifyPSKInputs).</exception>
    /// <exception cref="InvalidKeyException">enc or the sender public key is malformed or invalid.</exception>
    public HpkeRecipientContext SetupRecipient(HpkeMode mode, ReadOnlySpan<byte> enc, HpkePrivateKey recipient, ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, ReadOnlySpan<byte> senderPublicKey)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var authenticated = mode is HpkeMode.Auth or HpkeMode.AuthPsk;
        CheckSetup(mode, psk, pskId, !senderPublicKey.IsEmpty);
        if (enc.Length != Kem.Npk)
        {
            throw new InvalidKeyException($"the encapsulated key is {Kem.Npk} bytes for this KEM, got {enc.Length}");
        }
        Span<byte> sharedSecret = stackalloc byte[Kem.Nsecret];
        try
        {
            Kem.Decap(enc, recipient, senderPublicKey, authenticated, sharedSecret);
            var (key, baseNonce, exporterSecret) = KeySchedule(mode, sharedSecret, info, psk, pskId);
            return new HpkeRecipientContext(this, key, baseNonce, exporterSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    /// <summary>Single-shot base-mode Seal (§6.1).</summary>
    public HpkeSealedMessage Seal(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext) =>
        Seal(HpkeMode.Base, recipientPublicKey, info, associatedData, plaintext, [], [], null);

    /// <summary>Single-shot Seal for any mode (§6.1).</summary>
    public HpkeSealedMessage Seal(HpkeMode mode, ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> associatedData,
        ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, HpkePrivateKey? sender)
    {
        using var context = SetupSender(mode, recipientPublicKey, info, psk, pskId, sender);
        var ciphertext = context.Seal(associatedData, plaintext);
        return new HpkeSealedMessage(context.EncapsulatedKeyArray, ciphertext);
    }

    /// <summary>Single-shot base-mode Open (§6.1).</summary>
    /// <exception cref="AuthenticationFailedException">the message does not authenticate.</exception>
    public byte[] Open(ReadOnlySpan<byte> enc, HpkePrivateKey recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext) =>
        Open(HpkeMode.Base, enc, recipient, info, associatedData, ciphertext, [], [], []);

    /// <summary>Single-shot Open for any mode (§6.1).</summary>
    /// <exception cref="AuthenticationFailedException">the message does not authenticate.</exception>
    public byte[] Open(HpkeMode mode, ReadOnlySpan<byte> enc, HpkePrivateKey recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> associatedData,
        ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, ReadOnlySpan<byte> senderPublicKey)
    {
        using var context = SetupRecipient(mode, enc, recipient, info, psk, pskId, senderPublicKey);
        return context.Open(associatedData, ciphertext);
    }

    /// <summary>Single-shot SendExport (§6.2): sets up a sender context and exports <paramref name="length"/> bytes.</summary>
    /// <exception cref="HpkeException">the length is above 255·Nh, or the PSK/sender inputs do not fit the mode.</exception>
    public HpkeExportedSecret SendExport(HpkeMode mode, ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> exporterContext,
        int length, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, HpkePrivateKey? sender)
    {
        using var context = SetupSender(mode, recipientPublicKey, info, psk, pskId, sender);
        return new HpkeExportedSecret(context.EncapsulatedKeyArray, context.Export(exporterContext, length));
    }

    /// <summary>Single-shot ReceiveExport (§6.2).</summary>
    /// <exception cref="HpkeException">the length is above 255·Nh, or the PSK/sender inputs do not fit the mode.</exception>
    public byte[] ReceiveExport(HpkeMode mode, ReadOnlySpan<byte> enc, HpkePrivateKey recipient, ReadOnlySpan<byte> info, ReadOnlySpan<byte> exporterContext,
        int length, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, ReadOnlySpan<byte> senderPublicKey)
    {
        using var context = SetupRecipient(mode, enc, recipient, info, psk, pskId, senderPublicKey);
        return context.Export(exporterContext, length);
    }

    /// <summary>
    /// SetupS for any mode whose ephemeral key pair is <c>DeriveKeyPair(ikmE)</c> (RFC 9180 §4.1
    /// Encap with §7.1.3 DeriveKeyPair, as the Appendix A vectors are made). For a sender that must
    /// be deterministic, e.g. an enclave whose outputs are a function of proven inputs and sealed
    /// keys: <paramref name="ikmE"/> must be secret, at least Nsk bytes of entropy, and never used
    /// for two different messages; reusing it for different plaintexts reuses the AEAD key and nonce.
    /// </summary>
    /// <exception cref="HpkeException">ikmE is shorter than Nsk, or the PSK/sender inputs do not fit the mode.</exception>
    /// <exception cref="InvalidKeyException">the recipient public key is malformed or invalid.</exception>
    public HpkeSenderContext SetupSenderDerived(HpkeMode mode, ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, HpkePrivateKey? sender, ReadOnlySpan<byte> ikmE)
    {
        CheckSetup(mode, psk, pskId, sender is not null);
        if (ikmE.Length < Kem.Nsk)
        {
            throw new HpkeException($"ikmE is {ikmE.Length} bytes; DeriveKeyPair needs at least Nsk = {Kem.Nsk} bytes of entropy (RFC 9180 §7.1.3)");
        }
        using var ephemeral = Kem.DeriveKeyPair(ikmE);
        Span<byte> sharedSecret = stackalloc byte[Kem.Nsecret];
        try
        {
            return SetupSenderCore(mode, recipientPublicKey, info, psk, pskId, sender, ephemeral, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    /// <summary>SetupBaseS (§5.1.1) with the ephemeral key pair <c>DeriveKeyPair(ikmE)</c>; see <see cref="SetupSenderDerived"/>.</summary>
    public HpkeSenderContext SetupBaseSenderDerived(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> ikmE) =>
        SetupSenderDerived(HpkeMode.Base, recipientPublicKey, info, [], [], null, ikmE);

    /// <summary>Single-shot base-mode Seal (§6.1) with the ephemeral key pair <c>DeriveKeyPair(ikmE)</c>: the same inputs give the same bytes.</summary>
    public HpkeSealedMessage SealDerived(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> associatedData,
        ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> ikmE)
    {
        using var context = SetupBaseSenderDerived(recipientPublicKey, info, ikmE);
        var ciphertext = context.Seal(associatedData, plaintext);
        return new HpkeSealedMessage(context.EncapsulatedKeyArray, ciphertext);
    }

    /// <summary>
    /// TEST ONLY: SetupS with a caller-chosen ephemeral key, so the RFC 9180 Appendix A vectors can
    /// be reproduced. Reusing an ephemeral key destroys HPKE's security; production code must use
    /// <see cref="SetupSender"/>.
    /// </summary>
    internal HpkeSenderContext SetupSenderDeterministicForTesting(HpkeMode mode, ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, HpkePrivateKey? sender, HpkePrivateKey ephemeral, Span<byte> sharedSecret)
    {
        CheckSetup(mode, psk, pskId, sender is not null);
        return SetupSenderCore(mode, recipientPublicKey, info, psk, pskId, sender, ephemeral, sharedSecret);
    }

    private HpkeSenderContext SetupSenderCore(HpkeMode mode, ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, HpkePrivateKey? sender, HpkePrivateKey ephemeral, Span<byte> sharedSecret)
    {
        if (recipientPublicKey.Length != Kem.Npk)
        {
            throw new InvalidKeyException($"the recipient public key is {Kem.Npk} bytes for this KEM, got {recipientPublicKey.Length}");
        }
        Kem.Encap(recipientPublicKey, ephemeral, sender, sharedSecret);
        var (key, baseNonce, exporterSecret) = KeySchedule(mode, sharedSecret, info, psk, pskId);
        return new HpkeSenderContext(this, ephemeral.ExportPublicKey(), key, baseNonce, exporterSecret);
    }

    // §5.1 VerifyPSKInputs, plus the sender key that auth modes need and other modes must not get.
    private static void CheckSetup(HpkeMode mode, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId, bool hasSender)
    {
        if (mode is not (HpkeMode.Base or HpkeMode.Psk or HpkeMode.Auth or HpkeMode.AuthPsk))
        {
            throw new HpkeException($"mode 0x{(int)mode:x2} is not an HPKE mode");
        }
        var gotPsk = !psk.IsEmpty;
        var gotPskId = !pskId.IsEmpty;
        if (gotPsk != gotPskId)
        {
            throw new HpkeException("inconsistent PSK inputs: psk and psk_id must both be given or both be empty (RFC 9180 §5.1)");
        }
        var pskMode = mode is HpkeMode.Psk or HpkeMode.AuthPsk;
        if (gotPsk && !pskMode)
        {
            throw new HpkeException($"a PSK was given to mode {mode}, which does not use one (RFC 9180 §5.1)");
        }
        if (!gotPsk && pskMode)
        {
            throw new HpkeException($"mode {mode} requires a PSK and psk_id (RFC 9180 §5.1)");
        }
        var authMode = mode is HpkeMode.Auth or HpkeMode.AuthPsk;
        if (hasSender != authMode)
        {
            throw new HpkeException(authMode
                ? $"mode {mode} requires the sender's key"
                : $"mode {mode} does not take a sender key; use Auth or AuthPsk to authenticate the sender");
        }
    }

    // §5.1 KeySchedule.
    private (byte[] Key, byte[] BaseNonce, byte[] ExporterSecret) KeySchedule(HpkeMode mode, ReadOnlySpan<byte> sharedSecret,
        ReadOnlySpan<byte> info, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> pskId)
    {
        var nh = Kdf.Nh;
        Span<byte> context = stackalloc byte[1 + (2 * 64)];
        context = context[..(1 + (2 * nh))];
        Span<byte> secret = stackalloc byte[64];
        secret = secret[..nh];
        try
        {
            // key_schedule_context = mode || psk_id_hash || info_hash
            context[0] = (byte)mode;
            if (pskId.IsEmpty)
            {
                _emptyPskIdHash.CopyTo(context[1..]);
            }
            else
            {
                Kdf.LabeledExtract(SuiteId, [], "psk_id_hash"u8, pskId, context.Slice(1, nh));
            }
            Kdf.LabeledExtract(SuiteId, [], "info_hash"u8, info, context.Slice(1 + nh, nh));
            Kdf.LabeledExtract(SuiteId, sharedSecret, "secret"u8, psk, secret);
            var key = new byte[KeySize];
            var baseNonce = new byte[NonceSize];
            if (AeadId != HpkeAeadId.ExportOnly)
            {
                Kdf.LabeledExpand(SuiteId, secret, "key"u8, context, key);
                Kdf.LabeledExpand(SuiteId, secret, "base_nonce"u8, context, baseNonce);
            }
            var exporterSecret = new byte[nh];
            Kdf.LabeledExpand(SuiteId, secret, "exp"u8, context, exporterSecret);
            return (key, baseNonce, exporterSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
