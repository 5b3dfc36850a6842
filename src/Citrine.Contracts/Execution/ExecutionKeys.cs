using System.Buffers.Binary;

namespace Citrine.Contracts.Execution;

/// <summary>
/// The contract state keys of the execution protocol (docs/execution.md, "Contract state"), beside
/// the session keys. u64 values are 8 bytes big-endian. In the node every key <c>k</c> lives in
/// store <c>wasm</c> at <c>0x03 ‖ contract ‖ k</c>, so the host can prove each with <c>abci_query</c>.
/// </summary>
public static class ExecutionKeys
{
    /// <summary><c>queue/next</c>: u64, the seq the next request gets (absent: 0).</summary>
    public static ReadOnlySpan<byte> QueueNext => "queue/next"u8;

    /// <summary><c>queue/head</c>: u64, the first request not yet consumed (absent: 0).</summary>
    public static ReadOnlySpan<byte> QueueHead => "queue/head"u8;

    /// <summary><c>queue/</c>: prefix of the request records, followed by u64be seq.</summary>
    public static ReadOnlySpan<byte> QueuePrefix => "queue/"u8;

    /// <summary><c>state</c>: the app's encrypted state blob (absent before the first output).</summary>
    public static ReadOnlySpan<byte> State => "state"u8;

    /// <summary><c>state/hash</c>: SHA-256 of <c>state</c> (absent, read as 32 zero bytes, before the first output).</summary>
    public static ReadOnlySpan<byte> StateHash => "state/hash"u8;

    /// <summary><c>response/</c>: prefix of the stored responses, followed by u64be seq.</summary>
    public static ReadOnlySpan<byte> ResponsePrefix => "response/"u8;

    /// <summary><c>output/last</c>: SHA-256 of the last applied output body.</summary>
    public static ReadOnlySpan<byte> OutputLast => "output/last"u8;

    /// <summary>The key of request <paramref name="seq"/>: <c>queue/ ‖ u64be seq</c>.</summary>
    public static byte[] Request(ulong seq) => WithSeq(QueuePrefix, seq);

    /// <summary>The key of the response to request <paramref name="seq"/>: <c>response/ ‖ u64be seq</c>.</summary>
    public static byte[] Response(ulong seq) => WithSeq(ResponsePrefix, seq);

    /// <summary>A u64 value as stored: 8 bytes big-endian.</summary>
    public static byte[] EncodeU64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>Reads a stored u64: false unless exactly 8 bytes.</summary>
    public static bool TryDecodeU64(ReadOnlySpan<byte> bytes, out ulong value)
    {
        if (bytes.Length != 8)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        return true;
    }

    private static byte[] WithSeq(ReadOnlySpan<byte> prefix, ulong seq)
    {
        var key = new byte[prefix.Length + 8];
        prefix.CopyTo(key);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(prefix.Length), seq);
        return key;
    }
}
