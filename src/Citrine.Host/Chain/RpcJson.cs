using System.Globalization;
using System.Text.Json;

namespace Citrine.Host.Chain;

/// <summary>
/// Strict accessors over a JSON-RPC answer: a missing field, a wrong type or bad base64/hex is a
/// <see cref="ChainClientException"/> of kind <see cref="ChainErrorKind.BadResponse"/> naming the
/// method and the JSON path, never a raw <see cref="KeyNotFoundException"/> or <see cref="FormatException"/>.
/// </summary>
internal readonly struct RpcJson(JsonElement element, string method, string path)
{
    public JsonElement Element { get; } = element;

    public string Path { get; } = path;

    public bool IsNull => Element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    public RpcJson Get(string name) =>
        Optional(name) ?? throw Fail($"missing field '{name}'");

    public RpcJson? Optional(string name)
    {
        if (Element.ValueKind != JsonValueKind.Object)
        {
            throw Fail("expected an object");
        }
        return Element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? new RpcJson(value, method, $"{Path}.{name}")
            : null;
    }

    public IEnumerable<RpcJson> Items()
    {
        if (Element.ValueKind != JsonValueKind.Array)
        {
            throw Fail("expected an array");
        }
        var i = 0;
        foreach (var item in Element.EnumerateArray())
        {
            yield return new RpcJson(item, method, $"{Path}[{i++}]");
        }
    }

    public string String() =>
        Element.ValueKind == JsonValueKind.String ? Element.GetString()! : throw Fail("expected a string");

    /// <summary>CometBFT writes 64-bit integers as strings; small ones (codes, indexes) as numbers.</summary>
    public long Int64()
    {
        if (Element.ValueKind == JsonValueKind.Number && Element.TryGetInt64(out var n))
        {
            return n;
        }
        if (Element.ValueKind == JsonValueKind.String && long.TryParse(Element.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n))
        {
            return n;
        }
        throw Fail("expected a 64-bit integer");
    }

    public bool Bool() => Element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Fail("expected a boolean"),
    };

    public byte[] Base64()
    {
        try
        {
            return Convert.FromBase64String(String());
        }
        catch (FormatException e)
        {
            throw Fail("not base64", e);
        }
    }

    public ChainClientException Fail(string message, Exception? inner = null) =>
        new(ChainErrorKind.BadResponse, method, $"{Path}: {message}", inner);
}
