using System.Buffers.Binary;

namespace Transfers.Protocol;

/// <summary>Plaintext of a <c>withdraw</c> request: <c>u8 version = 1 ‖ u64be amount</c>, exactly 9 bytes.</summary>
public sealed class WithdrawRequest
{
    public const byte Version = 1;
    public const int EncodedLength = 1 + 8;
    private const string Format = "withdraw request";

    public WithdrawRequest(ulong amount)
    {
        Amount = amount;
    }

    public ulong Amount { get; }

    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        bytes[0] = Version;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(1), Amount);
        return bytes;
    }

    /// <exception cref="TransfersFormatException">not exactly this format.</exception>
    public static WithdrawRequest Decode(ReadOnlySpan<byte> plaintext)
    {
        var reader = new PlaintextReader(plaintext, Format);
        reader.Version(Version);
        var amount = reader.U64("amount");
        reader.End();
        return new WithdrawRequest(amount);
    }

    public static bool TryDecode(ReadOnlySpan<byte> plaintext, out WithdrawRequest? request, out string? error)
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
