using System.Globalization;
using System.Text.Json;
using Citrine.Crypto.Encoding;

namespace Citrine.Attestation.Dcap.Collateral;

/// <summary>Typed accessors over a JSON element that throw <see cref="CollateralFormatException"/> with the path.</summary>
internal static class JsonFields
{
    public static JsonElement Required(JsonElement obj, string name, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw new CollateralFormatException(path, "is not a JSON object");
        }
        return obj.TryGetProperty(name, out var value) ? value : throw new CollateralFormatException($"{path}.{name}", "is missing");
    }

    public static JsonElement? Optional(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string String(JsonElement obj, string name, string path)
    {
        var v = Required(obj, name, path);
        return v.ValueKind == JsonValueKind.String ? StringValue(v, $"{path}.{name}") : throw new CollateralFormatException($"{path}.{name}", "is not a string");
    }

    /// <summary>A string value; invalid UTF-8 inside it is a format error, not an <see cref="InvalidOperationException"/>.</summary>
    public static string StringValue(JsonElement v, string path)
    {
        try
        {
            return v.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new CollateralFormatException(path, "is not valid UTF-8 text", e);
        }
    }

    public static int Int(JsonElement obj, string name, string path, int min = 0, int max = int.MaxValue)
    {
        var v = Required(obj, name, path);
        return IntValue(v, $"{path}.{name}", min, max);
    }

    public static int IntValue(JsonElement v, string path, int min = 0, int max = int.MaxValue)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var i) || i < min || i > max)
        {
            throw new CollateralFormatException(path, $"is not an integer in {min}..{max}");
        }
        return i;
    }

    public static byte[] HexBytes(JsonElement obj, string name, string path, int length)
    {
        var text = String(obj, name, path);
        if (!Hex.TryDecode(text, out var bytes) || (length >= 0 && bytes.Length != length))
        {
            throw new CollateralFormatException($"{path}.{name}", length >= 0 ? $"is not {length} bytes of hex" : "is not hex");
        }
        return bytes;
    }

    public static DateTimeOffset Time(JsonElement obj, string name, string path)
    {
        var text = String(obj, name, path);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            throw new CollateralFormatException($"{path}.{name}", $"'{text}' is not an ISO 8601 time");
        }
        return t;
    }

    public static TcbStatus Status(JsonElement obj, string name, string path)
    {
        var text = String(obj, name, path);
        return TcbStatusNames.TryParse(text, out var s) ? s : throw new CollateralFormatException($"{path}.{name}", $"unknown TCB status '{text}'");
    }

    public static string[] Advisories(JsonElement obj, string path)
    {
        if (Optional(obj, "advisoryIDs") is not { } arr)
        {
            return [];
        }
        if (arr.ValueKind != JsonValueKind.Array)
        {
            throw new CollateralFormatException($"{path}.advisoryIDs", "is not an array");
        }
        var list = new List<string>();
        foreach (var e in arr.EnumerateArray())
        {
            list.Add(e.ValueKind == JsonValueKind.String ? StringValue(e, $"{path}.advisoryIDs") : throw new CollateralFormatException($"{path}.advisoryIDs", "holds a non-string"));
        }
        return [.. list];
    }

    public static JsonElement.ArrayEnumerator Array(JsonElement obj, string name, string path)
    {
        var v = Required(obj, name, path);
        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : throw new CollateralFormatException($"{path}.{name}", "is not an array");
    }

    public static JsonDocument Parse(ReadOnlyMemory<byte> json, string item)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new CollateralFormatException(item, $"invalid JSON: {e.Message}", e);
        }
    }
}
