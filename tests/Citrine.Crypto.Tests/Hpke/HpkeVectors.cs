using System.Globalization;
using System.Text.Json;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Hpke;
using Citrine.Testing;

namespace Citrine.Crypto.Tests.Hpke;

/// <summary>One RFC 9180 Appendix A vector, read from the shared vectors (schema: SOURCES.md §4).</summary>
internal sealed record HpkeVector(
    string Id,
    HpkeMode Mode,
    HpkeKemId Kem,
    HpkeKdfId Kdf,
    HpkeAeadId Aead,
    byte[] Info,
    byte[] IkmE,
    byte[] PkEm,
    byte[] SkEm,
    byte[] IkmR,
    byte[] PkRm,
    byte[] SkRm,
    byte[]? IkmS,
    byte[]? PkSm,
    byte[]? SkSm,
    byte[] Psk,
    byte[] PskId,
    byte[] Enc,
    byte[] SharedSecret,
    byte[] Key,
    byte[] BaseNonce,
    byte[] ExporterSecret,
    IReadOnlyList<HpkeVectorEncryption> Encryptions,
    IReadOnlyList<HpkeVectorExport> Exports)
{
    public const string Folder = "hpke/rfc9180";

    public HpkeSuite Suite => HpkeSuite.Create(Kem, Kdf, Aead);

    /// <summary>Case ids "file.json#index" for every vector in every JSON file of the folder.</summary>
    public static IEnumerable<string> Discover(string folder)
    {
        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var vectors = doc.RootElement.GetProperty("vectors");
            for (var i = 0; i < vectors.GetArrayLength(); i++)
            {
                yield return $"{Path.GetFileName(file)}#{i.ToString(CultureInfo.InvariantCulture)}";
            }
        }
    }

    public static TheoryData<string> Cases() => Vectors.Cases(Folder, Discover);

    public static HpkeVector Load(string caseId)
    {
        var hash = caseId.LastIndexOf('#');
        var file = Path.Combine(Vectors.Require(Folder), caseId[..hash]);
        var index = int.Parse(caseId[(hash + 1)..], CultureInfo.InvariantCulture);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var v = doc.RootElement.GetProperty("vectors")[index];
        return new HpkeVector(
            caseId,
            (HpkeMode)Int(v, "mode"),
            (HpkeKemId)Int(v, "kem_id"),
            (HpkeKdfId)Int(v, "kdf_id"),
            (HpkeAeadId)Int(v, "aead_id"),
            Bytes(v, "info"),
            Bytes(v, "ikmE"),
            Bytes(v, "pkEm"),
            Bytes(v, "skEm"),
            Bytes(v, "ikmR"),
            Bytes(v, "pkRm"),
            Bytes(v, "skRm"),
            OptionalBytes(v, "ikmS"),
            OptionalBytes(v, "pkSm"),
            OptionalBytes(v, "skSm"),
            OptionalBytes(v, "psk") ?? [],
            OptionalBytes(v, "psk_id") ?? [],
            Bytes(v, "enc"),
            Bytes(v, "shared_secret"),
            Bytes(v, "key"),
            Bytes(v, "base_nonce"),
            Bytes(v, "exporter_secret"),
            // Export-only vectors (AEAD 0xFFFF) have no encryptions list.
            [.. OptionalArray(v, "encryptions").Select(e => new HpkeVectorEncryption(
                Int(e, "sequence_number"), Bytes(e, "pt"), Bytes(e, "aad"), Bytes(e, "nonce"), Bytes(e, "ct")))],
            [.. v.GetProperty("exports").EnumerateArray().Select(e => new HpkeVectorExport(
                Bytes(e, "exporter_context"), Int(e, "L"), Bytes(e, "exported_value")))]);
    }

    private static int Int(JsonElement e, string name)
    {
        var p = e.GetProperty(name);
        return p.ValueKind == JsonValueKind.Number ? p.GetInt32() : int.Parse(p.GetString()!, CultureInfo.InvariantCulture);
    }

    private static IEnumerable<JsonElement> OptionalArray(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Array ? [.. p.EnumerateArray()] : [];

    private static byte[] Bytes(JsonElement e, string name) => Hex.Decode(e.GetProperty(name).GetString());

    private static byte[]? OptionalBytes(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? Hex.Decode(p.GetString()) : null;
}

internal sealed record HpkeVectorEncryption(int SequenceNumber, byte[] Plaintext, byte[] Aad, byte[] Nonce, byte[] Ciphertext);

internal sealed record HpkeVectorExport(byte[] Context, int Length, byte[] Value);
