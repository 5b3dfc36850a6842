using System.Text.Json;
using Citrine.Crypto.Encoding;

namespace Citrine.Attestation.Dcap.Collateral;

/// <summary>
/// A signed collateral JSON object: the exact bytes Intel signed and the raw r||s ECDSA P-256
/// signature over them. The body is never re-serialised.
/// </summary>
public sealed class SignedDocument
{
    public SignedDocument(byte[] body, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(signature);
        Body = body;
        Signature = signature;
    }

    /// <summary>The signed bytes (the inner JSON object, exactly as published).</summary>
    public byte[] Body { get; }

    /// <summary>64-byte raw r||s signature.</summary>
    public byte[] Signature { get; }

    /// <summary>
    /// Loads an Intel PCS response, e.g. <c>{"tcbInfo":{...},"signature":"hex"}</c>: the body is
    /// the bytes of the value of <paramref name="objectKey"/> from its '{' to the matching '}'.
    /// </summary>
    public static SignedDocument FromPcsResponse(ReadOnlySpan<byte> json, string objectKey)
    {
        ArgumentNullException.ThrowIfNull(objectKey);
        byte[]? body = null;
        string? signatureHex = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new CollateralFormatException(objectKey, "PCS response is not a JSON object");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isBody = reader.ValueTextEquals(objectKey);
                var isSignature = reader.ValueTextEquals("signature");
                if (!reader.Read())
                {
                    break;
                }
                if (isBody)
                {
                    if (reader.TokenType != JsonTokenType.StartObject || body is not null)
                    {
                        throw new CollateralFormatException(objectKey, "must appear once, as a JSON object");
                    }
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    body = json[start..(int)reader.BytesConsumed].ToArray();
                }
                else if (isSignature)
                {
                    if (reader.TokenType != JsonTokenType.String || signatureHex is not null)
                    {
                        throw new CollateralFormatException("signature", "must appear once, as a string");
                    }
                    signatureHex = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw new CollateralFormatException(objectKey, "PCS response does not end after its top-level object");
            }
        }
        catch (JsonException e)
        {
            throw new CollateralFormatException(objectKey, $"invalid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new CollateralFormatException(objectKey, $"invalid JSON text: {e.Message}", e);
        }
        if (body is null)
        {
            throw new CollateralFormatException(objectKey, "is missing from the PCS response");
        }
        return new SignedDocument(body, DecodeSignature(signatureHex, "signature"));
    }

    internal static byte[] DecodeSignature(string? hex, string item)
    {
        if (hex is null)
        {
            throw new CollateralFormatException(item, "is missing");
        }
        if (!Hex.TryDecode(hex, out var sig) || sig.Length != 64)
        {
            throw new CollateralFormatException(item, "is not 64 bytes of hex (raw r||s)");
        }
        return sig;
    }
}
