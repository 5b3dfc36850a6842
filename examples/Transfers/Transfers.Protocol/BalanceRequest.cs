namespace Transfers.Protocol;

/// <summary>
/// Plaintext of a <c>balance</c> request: <c>u8 version = 1 ‖ [32] response_key</c>, exactly 33 bytes.
/// <c>response_key</c> is an X25519 public key the client made for this one answer; the enclave
/// seals the <see cref="BalanceReport"/> to it, so only the holder of its private key reads it.
/// </summary>
public sealed class BalanceRequest
{
    public const byte Version = 1;
    public const int KeyLength = 32;
    public const int EncodedLength = 1 + KeyLength;
    private const string Format = "balance request";

    private readonly byte[] _responseKey;

    public BalanceRequest(ReadOnlySpan<byte> responseKey)
    {
        if (responseKey.Length != KeyLength)
        {
            throw new ArgumentException($"a response key is {KeyLength} bytes (X25519), got {responseKey.Length}", nameof(responseKey));
        }
        _responseKey = responseKey.ToArray();
    }

    /// <summary>The X25519 public key to seal the answer to.</summary>
    public ReadOnlySpan<byte> ResponseKey => _responseKey;

    public byte[] Encode() => [Version, .. _responseKey];

    /// <exception cref="TransfersFormatException">not exactly this format.</exception>
    public static BalanceRequest Decode(ReadOnlySpan<byte> plaintext)
    {
        var reader = new PlaintextReader(plaintext, Format);
        reader.Version(Version);
        var key = reader.Bytes(KeyLength, "response_key");
        reader.End();
        return new BalanceRequest(key);
    }

    public static bool TryDecode(ReadOnlySpan<byte> plaintext, out BalanceRequest? request, out string? error)
    {
        try
        {
            request = Decode(plaintext);
            error = null;
            return true;
        }
        catch (TransfersFormatException e)
        {
            request = null;
            error = e.Message;
            return false;
        }
    }
}
