using System.Formats.Asn1;
using System.Security.Cryptography;
using Citrine.Attestation.Dcap.Collateral;

namespace Citrine.Attestation.Dcap.Pck;

/// <summary>
/// The parts of an X.509 certificate (RFC 5280 section 4.1) that DCAP verification needs, read
/// with System.Formats.Asn1: signed TBS bytes, signature, names, serial, validity, the P-256
/// public key and the raw extensions. No platform chain building and no clock are involved.
/// </summary>
public sealed class DcapCertificate
{
    /// <summary>ecdsa-with-SHA256.</summary>
    public const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    private const string EcPublicKey = "1.2.840.10045.2.1";
    private const string P256 = "1.2.840.10045.3.1.7";
    private const string BasicConstraints = "2.5.29.19";
    private const string KeyUsage = "2.5.29.15";
    private const string CommonNameOid = "2.5.4.3";

    private DcapCertificate(byte[] der)
    {
        Der = der;
    }

    public byte[] Der { get; }

    public byte[] TbsBytes { get; private set; } = [];

    public string SignatureAlgorithm { get; private set; } = string.Empty;

    /// <summary>DER ECDSA signature value.</summary>
    public byte[] Signature { get; private set; } = [];

    /// <summary>Big-endian serial number bytes as encoded.</summary>
    public byte[] SerialNumber { get; private set; } = [];

    /// <summary>DER encoding of the issuer Name.</summary>
    public byte[] Issuer { get; private set; } = [];

    /// <summary>DER encoding of the subject Name.</summary>
    public byte[] Subject { get; private set; } = [];

    public DateTimeOffset NotBefore { get; private set; }

    public DateTimeOffset NotAfter { get; private set; }

    /// <summary>Uncompressed P-256 point x||y (64 bytes), or empty when the key is not P-256.</summary>
    public byte[] PublicKey { get; private set; } = [];

    /// <summary>Extensions by OID: DER of the extnValue content.</summary>
    public IReadOnlyDictionary<string, byte[]> Extensions { get; private set; } = new Dictionary<string, byte[]>();

    /// <summary>
    /// The first extension marked critical that this verifier does not process, or null. RFC 5280
    /// section 4.2: a certificate with an unrecognised critical extension must be rejected. Intel's
    /// certificates mark only basicConstraints and keyUsage critical.
    /// </summary>
    public string? UnknownCriticalExtension { get; private set; }

    /// <summary>The subject's commonName (2.5.4.3), or null when the subject has none.</summary>
    public string? CommonName { get; private set; }

    /// <summary>The subject name as text (for messages).</summary>
    public string SubjectText => NameText(Subject);

    public string IssuerText => NameText(Issuer);

    public bool IsValidAt(DateTimeOffset now) => now >= NotBefore && now <= NotAfter;

    /// <summary>Whether basicConstraints (2.5.29.19, RFC 5280 4.2.1.9) marks this certificate as a CA.</summary>
    public bool IsCa
    {
        get
        {
            if (!Extensions.TryGetValue(BasicConstraints, out var value))
            {
                return false;
            }
            try
            {
                var seq = new AsnReader(value, AsnEncodingRules.DER).ReadSequence();
                return seq.HasData && seq.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && seq.ReadBoolean();
            }
            catch (AsnContentException)
            {
                return false;
            }
        }
    }

    public static DcapCertificate Parse(byte[] der, string item = "certificate")
    {
        ArgumentNullException.ThrowIfNull(der);
        var cert = new DcapCertificate(der);
        try
        {
            cert.Read();
        }
        catch (AsnContentException e)
        {
            throw new CollateralFormatException(item, $"malformed certificate: {e.Message}", e);
        }
        return cert;
    }

    /// <summary>Whether <paramref name="issuerKey"/> (x||y) signed this certificate with ECDSA P-256/SHA-256.</summary>
    public bool IsSignedBy(ReadOnlySpan<byte> issuerKey) =>
        SignatureAlgorithm == EcdsaWithSha256 && EcdsaP256.VerifyDer(issuerKey, TbsBytes, Signature);

    private void Read()
    {
        var outer = new AsnReader(Der, AsnEncodingRules.DER);
        var cert = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        TbsBytes = cert.ReadEncodedValue().ToArray();
        var alg = cert.ReadSequence();
        SignatureAlgorithm = alg.ReadObjectIdentifier();
        Signature = cert.ReadBitString(out var unused);
        if (unused != 0)
        {
            throw new AsnContentException("signature has unused bits");
        }
        cert.ThrowIfNotEmpty();

        var tbs = new AsnReader(TbsBytes, AsnEncodingRules.DER).ReadSequence();
        var v0 = new Asn1Tag(TagClass.ContextSpecific, 0, true);
        if (tbs.PeekTag().HasSameClassAndValue(v0))
        {
            tbs.ReadSequence(v0);
        }
        SerialNumber = tbs.ReadIntegerBytes().ToArray();
        var innerAlg = tbs.ReadSequence();
        if (innerAlg.ReadObjectIdentifier() != SignatureAlgorithm)
        {
            throw new AsnContentException("inner and outer signature algorithms differ");
        }
        Issuer = tbs.ReadEncodedValue().ToArray();
        var validity = tbs.ReadSequence();
        NotBefore = ReadTime(validity);
        NotAfter = ReadTime(validity);
        validity.ThrowIfNotEmpty();
        Subject = tbs.ReadEncodedValue().ToArray();
        CommonName = ReadCommonName(Subject);
        var spki = tbs.ReadSequence();
        var keyAlg = spki.ReadSequence();
        var keyOid = keyAlg.ReadObjectIdentifier();
        var curve = keyAlg.HasData && keyAlg.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier) ? keyAlg.ReadObjectIdentifier() : null;
        var point = spki.ReadBitString(out _);
        if (keyOid == EcPublicKey && curve == P256 && point.Length == 65 && point[0] == 0x04)
        {
            PublicKey = point[1..];
        }
        var extensions = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var e3 = new Asn1Tag(TagClass.ContextSpecific, 3, true);
        while (tbs.HasData)
        {
            var tag = tbs.PeekTag();
            if (tag.HasSameClassAndValue(e3))
            {
                var wrapper = tbs.ReadSequence(e3);
                var list = wrapper.ReadSequence();
                while (list.HasData)
                {
                    var ext = list.ReadSequence();
                    var oid = ext.ReadObjectIdentifier();
                    var critical = ext.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && ext.ReadBoolean();
                    // RFC 5280 4.2: "A certificate MUST NOT include more than one instance of a particular extension."
                    if (!extensions.TryAdd(oid, ext.ReadOctetString()))
                    {
                        throw new AsnContentException($"extension {oid} appears more than once");
                    }
                    if (critical && oid is not (BasicConstraints or KeyUsage))
                    {
                        UnknownCriticalExtension ??= oid;
                    }
                }
            }
            else
            {
                tbs.ReadEncodedValue();
            }
        }
        Extensions = extensions;
    }

    /// <summary>The value of the (single) commonName attribute of a Name (RFC 5280 4.1.2.4); two CNs are refused.</summary>
    private static string? ReadCommonName(byte[] name)
    {
        string? cn = null;
        var rdns = new AsnReader(name, AsnEncodingRules.DER).ReadSequence();
        while (rdns.HasData)
        {
            var set = rdns.ReadSetOf();
            while (set.HasData)
            {
                var attribute = set.ReadSequence();
                if (attribute.ReadObjectIdentifier() != CommonNameOid)
                {
                    continue;
                }
                if (cn is not null)
                {
                    throw new AsnContentException("the subject has more than one commonName");
                }
                var tag = attribute.PeekTag();
                cn = tag.TagValue switch
                {
                    (int)UniversalTagNumber.UTF8String => attribute.ReadCharacterString(UniversalTagNumber.UTF8String),
                    (int)UniversalTagNumber.PrintableString => attribute.ReadCharacterString(UniversalTagNumber.PrintableString),
                    _ => throw new AsnContentException("commonName is neither a UTF8String nor a PrintableString"),
                };
            }
        }
        return cn;
    }

    private static DateTimeOffset ReadTime(AsnReader r) =>
        r.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? r.ReadUtcTime() : r.ReadGeneralizedTime();

    /// <summary>A name for messages; a name the platform cannot render is shown as hex.</summary>
    private static string NameText(byte[] der)
    {
        try
        {
            return new System.Security.Cryptography.X509Certificates.X500DistinguishedName(der).Name;
        }
        catch (CryptographicException)
        {
            return Convert.ToHexString(der);
        }
    }
}

/// <summary>
/// ECDSA P-256/SHA-256 verification with raw x||y public keys. Importing a key costs more than a
/// verification (the platform validates the point), so imported keys are memoised per thread,
/// keyed by their exact bytes, in a small bounded table (emptied when full).
/// </summary>
public static class EcdsaP256
{
    private const int KeyCacheCapacity = 64;

    [ThreadStatic]
    private static Dictionary<string, ECDsa?>? t_keys;

    /// <summary>Verifies a raw r||s (IEEE P1363) signature, as used by quotes and collateral JSON.</summary>
    public static bool VerifyRaw(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == 64 && Verify(publicKey, data, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>Verifies a DER (RFC 3279) signature, as used by certificates and CRLs.</summary>
    public static bool VerifyDer(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        Verify(publicKey, data, signature, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Empties the calling thread's table of imported keys.</summary>
    public static void ClearKeyCache()
    {
        if (t_keys is { } table)
        {
            foreach (var k in table.Values)
            {
                k?.Dispose();
            }
            table.Clear();
        }
    }

    /// <summary>Whether x||y is a point on P-256.</summary>
    public static bool IsValidPublicKey(ReadOnlySpan<byte> publicKey) => Key(publicKey) is not null;

    /// <summary>
    /// The imported key, or null when x||y is not a point on P-256. The instance belongs to the
    /// calling thread's table: use it, do not dispose it.
    /// </summary>
    public static ECDsa? Key(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != 64)
        {
            return null;
        }
        var table = t_keys ??= new Dictionary<string, ECDsa?>(StringComparer.Ordinal);
        var id = Convert.ToHexString(publicKey);
        if (table.TryGetValue(id, out var key))
        {
            return key;
        }
        if (table.Count >= KeyCacheCapacity)
        {
            foreach (var k in table.Values)
            {
                k?.Dispose();
            }
            table.Clear();
        }
        try
        {
            key = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = publicKey[..32].ToArray(), Y = publicKey[32..].ToArray() },
            });
        }
        catch (CryptographicException)
        {
            key = null;
        }
        table[id] = key;
        return key;
    }

    private static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, DSASignatureFormat format)
    {
        var key = Key(publicKey);
        if (key is null)
        {
            return false;
        }
        try
        {
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, format);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
