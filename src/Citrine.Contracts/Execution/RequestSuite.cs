namespace Citrine.Contracts.Execution;

/// <summary>
/// The HPKE suites a request may use (docs/execution.md, "Requests"): RFC 9180 base mode,
/// DHKEM(X25519, HKDF-SHA256) (KEM 0x0020), HKDF-SHA256 (KDF 0x0001), and one of two AEADs. The
/// request record stores only the AEAD id, since KEM and KDF are fixed.
/// </summary>
public static class RequestSuite
{
    public const string ChaCha20Poly1305 = "x25519-sha256-chacha20poly1305";
    public const string Aes256Gcm = "x25519-sha256-aes256gcm";

    /// <summary>RFC 9180 §7.1: DHKEM(X25519, HKDF-SHA256).</summary>
    public const ushort KemId = 0x0020;

    /// <summary>RFC 9180 §7.2: HKDF-SHA256.</summary>
    public const ushort KdfId = 0x0001;

    /// <summary>RFC 9180 §7.3: ChaCha20Poly1305.</summary>
    public const ushort ChaCha20Poly1305AeadId = 0x0003;

    /// <summary>RFC 9180 §7.3: AES-256-GCM.</summary>
    public const ushort Aes256GcmAeadId = 0x0002;

    /// <summary>The size of <c>enc</c> for DHKEM(X25519): the sender's ephemeral public key.</summary>
    public const int EncSize = 32;

    /// <summary>The HPKE <c>info</c> of every request: UTF-8 <c>citrine/v1/request</c>.</summary>
    public const string Info = "citrine/v1/request";

    /// <summary>The AEAD id of a suite name; false for any other name (names are exact, lower case).</summary>
    public static bool TryGetAeadId(string? name, out ushort aeadId)
    {
        aeadId = name switch
        {
            ChaCha20Poly1305 => ChaCha20Poly1305AeadId,
            Aes256Gcm => Aes256GcmAeadId,
            _ => 0,
        };
        return aeadId != 0;
    }

    /// <summary>The suite name of an AEAD id; false for any other id.</summary>
    public static bool TryGetName(ushort aeadId, out string name)
    {
        name = aeadId switch
        {
            ChaCha20Poly1305AeadId => ChaCha20Poly1305,
            Aes256GcmAeadId => Aes256Gcm,
            _ => "",
        };
        return name.Length != 0;
    }

    /// <summary>True for the AEAD ids a request record may carry.</summary>
    public static bool IsAeadId(ushort aeadId) => aeadId is ChaCha20Poly1305AeadId or Aes256GcmAeadId;
}
