using System.Text.Json;

namespace Citrine.Attestation.Dcap.Collateral;

/// <summary>One TCB level of a TCB Info (Intel PCS API, "TCB Info" v2/v3 schema).</summary>
public sealed record TcbLevel(
    byte[] SgxComponents,
    ushort PceSvn,
    byte[]? TdxComponents,
    DateTimeOffset TcbDate,
    TcbStatus Status,
    IReadOnlyList<string> AdvisoryIds);

/// <summary>A TCB level keyed by one ISV SVN (QE Identity and TDX module identities).</summary>
public sealed record EnclaveTcbLevel(ushort IsvSvn, DateTimeOffset TcbDate, TcbStatus Status, IReadOnlyList<string> AdvisoryIds);

/// <summary>The "tdxModule" object of a TDX TCB Info v3: expected MRSIGNERSEAM and SEAM attributes.</summary>
public sealed record TdxModule(byte[] MrSigner, byte[] Attributes, byte[] AttributesMask);

/// <summary>One entry of "tdxModuleIdentities" (id "TDX_%02X" of the module major version).</summary>
public sealed record TdxModuleIdentity(string Id, byte[] MrSigner, byte[] Attributes, byte[] AttributesMask, IReadOnlyList<EnclaveTcbLevel> TcbLevels);

/// <summary>
/// A parsed TCB Info object (the inner "tcbInfo" value, v2 or v3, SGX or TDX). Parsing does not
/// check the signature: see <see cref="SignedDocument"/> and the verifier.
/// </summary>
public sealed record TcbInfo(
    string Id,
    int Version,
    DateTimeOffset IssueDate,
    DateTimeOffset NextUpdate,
    byte[] Fmspc,
    byte[] PceId,
    int TcbType,
    int TcbEvaluationDataNumber,
    TdxModule? TdxModule,
    IReadOnlyList<TdxModuleIdentity> TdxModuleIdentities,
    IReadOnlyList<TcbLevel> TcbLevels)
{
    public const string SgxId = "SGX";
    public const string TdxId = "TDX";

    private static readonly string[] V2ComponentNames = [.. Enumerable.Range(1, 16).Select(i => $"sgxtcbcomp{i:D2}svn")];

    public static TcbInfo Parse(ReadOnlyMemory<byte> json)
    {
        using var doc = JsonFields.Parse(json, "tcb_info");
        return FromElement(doc.RootElement);
    }

    public static TcbInfo FromElement(JsonElement root)
    {
        const string P = "tcbInfo";
        var version = JsonFields.Int(root, "version", P);
        if (version is not (2 or 3))
        {
            throw new CollateralFormatException($"{P}.version", $"unsupported TCB Info version {version}");
        }
        // TCB Info v2 has no "id" and describes SGX only.
        var id = version == 2 ? SgxId : JsonFields.String(root, "id", P);
        var issue = JsonFields.Time(root, "issueDate", P);
        var next = JsonFields.Time(root, "nextUpdate", P);
        var fmspc = JsonFields.HexBytes(root, "fmspc", P, 6);
        var pceId = JsonFields.HexBytes(root, "pceId", P, 2);
        var tcbType = JsonFields.Int(root, "tcbType", P);
        var evalNumber = JsonFields.Int(root, "tcbEvaluationDataNumber", P);
        TdxModule? module = null;
        if (JsonFields.Optional(root, "tdxModule") is { } m)
        {
            module = ReadModule(m, $"{P}.tdxModule");
        }
        var identities = new List<TdxModuleIdentity>();
        if (JsonFields.Optional(root, "tdxModuleIdentities") is { } ids)
        {
            if (ids.ValueKind != JsonValueKind.Array)
            {
                throw new CollateralFormatException($"{P}.tdxModuleIdentities", "is not an array");
            }
            var i = 0;
            foreach (var e in ids.EnumerateArray())
            {
                var path = $"{P}.tdxModuleIdentities[{i++}]";
                var mm = ReadModule(e, path);
                var levels = EnclaveIdentity.ReadLevels(e, path);
                identities.Add(new TdxModuleIdentity(JsonFields.String(e, "id", path), mm.MrSigner, mm.Attributes, mm.AttributesMask, levels));
            }
        }
        var tcbLevels = new List<TcbLevel>();
        var n = 0;
        foreach (var e in JsonFields.Array(root, "tcbLevels", P))
        {
            tcbLevels.Add(ReadLevel(e, $"{P}.tcbLevels[{n++}]", version));
        }
        return new TcbInfo(id, version, issue, next, fmspc, pceId, tcbType, evalNumber, module, identities, tcbLevels);
    }

    private static TdxModule ReadModule(JsonElement e, string path) =>
        new(JsonFields.HexBytes(e, "mrsigner", path, 48), JsonFields.HexBytes(e, "attributes", path, 8), JsonFields.HexBytes(e, "attributesMask", path, 8));

    private static TcbLevel ReadLevel(JsonElement e, string path, int version)
    {
        var tcb = JsonFields.Required(e, "tcb", path);
        var tcbPath = path + ".tcb";
        var sgx = new byte[16];
        byte[]? tdx = null;
        if (version == 2)
        {
            for (var i = 0; i < 16; i++)
            {
                sgx[i] = (byte)JsonFields.Int(tcb, V2ComponentNames[i], tcbPath, 0, 255);
            }
        }
        else
        {
            ReadComponents(tcb, "sgxtcbcomponents", tcbPath, sgx);
            if (JsonFields.Optional(tcb, "tdxtcbcomponents") is not null)
            {
                tdx = new byte[16];
                ReadComponents(tcb, "tdxtcbcomponents", tcbPath, tdx);
            }
        }
        var pceSvn = (ushort)JsonFields.Int(tcb, "pcesvn", tcbPath, 0, 65535);
        return new TcbLevel(sgx, pceSvn, tdx, JsonFields.Time(e, "tcbDate", path), JsonFields.Status(e, "tcbStatus", path), JsonFields.Advisories(e, path));
    }

    private static void ReadComponents(JsonElement tcb, string name, string path, byte[] into)
    {
        var i = 0;
        foreach (var c in JsonFields.Array(tcb, name, path))
        {
            if (i == 16)
            {
                throw new CollateralFormatException($"{path}.{name}", "has more than 16 components");
            }
            // The path is only formatted on error: a TCB Info has hundreds of components.
            if (c.ValueKind != JsonValueKind.Object || !c.TryGetProperty("svn", out var svn) || svn.ValueKind != JsonValueKind.Number || !svn.TryGetInt32(out var value) || value is < 0 or > 255)
            {
                throw new CollateralFormatException($"{path}.{name}[{i}].svn", "is not an integer in 0..255");
            }
            into[i] = (byte)value;
            i++;
        }
        if (i != 16)
        {
            throw new CollateralFormatException($"{path}.{name}", $"has {i} components, not 16");
        }
    }
}
