using System.Security.Cryptography;

namespace Citrine.Crypto.Hpke;

/// <summary>
/// DHKEM (RFC 9180 §4.1) over a Diffie-Hellman group. Subclasses supply the group operations
/// (key generation, DeriveKeyPair §7.1.3, public key validation §7.1.4, DH); this class builds
/// Encap/Decap and AuthEncap/AuthDecap with ExtractAndExpand.
/// </summary>
internal abstract class Dhkem
{
    private readonly byte[] _suiteId;

    protected Dhkem(HpkeKemId id, LabeledKdf kdf, int nsecret, int npk, int nsk, int ndh)
    {
        Id = id;
        Kdf = kdf;
        Nsecret = nsecret;
        Npk = npk;
        Nsk = nsk;
        Ndh = ndh;
        // §4.1: suite_id = concat("KEM", I2OSP(kem_id, 2))
        _suiteId = [(byte)'K', (byte)'E', (byte)'M', (byte)((int)id >> 8), (byte)id];
    }

    public HpkeKemId Id { get; }

    public LabeledKdf Kdf { get; }

    /// <summary>Length of the KEM shared secret.</summary>
    public int Nsecret { get; }

    /// <summary>Length of a serialized public key, which is also Nenc.</summary>
    public int Npk { get; }

    /// <summary>Length of a serialized private key.</summary>
    public int Nsk { get; }

    /// <summary>Length of one DH output.</summary>
    public int Ndh { get; }

    public ReadOnlySpan<byte> SuiteId => _suiteId;

    public static Dhkem For(HpkeKemId id) => id switch
    {
        HpkeKemId.DhkemX25519HkdfSha256 => X25519Dhkem.Instance,
        HpkeKemId.DhkemP256HkdfSha256 => NistDhkem.P256,
        HpkeKemId.DhkemP521HkdfSha512 => NistDhkem.P521,
        _ => throw new HpkeException($"KEM 0x{(int)id:x4} is not supported"),
    };

    public abstract HpkePrivateKey GenerateKeyPair();

    /// <summary>DeriveKeyPair (§7.1.3).</summary>
    public abstract HpkePrivateKey DeriveKeyPair(ReadOnlySpan<byte> ikm);

    /// <summary>DeserializePrivateKey (§7.1.2) with range checks.</summary>
    /// <exception cref="InvalidKeyException">wrong length or out of range.</exception>
    public abstract HpkePrivateKey ImportPrivateKey(ReadOnlySpan<byte> privateKey);

    /// <summary>DeserializePublicKey (§7.1.1) with the validation of §7.1.4.</summary>
    /// <exception cref="InvalidKeyException">wrong length, bad encoding or not on the curve.</exception>
    public abstract void ValidatePublicKey(ReadOnlySpan<byte> publicKey);

    /// <summary>DH(sk, pk) into <paramref name="dh"/> (Ndh bytes); validates the public key.</summary>
    protected abstract void DiffieHellman(HpkePrivateKey privateKey, ReadOnlySpan<byte> publicKey, Span<byte> dh);

    /// <summary>
    /// Encap / AuthEncap (§4.1) with the ephemeral key <paramref name="ephemeral"/>; the caller
    /// takes <c>enc</c> from its public key. <paramref name="sender"/> is null in base/psk modes.
    /// </summary>
    public void Encap(ReadOnlySpan<byte> recipientPublicKey, HpkePrivateKey ephemeral, HpkePrivateKey? sender, Span<byte> sharedSecret)
    {
        CheckOwnKey(ephemeral, "ephemeral");
        if (sender is not null)
        {
            CheckOwnKey(sender, "sender");
        }
        var count = sender is null ? 1 : 2;
        Span<byte> dhBuffer = stackalloc byte[2 * 66];
        var dh = dhBuffer[..(count * Ndh)];
        try
        {
            DiffieHellman(ephemeral, recipientPublicKey, dh[..Ndh]);
            if (sender is not null)
            {
                DiffieHellman(sender, recipientPublicKey, dh[Ndh..]);
            }
            Span<byte> contextBuffer = stackalloc byte[3 * 133];
            var kemContext = contextBuffer[..((count + 1) * Npk)];
            ephemeral.PublicKey.CopyTo(kemContext);
            recipientPublicKey.CopyTo(kemContext[Npk..]);
            if (sender is not null)
            {
                sender.PublicKey.CopyTo(kemContext[(2 * Npk)..]);
            }
            ExtractAndExpand(dh, kemContext, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>Decap / AuthDecap (§4.1). <paramref name="senderPublicKey"/> is empty in base/psk modes.</summary>
    public void Decap(ReadOnlySpan<byte> enc, HpkePrivateKey recipient, ReadOnlySpan<byte> senderPublicKey, bool authenticated, Span<byte> sharedSecret)
    {
        CheckOwnKey(recipient, "recipient");
        var count = authenticated ? 2 : 1;
        Span<byte> dhBuffer = stackalloc byte[2 * 66];
        var dh = dhBuffer[..(count * Ndh)];
        try
        {
            DiffieHellman(recipient, enc, dh[..Ndh]);
            if (authenticated)
            {
                DiffieHellman(recipient, senderPublicKey, dh[Ndh..]);
            }
            Span<byte> contextBuffer = stackalloc byte[3 * 133];
            var kemContext = contextBuffer[..((count + 1) * Npk)];
            enc.CopyTo(kemContext);
            recipient.PublicKey.CopyTo(kemContext[Npk..]);
            if (authenticated)
            {
                senderPublicKey.CopyTo(kemContext[(2 * Npk)..]);
            }
            ExtractAndExpand(dh, kemContext, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>The dkp_prk step shared by every DeriveKeyPair (§7.1.3).</summary>
    protected void DeriveKeyPairPrk(ReadOnlySpan<byte> ikm, Span<byte> prk) =>
        Kdf.LabeledExtract(SuiteId, [], "dkp_prk"u8, ikm, prk);

    protected void CheckLength(ReadOnlySpan<byte> value, int expected, string what)
    {
        if (value.Length != expected)
        {
            throw new InvalidKeyException($"{Name}: a {what} is {expected} bytes, got {value.Length}");
        }
    }

    protected string Name => Id switch
    {
        HpkeKemId.DhkemX25519HkdfSha256 => "DHKEM(X25519, HKDF-SHA256)",
        HpkeKemId.DhkemP256HkdfSha256 => "DHKEM(P-256, HKDF-SHA256)",
        HpkeKemId.DhkemP521HkdfSha512 => "DHKEM(P-521, HKDF-SHA512)",
        _ => Id.ToString(),
    };

    // §4.1 ExtractAndExpand: eae_prk = LabeledExtract("", "eae_prk", dh);
    // shared_secret = LabeledExpand(eae_prk, "shared_secret", kem_context, Nsecret).
    private void ExtractAndExpand(ReadOnlySpan<byte> dh, ReadOnlySpan<byte> kemContext, Span<byte> sharedSecret)
    {
        Span<byte> prk = stackalloc byte[64];
        prk = prk[..Kdf.Nh];
        Kdf.LabeledExtract(SuiteId, [], "eae_prk"u8, dh, prk);
        Kdf.LabeledExpand(SuiteId, prk, "shared_secret"u8, kemContext, sharedSecret[..Nsecret]);
        CryptographicOperations.ZeroMemory(prk);
    }

    private void CheckOwnKey(HpkePrivateKey key, string role)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Kem != Id)
        {
            throw new InvalidKeyException($"the {role} private key belongs to KEM 0x{(int)key.Kem:x4}, this suite uses {Name}");
        }
    }
}
