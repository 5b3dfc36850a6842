using System.Buffers.Binary;

namespace Transfers.Protocol;

/// <summary>
/// The plaintext the enclave seals in answer to a <c>balance</c> request:
/// <c>u8 version = 1 ‖ u64be balance ‖ u32be n ‖ n × HistoryEntry</c>, oldest entry first,
/// n ≤ <see cref="HistoryLimit"/>.
/// </summary>
public sealed class BalanceReport
{
    public const byte Version = 1;

    /// <summary>The most entries an account keeps (older ones are dropped), and so the most a report holds.</summary>
    public const int HistoryLimit = 64;

    private const string Format = "balance report";

    public BalanceReport(ulong balance, IReadOnlyList<HistoryEntry> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count > HistoryLimit)
        {
            throw new ArgumentException($"a report holds at most {HistoryLimit} entries, got {history.Count}", nameof(history));
        }
        Balance = balance;
        History = [.. history];
    }

    public ulong Balance { get; }

    public IReadOnlyList<HistoryEntry> History { get; }

    public byte[] Encode()
    {
        var bytes = new byte[1 + 8 + 4 + (History.Count * HistoryEntry.EncodedLength)];
        bytes[0] = Version;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(1), Balance);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(9), (uint)History.Count);
        for (var i = 0; i < History.Count; i++)
        {
            History[i].Write(bytes.AsSpan(13 + (i * HistoryEntry.EncodedLength)));
        }
        return bytes;
    }

    /// <exception cref="TransfersFormatException">not exactly this format.</exception>
    public static BalanceReport Decode(ReadOnlySpan<byte> plaintext)
    {
        var reader = new PlaintextReader(plaintext, Format);
        reader.Version(Version);
        var balance = reader.U64("balance");
        var countAt = reader.Position;
        var count = reader.U32("n");
        if (count > HistoryLimit)
        {
            throw reader.Fail("n", countAt, $"{count} entries, at most {HistoryLimit}");
        }
        var history = new HistoryEntry[count];
        for (var i = 0; i < history.Length; i++)
        {
            history[i] = HistoryEntry.Read(ref reader);
        }
        reader.End();
        return new BalanceReport(balance, history);
    }

    public static bool TryDecode(ReadOnlySpan<byte> plaintext, out BalanceReport? report, out string? error)
    {
        try
        {
            report = Decode(plaintext);
            error = null;
            return true;
        }
        catch (TransfersFormatException e)
        {
            report = null;
            error = e.Message;
            return false;
        }
    }
}
