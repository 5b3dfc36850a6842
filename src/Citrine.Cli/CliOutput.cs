using System.Text.Encodings.Web;
using System.Text.Json;

namespace Citrine.Cli;

/// <summary>Writes one JSON object per command result, built with a <see cref="Utf8JsonWriter"/>.</summary>
public static class CliOutput
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void WriteJson(TextWriter output, Action<Utf8JsonWriter> body, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options with { Indented = indented }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
