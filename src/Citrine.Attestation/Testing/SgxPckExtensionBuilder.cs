using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Citrine.Attestation.Testing;

/// <summary>Which Intel PCK CA issues the simulated PCK leaf; it decides the extension's optional fields.</summary>
public enum SimulatedPckCaKind
{
    Processor,
    Platform,
}

/// <summary>
/// TEST/SIMULATION ONLY. Encodes the Intel SGX PCK certificate extension
/// (OID 1.2.840.113741.1.13.1) the way Intel does: an ASN.1 SEQUENCE of (OID, value) pairs.
/// Layout from Intel "SGX PCK Certificate and Certificate Revocation List Profile Specification"
/// §1.3.5: PPID (.1, OCTET STRING 16), TCB (.2, SEQUENCE of 16 component INTEGERs .2.1-.2.16,
/// PCESVN .2.17 INTEGER, CPUSVN .2.18 OCTET STRING 16), PCE-ID (.3, OCTET STRING 2), FMSPC (.4,
/// OCTET STRING 6), SGX type (.5, ENUMERATED), and for Platform CA leaves PlatformInstanceID
/// (.6, OCTET STRING 16) and Configuration (.7: dynamicPlatform .7.1, cachedKeys .7.2,
/// SMTEnabled .7.3, BOOLEANs).
/// </summary>
public static class SgxPckExtensionBuilder
{
    public const string SgxExtensionsOid = "1.2.840.113741.1.13.1";

    /// <summary>Builds the non-critical SGX extension for a PCK leaf.</summary>
    public static X509Extension Build(
        ReadOnlySpan<byte> ppid,
        ReadOnlySpan<byte> cpuSvn,
        ushort pceSvn,
        ReadOnlySpan<byte> pceId,
        ReadOnlySpan<byte> fmspc,
        SimulatedPckCaKind caKind,
        ReadOnlySpan<byte> platformInstanceId = default,
        bool repeatFmspc = false)
    {
        RequireLength(ppid, 16, nameof(ppid));
        RequireLength(cpuSvn, 16, nameof(cpuSvn));
        RequireLength(pceId, 2, nameof(pceId));
        RequireLength(fmspc, 6, nameof(fmspc));
        // Lambdas cannot capture spans: take copies once.
        var ppidBytes = ppid.ToArray();
        var cpuSvnBytes = cpuSvn.ToArray();
        var pceIdBytes = pceId.ToArray();
        var fmspcBytes = fmspc.ToArray();
        var instance = platformInstanceId.IsEmpty ? new byte[16] : platformInstanceId.ToArray();
        RequireLength(instance, 16, nameof(platformInstanceId));
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            WritePair(writer, ".1", w => w.WriteOctetString(ppidBytes));
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(SgxExtensionsOid + ".2");
                using (writer.PushSequence())
                {
                    for (var i = 0; i < 16; i++)
                    {
                        var component = cpuSvnBytes[i];
                        WritePair(writer, $".2.{i + 1}", w => w.WriteInteger(component));
                    }
                    WritePair(writer, ".2.17", w => w.WriteInteger(pceSvn));
                    WritePair(writer, ".2.18", w => w.WriteOctetString(cpuSvnBytes));
                }
            }
            WritePair(writer, ".3", w => w.WriteOctetString(pceIdBytes));
            WritePair(writer, ".4", w => w.WriteOctetString(fmspcBytes));
            if (repeatFmspc)
            {
                // A malformed extension for negative tests: a second FMSPC entry.
                WritePair(writer, ".4", w => w.WriteOctetString(fmspcBytes));
            }
            // SGX Type: 0 = Standard, 1 = Scalable (Platform CA parts in the real world).
            WritePair(writer, ".5", w => w.WriteEnumeratedValue(caKind == SimulatedPckCaKind.Platform ? SgxType.Scalable : SgxType.Standard));
            if (caKind == SimulatedPckCaKind.Platform)
            {
                WritePair(writer, ".6", w => w.WriteOctetString(instance));
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(SgxExtensionsOid + ".7");
                    using (writer.PushSequence())
                    {
                        WritePair(writer, ".7.1", w => w.WriteBoolean(false));
                        WritePair(writer, ".7.2", w => w.WriteBoolean(false));
                        WritePair(writer, ".7.3", w => w.WriteBoolean(false));
                    }
                }
            }
        }
        return new X509Extension(SgxExtensionsOid, writer.Encode(), critical: false);
    }

    private enum SgxType
    {
        Standard = 0,
        Scalable = 1,
    }

    private delegate void ValueWriter(AsnWriter writer);

    private static void WritePair(AsnWriter writer, string suffix, ValueWriter value)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(SgxExtensionsOid + suffix);
            value(writer);
        }
    }

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"{name} must be {length} bytes, got {value.Length}", name);
        }
    }
}
