using System.Formats.Asn1;
using System.Numerics;

namespace Citrine.Attestation.Dcap.Collateral;

/// <summary>
/// An X.509 CRL (RFC 5280 section 5.1) read with System.Formats.Asn1: the signed TBS bytes, the
/// issuer, the validity window and the revoked serial numbers. Signature checks are the verifier's.
/// </summary>
public sealed class Crl
{
    private readonly HashSet<BigInteger> _revoked;

    /// <summary>cRLNumber (RFC 5280 5.2.3).</summary>
    public const string CrlNumberOid = "2.5.29.20";

    /// <summary>authorityKeyIdentifier (RFC 5280 5.2.1).</summary>
    public const string AuthorityKeyIdentifierOid = "2.5.29.35";

    private readonly HashSet<string> _extensions;

    private Crl(byte[] der, byte[] tbs, string signatureAlgorithm, byte[] signature, byte[] issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, HashSet<BigInteger> revoked, HashSet<string> extensions, BigInteger? crlNumber)
    {
        _extensions = extensions;
        CrlNumber = crlNumber;
        Der = der;
        TbsBytes = tbs;
        SignatureAlgorithm = signatureAlgorithm;
        Signature = signature;
        IssuerName = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revoked = revoked;
    }

    public byte[] Der { get; }

    public byte[] TbsBytes { get; }

    /// <summary>Outer signatureAlgorithm OID (ecdsa-with-SHA256 is 1.2.840.10045.4.3.2).</summary>
    public string SignatureAlgorithm { get; }

    /// <summary>DER-encoded ECDSA signature value.</summary>
    public byte[] Signature { get; }

    /// <summary>DER encoding of the issuer Name.</summary>
    public byte[] IssuerName { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    public int RevokedCount => _revoked.Count;

    /// <summary>The cRLNumber extension's value (RFC 5280 5.2.3: monotonically increasing per issuer), or null.</summary>
    public BigInteger? CrlNumber { get; }

    /// <summary>Whether the CRL carries the crlExtensions entry with this OID.</summary>
    public bool HasExtension(string oid) => _extensions.Contains(oid);

    /// <summary>Whether a certificate serial number (big-endian two's complement bytes) is listed.</summary>
    public bool IsRevoked(ReadOnlySpan<byte> serialNumber) => _revoked.Contains(new BigInteger(serialNumber, isUnsigned: false, isBigEndian: true));

    /// <summary>Parses a DER CRL, or a PEM one ("-----BEGIN X509 CRL-----").</summary>
    public static Crl Parse(ReadOnlySpan<byte> data, string item = "crl")
    {
        var der = PemText.TryDecodeSingle(data, "X509 CRL", out var fromPem) ? fromPem : data.ToArray();
        try
        {
            return ParseDer(der);
        }
        catch (AsnContentException e)
        {
            throw new CollateralFormatException(item, $"malformed CRL: {e.Message}", e);
        }
    }

    private static Crl ParseDer(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var list = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = list.ReadEncodedValue().ToArray();
        var alg = list.ReadSequence();
        var algOid = alg.ReadObjectIdentifier();
        var sig = list.ReadBitString(out var unused);
        list.ThrowIfNotEmpty();
        if (unused != 0)
        {
            throw new AsnContentException("signature bit string has unused bits");
        }

        var t = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        if (t.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            t.ReadInteger();
        }
        var innerAlg = t.ReadSequence();
        if (innerAlg.ReadObjectIdentifier() != algOid)
        {
            throw new AsnContentException("inner and outer signature algorithms differ");
        }
        var issuer = t.ReadEncodedValue().ToArray();
        var thisUpdate = ReadTime(t);
        DateTimeOffset? nextUpdate = null;
        if (t.HasData && IsTime(t.PeekTag()))
        {
            nextUpdate = ReadTime(t);
        }
        var revoked = new HashSet<BigInteger>();
        if (t.HasData && t.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = t.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                revoked.Add(entry.ReadInteger());
                ReadTime(entry);
                if (entry.HasData)
                {
                    entry.ReadSequence();
                }
                entry.ThrowIfNotEmpty();
            }
        }
        var extensions = new HashSet<string>(StringComparer.Ordinal);
        BigInteger? crlNumber = null;
        var e0 = new Asn1Tag(TagClass.ContextSpecific, 0, true);
        if (t.HasData && t.PeekTag().HasSameClassAndValue(e0))
        {
            var crlExtensions = t.ReadSequence(e0).ReadSequence();
            while (crlExtensions.HasData)
            {
                var ext = crlExtensions.ReadSequence();
                var oid = ext.ReadObjectIdentifier();
                if (!extensions.Add(oid))
                {
                    throw new AsnContentException("a CRL extension appears more than once");
                }
                if (oid == CrlNumberOid)
                {
                    if (ext.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                    {
                        ext.ReadBoolean();
                    }
                    // extnValue OCTET STRING wraps CRLNumber ::= INTEGER (0..MAX).
                    var value = new AsnReader(ext.ReadOctetString(), AsnEncodingRules.DER);
                    crlNumber = value.ReadInteger();
                    value.ThrowIfNotEmpty();
                    if (crlNumber < 0)
                    {
                        throw new AsnContentException("cRLNumber is negative");
                    }
                }
            }
        }
        t.ThrowIfNotEmpty();
        return new Crl(der, tbs, algOid, sig, issuer, thisUpdate, nextUpdate, revoked, extensions, crlNumber);
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader r) =>
        r.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? r.ReadUtcTime() : r.ReadGeneralizedTime();
}
