using System.Buffers.Binary;

namespace Transfers.Protocol;

/// <summary>What a history entry records.</summary>
public enum HistoryKind : byte
{
    Deposit = 1,
    Transfer = 2,
    Withdraw = 3,
}

/// <summary>Which way the tokens moved for the account that holds the entry.</summary>
public enum HistoryDirection : byte
{
    /// <summary>"+": the balance went up.</summary>
    Credit = 1,

    /// <summary>"−": the balance went down.</summary>
    Debit = 2,
}

/// <summary>
/// One line of an account's history: <c>u64be seq ‖ u8 kind ‖ [20] counterparty ‖ u64be amount ‖ u8 direction</c>
/// (38 bytes). <c>seq</c> is the request's queue sequence number; the counterparty of a transfer is
/// the other account, of a deposit or withdraw 20 zero bytes (the contract's own funds).
/// </summary>
public sealed class HistoryEntry : IEquatable<HistoryEntry>
{
    public const int AddressLength = 20;
    public const int EncodedLength = 8 + 1 + AddressLength + 8 + 1;

    private readonly byte[] _counterparty;

    public HistoryEntry(ulong seq, HistoryKind kind, ReadOnlySpan<byte> counterparty, ulong amount, HistoryDirection direction)
    {
        if (counterparty.Length != AddressLength)
        {
            throw new ArgumentException($"a counterparty is {AddressLength} bytes, got {counterparty.Length}", nameof(counterparty));
        }
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a history kind");
        }
        if (!Enum.IsDefined(direction))
        {
            throw new ArgumentOutOfRangeException(nameof(direction), direction, "not a direction");
        }
        Seq = seq;
        Kind = kind;
        _counterparty = counterparty.ToArray();
        Amount = amount;
        Direction = direction;
    }

    public ulong Seq { get; }

    public HistoryKind Kind { get; }

    public ReadOnlySpan<byte> Counterparty => _counterparty;

    public ulong Amount { get; }

    public HistoryDirection Direction { get; }

    /// <summary>Writes the 38 bytes into <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, Seq);
        destination[8] = (byte)Kind;
        _counterparty.CopyTo(destination[9..]);
        BinaryPrimitives.WriteUInt64BigEndian(destination[(9 + AddressLength)..], Amount);
        destination[EncodedLength - 1] = (byte)Direction;
    }

    /// <summary>Decodes exactly one 38-byte entry.</summary>
    /// <exception cref="TransfersFormatException">not exactly one entry.</exception>
    public static HistoryEntry Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new PlaintextReader(bytes, "history entry");
        var entry = Read(ref reader);
        reader.End();
        return entry;
    }

    internal static HistoryEntry Read(ref PlaintextReader reader)
    {
        var seq = reader.U64("seq");
        var kindAt = reader.Position;
        var kind = (HistoryKind)reader.U8("kind");
        if (!Enum.IsDefined(kind))
        {
            throw reader.Fail("kind", kindAt, $"{(byte)kind} is not 1 (deposit), 2 (transfer) or 3 (withdraw)");
        }
        var counterparty = reader.Bytes(AddressLength, "counterparty");
        var amount = reader.U64("amount");
        var directionAt = reader.Position;
        var direction = (HistoryDirection)reader.U8("direction");
        if (!Enum.IsDefined(direction))
        {
            throw reader.Fail("direction", directionAt, $"{(byte)direction} is not 1 (credit) or 2 (debit)");
        }
        return new HistoryEntry(seq, kind, counterparty, amount, direction);
    }

    public bool Equals(HistoryEntry? other) =>
        other is not null && Seq == other.Seq && Kind == other.Kind && Amount == other.Amount
        && Direction == other.Direction && _counterparty.AsSpan().SequenceEqual(other._counterparty);

    public override bool Equals(object? obj) => Equals(obj as HistoryEntry);

    public override int GetHashCode() => HashCode.Combine(Seq, Kind, Amount, Direction, BinaryPrimitives.ReadUInt32BigEndian(_counterparty));

    public override string ToString() =>
        $"#{Seq} {Kind} {(Direction == HistoryDirection.Credit ? "+" : "-")}{Amount} {Convert.ToHexStringLower(_counterparty)}";
}
