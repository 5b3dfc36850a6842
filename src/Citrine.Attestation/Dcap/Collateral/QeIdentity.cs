using System.Text.Json;

namespace Citrine.Attestation.Dcap.Collateral;

/// <summary>
/// An Enclave Identity v2 object (the inner "enclaveIdentity" value; id QE, QVE or TD_QE),
/// per the Intel PCS API "Enclave Identity" schema. Parsing does not check the signature.
/// </summary>
public sealed record EnclaveIdentity(
    string Id,
    int Version,
    DateTimeOffset IssueDate,
    DateTimeOffset NextUpdate,
    int TcbEvaluationDataNumber,
    byte[] MiscSelect,
    byte[] MiscSelectMask,
    byte[] Attributes,
    byte[] AttributesMask,
    byte[] MrSigner,
    ushort IsvProdId,
    IReadOnlyList<EnclaveTcbLevel> TcbLevels)
{
    public const string QeId = "QE";
    public const string QveId = "QVE";
    public const string TdQeId = "TD_QE";

    public static EnclaveIdentity Parse(ReadOnlyMemory<byte> json)
    {
        using var doc = JsonFields.Parse(json, "qe_identity");
        return FromElement(doc.RootElement);
    }

    public static EnclaveIdentity FromElement(JsonElement root)
    {
        const string P = "enclaveIdentity";
        var id = JsonFields.String(root, "id", P);
        // Any version is read with the v2 layout; the verifier accepts version 2 only.
        var version = JsonFields.Int(root, "version", P);
        return new EnclaveIdentity(
            id,
            version,
            JsonFields.Time(root, "issueDate", P),
            JsonFields.Time(root, "nextUpdate", P),
            JsonFields.Int(root, "tcbEvaluationDataNumber", P),
            JsonFields.HexBytes(root, "miscselect", P, 4),
            JsonFields.HexBytes(root, "miscselectMask", P, 4),
            JsonFields.HexBytes(root, "attributes", P, 16),
            JsonFields.HexBytes(root, "attributesMask", P, 16),
            JsonFields.HexBytes(root, "mrsigner", P, 32),
            (ushort)JsonFields.Int(root, "isvprodid", P, 0, 65535),
            ReadLevels(root, P));
    }

    internal static List<EnclaveTcbLevel> ReadLevels(JsonElement obj, string path)
    {
        var list = new List<EnclaveTcbLevel>();
        var i = 0;
        foreach (var e in JsonFields.Array(obj, "tcbLevels", path))
        {
            var p = $"{path}.tcbLevels[{i++}]";
            var tcb = JsonFields.Required(e, "tcb", p);
            list.Add(new EnclaveTcbLevel(
                (ushort)JsonFields.Int(tcb, "isvsvn", p + ".tcb", 0, 65535),
                JsonFields.Time(e, "tcbDate", p),
                JsonFields.Status(e, "tcbStatus", p),
                JsonFields.Advisories(e, p)));
        }
        return list;
    }
}
