using System.Globalization;
using System.Text.Json;
using Citrine.CometBft.Types;

namespace Citrine.CometBft.Json;

/// <summary>A JSON element with its path, whose accessors throw <see cref="CometJsonException"/> naming where.</summary>
internal readonly struct JsonNode(JsonElement element, string path)
{
    public JsonElement Element { get; } = element;
    public string Path { get; } = path;

    public bool IsNull => Element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    public JsonNode Get(string name)
    {
        if (Element.ValueKind != JsonValueKind.Object)
        {
            throw Fail($"expected an object, got {Element.ValueKind}");
        }
        if (!Element.TryGetProperty(name, out var value))
        {
            throw new CometJsonException(Path, $"missing field '{name}'");
        }
        return new JsonNode(value, Path + "." + name);
    }

    /// <summary>The field, or null when it is absent or JSON null.</summary>
    public JsonNode? Optional(string name)
    {
        if (Element.ValueKind != JsonValueKind.Object)
        {
            throw Fail($"expected an object, got {Element.ValueKind}");
        }
        return Element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? new JsonNode(value, Path + "." + name)
            : null;
    }

    public JsonNode? OptionalAny(string first, string second) => Optional(first) ?? Optional(second);

    public JsonNode GetAny(string first, string second) =>
        OptionalAny(first, second) ?? throw new CometJsonException(Path, $"missing field '{first}'");

    public IEnumerable<JsonNode> Items()
    {
        if (Element.ValueKind != JsonValueKind.Array)
        {
            throw Fail($"expected an array, got {Element.ValueKind}");
        }
        var i = 0;
        foreach (var item in Element.EnumerateArray())
        {
            yield return new JsonNode(item, $"{Path}[{i++}]");
        }
    }

    public int ArrayLength() =>
        Element.ValueKind == JsonValueKind.Array ? Element.GetArrayLength() : throw Fail($"expected an array, got {Element.ValueKind}");

    public string String()
    {
        if (Element.ValueKind != JsonValueKind.String)
        {
            throw Fail($"expected a string, got {Element.ValueKind}");
        }
        return Element.GetString()!;
    }

    public bool Bool() => Element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Fail($"expected a boolean, got {Element.ValueKind}"),
    };

    /// <summary>An integer that CometBFT writes as a decimal string (int64/uint64), also accepted as a JSON number.</summary>
    public long Int64()
    {
        if (Element.ValueKind == JsonValueKind.String)
        {
            var text = Element.GetString()!;
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
            throw Fail($"'{Truncate(text)}' is not a 64-bit integer");
        }
        if (Element.ValueKind == JsonValueKind.Number && Element.TryGetInt64(out var number))
        {
            return number;
        }
        throw Fail($"expected an integer, got {Element.ValueKind}");
    }

    public ulong UInt64()
    {
        if (Element.ValueKind == JsonValueKind.String
            && ulong.TryParse(Element.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        if (Element.ValueKind == JsonValueKind.Number && Element.TryGetUInt64(out var number))
        {
            return number;
        }
        throw Fail("expected an unsigned 64-bit integer");
    }

    public int Int32()
    {
        var value = Int64();
        return value is < int.MinValue or > int.MaxValue ? throw Fail($"{value} does not fit in 32 bits") : (int)value;
    }

    public uint UInt32()
    {
        var value = Int64();
        return value is < 0 or > uint.MaxValue ? throw Fail($"{value} does not fit in an unsigned 32-bit integer") : (uint)value;
    }

    /// <summary>Hex bytes (CometBFT writes upper case; empty string = empty).</summary>
    public byte[] Hex()
    {
        var text = String();
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException e)
        {
            throw Fail($"'{Truncate(text)}' is not hex", e);
        }
    }

    public byte[] Base64()
    {
        var text = String();
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw Fail($"'{Truncate(text)}' is not base64", e);
        }
    }

    public Timestamp Time()
    {
        var text = String();
        return Timestamp.TryParse(text, out var time) ? time : throw Fail($"'{Truncate(text)}' is not an RFC 3339 time");
    }

    public CometJsonException Fail(string message, Exception? inner = null) => new(Path, message, inner);

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
