namespace Citrine.Crypto.Hpke;

/// <summary>HPKE modes (RFC 9180 §5, Table 1).</summary>
public enum HpkeMode
{
    Base = 0x00,
    Psk = 0x01,
    Auth = 0x02,
    AuthPsk = 0x03,
}

/// <summary>KEM identifiers (RFC 9180 §7.1, Table 2) implemented here.</summary>
public enum HpkeKemId
{
    DhkemP256HkdfSha256 = 0x0010,
    DhkemP521HkdfSha512 = 0x0012,
    DhkemX25519HkdfSha256 = 0x0020,
}

/// <summary>KDF identifiers (RFC 9180 §7.2, Table 3).</summary>
public enum HpkeKdfId
{
    HkdfSha256 = 0x0001,
    HkdfSha384 = 0x0002,
    HkdfSha512 = 0x0003,
}

/// <summary>AEAD identifiers (RFC 9180 §7.3, Table 5).</summary>
public enum HpkeAeadId
{
    Aes128Gcm = 0x0001,
    Aes256Gcm = 0x0002,
    ChaCha20Poly1305 = 0x0003,

    /// <summary>No AEAD: the context can only export secrets (§5.3); Seal and Open throw.</summary>
    ExportOnly = 0xFFFF,
}
