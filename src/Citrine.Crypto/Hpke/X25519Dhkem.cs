using System.Security.Cryptography;
using NSec.Cryptography;

namespace Citrine.Crypto.Hpke;

/// <summary>DHKEM(X25519, HKDF-SHA256), KEM id 0x0020 (RFC 9180 §7.1), with X25519 (RFC 7748) from libsodium through NSec.</summary>
internal sealed class X25519Dhkem : Dhkem
{
    public const int KeySize = 32;

    private static readonly KeyAgreementAlgorithm Algorithm = KeyAgreementAlgorithm.X25519;

    private X25519Dhkem()
        : base(HpkeKemId.DhkemX25519HkdfSha256, LabeledKdf.HkdfSha256, nsecret: 32, npk: KeySize, nsk: KeySize, ndh: KeySize)
    {
    }

    public static X25519Dhkem Instance { get; } = new();

    public override HpkePrivateKey GenerateKeyPair()
    {
        Span<byte> sk = stackalloc byte[KeySize];
        RandomNumberGenerator.Fill(sk);
        try
        {
            return ImportPrivateKey(sk);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sk);
        }
    }

    // §7.1.3: dkp_prk = LabeledExtract("", "dkp_prk", ikm); sk = LabeledExpand(dkp_prk, "sk", "", Nsk).
    public override HpkePrivateKey DeriveKeyPair(ReadOnlySpan<byte> ikm)
    {
        Span<byte> prk = stackalloc byte[32];
        Span<byte> sk = stackalloc byte[KeySize];
        try
        {
            DeriveKeyPairPrk(ikm, prk);
            Kdf.LabeledExpand(SuiteId, prk, "sk"u8, [], sk);
            return ImportPrivateKey(sk);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
            CryptographicOperations.ZeroMemory(sk);
        }
    }

    public override HpkePrivateKey ImportPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        CheckLength(privateKey, KeySize, "private key");
        var key = Key.Import(Algorithm, privateKey, KeyBlobFormat.RawPrivateKey);
        return new X25519PrivateKey(key, privateKey.ToArray(), key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    // §7.1.1: an X25519 public key is its 32 raw bytes; every 32-byte string decodes (RFC 7748 §5).
    // Low-order points are caught by the all-zero check on the DH output (§7.1.4).
    public override void ValidatePublicKey(ReadOnlySpan<byte> publicKey) => ImportPublicKey(publicKey);

    protected override void DiffieHellman(HpkePrivateKey privateKey, ReadOnlySpan<byte> publicKey, Span<byte> dh)
    {
        var key = ((X25519PrivateKey)privateKey).NSecKey;
        var peer = ImportPublicKey(publicKey);
        // libsodium refuses an all-zero result (a small-order peer key): RFC 9180 §7.1.4 requires that check.
        using var secret = Algorithm.Agree(key, peer, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })
            ?? throw new InvalidKeyException("X25519: the shared secret is all zero (the public key has small order), RFC 9180 §7.1.4");
        var raw = secret.Export(SharedSecretBlobFormat.RawSharedSecret);
        try
        {
            raw.CopyTo(dh);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    private PublicKey ImportPublicKey(ReadOnlySpan<byte> publicKey)
    {
        CheckLength(publicKey, KeySize, "public key");
        if (!NSec.Cryptography.PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
        {
            throw new InvalidKeyException("X25519: the public key was refused by the X25519 implementation");
        }
        return key;
    }

    private sealed class X25519PrivateKey(Key key, byte[] privateKey, byte[] publicKey)
        : HpkePrivateKey(HpkeKemId.DhkemX25519HkdfSha256, privateKey, publicKey)
    {
        public Key NSecKey
        {
            get
            {
                ThrowIfDisposed();
                return key;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                key.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
