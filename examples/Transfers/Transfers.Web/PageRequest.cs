using System.Text.Json;
using Citrine.Contracts.Execution;
using Transfers.Protocol;

namespace Transfers.Web;

/// <summary>
/// The body of <c>POST /api/requests</c>:
/// <c>{"account":"name or hex","kind":"deposit|transfer|withdraw|balance","suite":"…","enc":"b64","ciphertext":"b64","funds":N}</c>.
/// Strict: every member present once, nothing else. A deposit carries funds and no ciphertext; every
/// other kind a 32-byte <c>enc</c>, a ciphertext of 1 byte..16 KiB and no funds — what the contract
/// would refuse is refused here with a sentence naming the field.
/// </summary>
internal sealed record PageRequest(string Account, string Kind, string Suite, byte[] Enc, byte[] Ciphertext, ulong Funds)
{
    private static readonly string[] Members = ["account", "kind", "suite", "enc", "ciphertext", "funds"];

    /// <exception cref="FormatException">not a valid request body.</exception>
    public static PageRequest Parse(ReadOnlySpan<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"the body is not JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("the body is a JSON object");
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in root.EnumerateObject())
            {
                if (!Members.Contains(member.Name, StringComparer.Ordinal))
                {
                    throw new FormatException($"unknown member '{member.Name}'");
                }
                if (!seen.Add(member.Name))
                {
                    throw new FormatException($"member '{member.Name}' appears twice");
                }
            }
            foreach (var name in Members)
            {
                if (!seen.Contains(name))
                {
                    throw new FormatException($"member '{name}' is missing");
                }
            }
            var account = String(root, "account");
            var kind = String(root, "kind");
            var suite = String(root, "suite");
            var enc = Base64(root, "enc");
            var ciphertext = Base64(root, "ciphertext");
            var fundsElement = root.GetProperty("funds");
            if (fundsElement.ValueKind != JsonValueKind.Number || !fundsElement.TryGetUInt64(out var funds))
            {
                throw new FormatException("funds: an integer 0..2^64-1");
            }
            if (!TransfersKind.IsKnown(kind))
            {
                throw new FormatException($"kind: '{kind}' is not one of {string.Join(", ", TransfersKind.All)}");
            }
            if (!RequestSuite.TryGetAeadId(suite, out _))
            {
                throw new FormatException($"suite: '{suite}' is not {RequestSuite.ChaCha20Poly1305} or {RequestSuite.Aes256Gcm}");
            }
            if (kind == TransfersKind.Deposit)
            {
                if (funds == 0)
                {
                    throw new FormatException("funds: a deposit carries at least 1 token");
                }
                if (enc.Length != 0 || ciphertext.Length != 0)
                {
                    throw new FormatException("ciphertext: a deposit carries none (enc and ciphertext are empty)");
                }
            }
            else
            {
                if (funds != 0)
                {
                    throw new FormatException($"funds: only a deposit carries funds, a {kind} carries 0");
                }
                if (enc.Length != RequestSuite.EncSize)
                {
                    throw new FormatException($"enc: {RequestSuite.EncSize} bytes, got {enc.Length}");
                }
                if (ciphertext.Length is 0 or > RequestRecord.MaxCiphertextSize)
                {
                    throw new FormatException($"ciphertext: 1..{RequestRecord.MaxCiphertextSize} bytes, got {ciphertext.Length}");
                }
            }
            return new PageRequest(account, kind, suite, enc, ciphertext, funds);
        }
    }

    private static string String(JsonElement root, string name)
    {
        var element = root.GetProperty(name);
        return element.ValueKind == JsonValueKind.String ? element.GetString()! : throw new FormatException($"{name}: a string");
    }

    private static byte[] Base64(JsonElement root, string name)
    {
        var element = root.GetProperty(name);
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"{name}: a base64 string");
        }
        try
        {
            return Convert.FromBase64String(element.GetString()!);
        }
        catch (FormatException)
        {
            throw new FormatException($"{name}: not base64");
        }
    }
}
