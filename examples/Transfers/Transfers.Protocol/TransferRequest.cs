using System.Buffers.Binary;

namespace Transfers.Protocol;

/// <summary>
/// Plaintext of a <c>transfer</c> request: <c>u8 version = 1 ‖ [20] to ‖ u64be amount</c>, exactly
/// 29 bytes. The sender is not in it: the enclave takes the tx signer from the request record.
/// </summary>
public sealed class TransferRequest
{
    public const byte Version = 1;
    public const int AddressLength = 20;
    public const int EncodedLength = 1 + AddressLength + 8;
    private const string Format = "transfer request";

    private readonly byte[] _to;

    public TransferRequest(ReadOnlySpan<byte> to, ulong amount)
    {
        if (to.Length != AddressLength)
        {
            throw new ArgumentException($"a recipient address is {AddressLength} bytes, got {to.Length}", nameof(to));
        }
        _to = to.ToArray();
        Amount = amount;
    }

    /// <summary>The recipient's 20-byte account address.</summary>
    public ReadOnlySpan<byte> To => _to;

    public ulong Amount { get; }

    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        bytes[0] = Version;
        _to.CopyTo(bytes.AsSpan(1));
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(1 + AddressLength), Amount);
        return bytes;
    }

    /// <exception cref="TransfersFormatException">not exactly this format.</exception>
    public static TransferRequest Decode(ReadOnlySpan<byte> plaintext)
    {
        var reader = new PlaintextReader(plaintext, Format);
        reader.Version(Version);
        var to = reader.Bytes(AddressLength, "to");
        var amount = reader.U64("amount");
        reader.End();
        return new TransferRequest(to, amount);
    }

    public static bool TryDecode(ReadOnlySpan<byte> plaintext, out TransferRequest? request, out string? error)
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
