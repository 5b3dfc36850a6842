using System.Text.Json;

namespace Citrine.Contracts.Session;

/// <summary>
/// The strict reading every session format shares: an object's members are a known list, none
/// repeated, none unknown; values have exactly the JSON type and range asked for. Every refusal
/// names the JSON path. <see cref="IsConfig"/> chooses the exception type (config or message);
/// another format (the execution messages) passes its own exception factory.
/// </summary>
internal readonly struct StrictJson
{
    /// <summary>JSON nesting the formats need is at most 6; anything deeper is refused by the reader.</summary>
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    private readonly Func<string, string, FormatException>? _error;

    public StrictJson(bool isConfig)
    {
        IsConfig = isConfig;
    }

    /// <summary>A reader whose refusals are <paramref name="error"/>(path, detail).</summary>
    public StrictJson(Func<string, string, FormatException> error)
    {
        ArgumentNullException.ThrowIfNull(error);
        _error = error;
    }

    public bool IsConfig { get; }

    public FormatException Error(string path, string detail) =>
        _error is not null ? _error(path, detail)
        : IsConfig ? new SessionConfigException(path, detail) : new SessionMessageException(path, detail);

    /// <summary>Parses a whole document whose every string and member name is valid Unicode; the caller disposes it.</summary>
    public JsonDocument Document(ReadOnlySpan<byte> utf8, string what)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), Options);
        }
        catch (JsonException e)
        {
            throw Error("$", $"{what} is not valid JSON: {e.Message}");
        }
        if (InvalidText(document.RootElement, "$") is { } at)
        {
            document.Dispose();
            throw Error(at, $"{what} holds a string or member name that is not valid Unicode (invalid UTF-8 or a lone surrogate escape)");
        }
        return document;
    }

    /// <summary>
    /// The path of the first string or member name that does not decode, or null. JsonDocument
    /// accepts invalid UTF-8 and lone surrogate escapes (RFC 8259 §8.2 leaves them undefined) and
    /// fails only when the text is read, with an InvalidOperationException; every reader here
    /// refuses such a document up front instead.
    /// </summary>
    public static string? InvalidText(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Decodes(element) ? null : path;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (InvalidText(item, $"{path}[{i++}]") is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return path;
                    }
                    if (InvalidText(property.Value, Join(path == "$" ? "" : path, name)) is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static bool Decodes(JsonElement value)
    {
        try
        {
            _ = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The members of the object at <paramref name="path"/>, aligned with <paramref name="names"/>
    /// (undefined where absent); refuses a non-object, an unknown member and a repeated member.
    /// </summary>
    public JsonElement[] Members(JsonElement element, string path, params string[] names)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Error(path.Length == 0 ? "$" : path, $"expected an object, got {Kind(element)}");
        }
        var values = new JsonElement[names.Length];
        foreach (var property in element.EnumerateObject())
        {
            var index = Array.IndexOf(names, property.Name);
            if (index < 0)
            {
                throw Error(Join(path, property.Name), $"unknown member (expected {string.Join(", ", names)})");
            }
            if (values[index].ValueKind != JsonValueKind.Undefined)
            {
                throw Error(Join(path, property.Name), "repeated member");
            }
            values[index] = property.Value;
        }
        return values;
    }

    public JsonElement Required(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            throw Error(path, "required member is missing");
        }
        return value;
    }

    /// <summary>True when the member is absent or JSON null.</summary>
    public static bool IsAbsent(JsonElement value) => value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;

    public ulong UInt64(JsonElement value, string path, ulong min = 0, ulong max = ulong.MaxValue)
    {
        Required(value, path);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetUInt64(out var number))
        {
            throw Error(path, $"expected an integer in {min}..{max}, got {Shown(value)}");
        }
        if (number < min || number > max)
        {
            throw Error(path, $"{number} is outside {min}..{max}");
        }
        return number;
    }

    public long Int64(JsonElement value, string path, long min, long max)
    {
        Required(value, path);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw Error(path, $"expected an integer in {min}..{max}, got {Shown(value)}");
        }
        if (number < min || number > max)
        {
            throw Error(path, $"{number} is outside {min}..{max}");
        }
        return number;
    }

    public bool Boolean(JsonElement value, string path)
    {
        Required(value, path);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(path, $"expected true or false, got {Shown(value)}"),
        };
    }

    public string String(JsonElement value, string path)
    {
        Required(value, path);
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error(path, $"expected a string, got {Shown(value)}");
        }
        return value.GetString()!;
    }

    /// <summary>Exactly <paramref name="length"/> bytes as hex (either case, no <c>0x</c>).</summary>
    public byte[] Hex(JsonElement value, string path, int length)
    {
        var text = String(value, path);
        if (text.Length != 2 * length)
        {
            throw Error(path, $"expected {length} bytes as {2 * length} hex digits, got {text.Length} characters");
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                throw Error(path, $"'{c}' is not a hex digit");
            }
        }
        return Convert.FromHexString(text);
    }

    /// <summary>Standard base64 (RFC 4648 §4, padded); an empty string is refused unless <paramref name="allowEmpty"/>.</summary>
    public byte[] Base64(JsonElement value, string path, bool allowEmpty = false)
    {
        var text = String(value, path);
        if (text.Length == 0 && !allowEmpty)
        {
            throw Error(path, "expected base64 bytes, got an empty string");
        }
        if (!value.TryGetBytesFromBase64(out var bytes) || text.Length % 4 != 0)
        {
            throw Error(path, "not standard padded base64");
        }
        return bytes;
    }

    public static string Join(string path, string member) => path.Length == 0 ? member : path + "." + member;

    public static string Index(string path, int index) => $"{path}[{index}]";

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Shown(JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.Number)
        {
            var raw = value.GetRawText();
            return raw.Length <= 40 ? raw : raw[..40] + "…";
        }
        return Kind(value);
    }
}
