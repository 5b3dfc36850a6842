using System.Text.Encodings.Web;
using System.Text.Json;

namespace Citrine.Chain.Rpc;

/// <summary>How RPC responses are written.</summary>
internal static class RpcJson
{
    /// <summary>
    /// Characters as CometBFT (Go encoding/json) writes them: base64's '+' and non-ASCII text stay
    /// literal (System.Text.Json's default encoder would write <c>\u002B</c>). Valid JSON either
    /// way; this keeps responses byte-comparable with a CometBFT node for tools that diff them.
    /// Responses are JSON served as application/json, never embedded in HTML.
    /// </summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Utf8JsonWriter CreateWriter(Stream stream) => new(stream, Options);
}
