using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Citrine.Attestation.Dcap.Pck;

/// <summary>Which Intel CA issued a PCK certificate.</summary>
public enum PckCaType
{
    Processor,
    Platform,
}

/// <summary>SGX type from the PCK extension (Intel PCK Certificate and CRL Profile, 1.3.5).</summary>
public enum SgxType
{
    Standard = 0,
    Scalable = 1,
    ScalableWithIntegrity = 2,
}

/// <summary>The PCK certificate has no usable Intel SGX extension.</summary>
public sealed class PckExtensionException : Exception
{
    public PckExtensionException()
    {
    }

    public PckExtensionException(string message)
        : base(message)
    {
    }

    public PckExtensionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The Intel SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1), per the
/// "Intel SGX PCK Certificate and Certificate Revocation List Profile Specification", section 1.3.5.
/// </summary>
public sealed record PckExtensions(
    byte[] Ppid,
    byte[] TcbComponents,
    ushort PceSvn,
    byte[] CpuSvn,
    byte[] PceId,
    byte[] Fmspc,
    SgxType SgxType)
{
    public const string SgxExtensionsOid = "1.2.840.113741.1.13.1";
    private const string PpidOid = SgxExtensionsOid + ".1";
    private const string TcbOid = SgxExtensionsOid + ".2";
    private const string PceIdOid = SgxExtensionsOid + ".3";
    private const string FmspcOid = SgxExtensionsOid + ".4";
    private const string SgxTypeOid = SgxExtensionsOid + ".5";

    /// <summary>Reads the SGX extension from a certificate.</summary>
    public static PckExtensions FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        foreach (var ext in certificate.Extensions)
        {
            if (ext.Oid?.Value == SgxExtensionsOid)
            {
                return Parse(ext.RawData);
            }
        }
        throw new PckExtensionException($"certificate '{certificate.Subject}' has no Intel SGX extension ({SgxExtensionsOid})");
    }

    /// <summary>Reads the SGX extension from a parsed certificate.</summary>
    public static PckExtensions FromCertificate(DcapCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.Extensions.TryGetValue(SgxExtensionsOid, out var value)
            ? Parse(value)
            : throw new PckExtensionException($"certificate '{certificate.SubjectText}' has no Intel SGX extension ({SgxExtensionsOid})");
    }

    /// <summary>The CA type, from the issuer common name ("Intel SGX PCK Processor CA" / "... Platform CA").</summary>
    public static PckCaType CaTypeOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return CaTypeOf(certificate.IssuerName.Name ?? string.Empty);
    }

    /// <summary>The CA type of a parsed PCK certificate.</summary>
    public static PckCaType CaTypeOf(DcapCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return CaTypeOf(certificate.IssuerText);
    }

    private static PckCaType CaTypeOf(string issuer)
    {
        if (issuer.Contains("Intel SGX PCK Processor CA", StringComparison.Ordinal))
        {
            return PckCaType.Processor;
        }
        if (issuer.Contains("Intel SGX PCK Platform CA", StringComparison.Ordinal))
        {
            return PckCaType.Platform;
        }
        throw new PckExtensionException($"issuer '{issuer}' is neither the PCK Processor CA nor the PCK Platform CA");
    }

    /// <summary>Parses the DER value of the extension.</summary>
    public static PckExtensions Parse(ReadOnlyMemory<byte> der)
    {
        try
        {
            return ParseCore(der);
        }
        catch (AsnContentException e)
        {
            throw new PckExtensionException($"malformed SGX extension: {e.Message}", e);
        }
    }

    private static PckExtensions ParseCore(ReadOnlyMemory<byte> der)
    {
        byte[]? ppid = null, pceId = null, fmspc = null, cpuSvn = null;
        byte[]? comps = null;
        int? pceSvn = null;
        SgxType? sgxType = null;
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var seq = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        // Each entry appears once (PCK Certificate and CRL Profile 1.3.5; Intel QVL refuses repeats):
        // with two FMSPC or TCB entries, which one a verifier reads would decide the TCB level.
        var seenOids = new HashSet<string>(StringComparer.Ordinal);
        while (seq.HasData)
        {
            var item = seq.ReadSequence();
            var oid = item.ReadObjectIdentifier();
            if (!seenOids.Add(oid))
            {
                throw new PckExtensionException($"SGX extension entry {oid} appears more than once");
            }
            switch (oid)
            {
                case PpidOid:
                    ppid = item.ReadOctetString();
                    break;
                case TcbOid:
                    ReadTcb(item.ReadSequence(), out comps, out pceSvn, out cpuSvn);
                    break;
                case PceIdOid:
                    pceId = item.ReadOctetString();
                    break;
                case FmspcOid:
                    fmspc = item.ReadOctetString();
                    break;
                case SgxTypeOid:
                    var raw = item.ReadEnumeratedBytes();
                    sgxType = raw.Length == 1 && raw.Span[0] <= 2 ? (SgxType)raw.Span[0] : throw new PckExtensionException("SGX type is not 0, 1 or 2");
                    break;
                default:
                    // Platform-CA-only entries (PlatformInstanceID, Configuration) are not used here.
                    item.ReadEncodedValue();
                    break;
            }
            item.ThrowIfNotEmpty();
        }
        if (ppid is null || comps is null || pceSvn is null || cpuSvn is null || pceId is null || fmspc is null || sgxType is null)
        {
            throw new PckExtensionException("SGX extension lacks one of PPID, TCB, PCE-ID, FMSPC, SGX type");
        }
        if (fmspc.Length != 6 || pceId.Length != 2 || cpuSvn.Length != 16)
        {
            throw new PckExtensionException($"SGX extension field sizes are wrong (FMSPC {fmspc.Length}, PCE-ID {pceId.Length}, CPUSVN {cpuSvn.Length})");
        }
        return new PckExtensions(ppid, comps, (ushort)pceSvn.Value, cpuSvn, pceId, fmspc, sgxType.Value);
    }

    private static void ReadTcb(AsnReader tcb, out byte[] comps, out int? pceSvn, out byte[] cpuSvn)
    {
        comps = new byte[16];
        var seen = 0;
        pceSvn = null;
        cpuSvn = [];
        while (tcb.HasData)
        {
            var entry = tcb.ReadSequence();
            var oid = entry.ReadObjectIdentifier();
            if (!oid.StartsWith(TcbOid + ".", StringComparison.Ordinal) || !int.TryParse(oid.AsSpan(TcbOid.Length + 1), out var index))
            {
                throw new PckExtensionException($"unexpected OID {oid} inside the TCB entry");
            }
            var bit = index is >= 1 and <= 18 ? 1 << (index - 1) : 0;
            if ((seen & bit) != 0)
            {
                throw new PckExtensionException($"TCB entry {oid} appears more than once");
            }
            seen |= bit;
            if (index is >= 1 and <= 16)
            {
                comps[index - 1] = (byte)ReadSmall(entry, 255, oid);
            }
            else if (index == 17)
            {
                pceSvn = ReadSmall(entry, 65535, oid);
            }
            else if (index == 18)
            {
                cpuSvn = entry.ReadOctetString();
            }
            else
            {
                throw new PckExtensionException($"unexpected TCB entry {oid}");
            }
            entry.ThrowIfNotEmpty();
        }
        if ((seen & 0xFFFF) != 0xFFFF)
        {
            throw new PckExtensionException("TCB entry lacks some of the 16 SGX TCB components");
        }
    }

    private static int ReadSmall(AsnReader reader, int max, string oid)
    {
        if (!reader.TryReadInt32(out var value) || value < 0 || value > max)
        {
            throw new PckExtensionException($"{oid} is not an integer in 0..{max}");
        }
        return value;
    }
}
