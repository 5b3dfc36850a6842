using System.Buffers.Binary;
using Transfers.Protocol;

namespace Transfers.Enclave;

/// <summary>
/// The app's private state: every account that ever deposited, its balance and its newest
/// <see cref="BalanceReport.HistoryLimit"/> history entries. Each operation either applies whole
/// or returns a refusal reason and changes nothing.
/// </summary>
/// <remarks>
/// Encoding (the plaintext the runtime encrypts as the state blob), deterministic:
/// <c>u8 version = 1 ‖ u32 n ‖ n × account</c>, accounts in strictly ascending byte order of
/// address, account = <c>[20] address ‖ u64 balance ‖ u32 h ‖ h × HistoryEntry</c> (h ≤ 64, oldest
/// first). The empty state (before the first output) is the empty ledger.
/// </remarks>
public sealed class Ledger
{
    public const byte Version = 1;
    public const int AddressLength = 20;

    private static readonly byte[] NoCounterparty = new byte[AddressLength];

    // Lower-case hex keys sort in the same order as the bytes they spell.
    private readonly SortedDictionary<string, Account> _accounts = new(StringComparer.Ordinal);

    /// <summary>How many accounts the ledger knows.</summary>
    public int Count => _accounts.Count;

    /// <summary>The sum of all balances (what the contract must hold for the app).</summary>
    public UInt128 Total => _accounts.Values.Aggregate(UInt128.Zero, (sum, a) => sum + a.Balance);

    public bool IsKnown(ReadOnlySpan<byte> address) => _accounts.ContainsKey(Key(address));

    /// <summary>The balance of <paramref name="address"/>, or null for an address that never deposited.</summary>
    public ulong? BalanceOf(ReadOnlySpan<byte> address) => _accounts.TryGetValue(Key(address), out var a) ? a.Balance : null;

    /// <summary>The report of <paramref name="address"/>: its balance and history (empty for an unknown address).</summary>
    public BalanceReport Report(ReadOnlySpan<byte> address) =>
        _accounts.TryGetValue(Key(address), out var a) ? new BalanceReport(a.Balance, a.History) : new BalanceReport(0, []);

    /// <summary>Credits <paramref name="sender"/> with <paramref name="amount"/>; the first deposit makes the account known.</summary>
    public string? Deposit(ulong seq, ReadOnlySpan<byte> sender, ulong amount)
    {
        if (amount == 0)
        {
            return RefusalReason.ZeroAmount;
        }
        var account = _accounts.GetValueOrDefault(Key(sender));
        if (account is not null && account.Balance > ulong.MaxValue - amount)
        {
            return RefusalReason.Overflow;
        }
        account ??= _accounts[Key(sender)] = new Account();
        account.Balance += amount;
        account.Add(new HistoryEntry(seq, HistoryKind.Deposit, NoCounterparty, amount, HistoryDirection.Credit));
        return null;
    }

    /// <summary>Moves <paramref name="amount"/> from <paramref name="sender"/> to <paramref name="to"/>.</summary>
    public string? Transfer(ulong seq, ReadOnlySpan<byte> sender, ReadOnlySpan<byte> to, ulong amount)
    {
        if (amount == 0)
        {
            return RefusalReason.ZeroAmount;
        }
        if (!_accounts.TryGetValue(Key(to), out var recipient))
        {
            return RefusalReason.UnknownRecipient;
        }
        if (!_accounts.TryGetValue(Key(sender), out var from) || from.Balance < amount)
        {
            return RefusalReason.Overdraft;
        }
        if (!ReferenceEquals(from, recipient) && recipient.Balance > ulong.MaxValue - amount)
        {
            return RefusalReason.Overflow;
        }
        from.Balance -= amount;
        recipient.Balance += amount;
        from.Add(new HistoryEntry(seq, HistoryKind.Transfer, to, amount, HistoryDirection.Debit));
        recipient.Add(new HistoryEntry(seq, HistoryKind.Transfer, sender, amount, HistoryDirection.Credit));
        return null;
    }

    /// <summary>Debits <paramref name="sender"/>; the caller sends the tokens back on chain.</summary>
    public string? Withdraw(ulong seq, ReadOnlySpan<byte> sender, ulong amount)
    {
        if (amount == 0)
        {
            return RefusalReason.ZeroAmount;
        }
        if (!_accounts.TryGetValue(Key(sender), out var account) || account.Balance < amount)
        {
            return RefusalReason.Overdraft;
        }
        account.Balance -= amount;
        account.Add(new HistoryEntry(seq, HistoryKind.Withdraw, NoCounterparty, amount, HistoryDirection.Debit));
        return null;
    }

    public byte[] Encode()
    {
        var size = 1 + 4 + _accounts.Values.Sum(a => AddressLength + 8 + 4 + (a.History.Count * HistoryEntry.EncodedLength));
        var bytes = new byte[size];
        bytes[0] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), (uint)_accounts.Count);
        var at = 5;
        foreach (var (key, account) in _accounts)
        {
            Convert.FromHexString(key).CopyTo(bytes, at);
            at += AddressLength;
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(at), account.Balance);
            at += 8;
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), (uint)account.History.Count);
            at += 4;
            foreach (var entry in account.History)
            {
                entry.Write(bytes.AsSpan(at));
                at += HistoryEntry.EncodedLength;
            }
        }
        return bytes;
    }

    /// <summary>Decodes a state; empty input is the empty ledger.</summary>
    /// <exception cref="LedgerFormatException">not exactly the encoding above (which includes unsorted or repeated addresses).</exception>
    public static Ledger Decode(ReadOnlySpan<byte> state)
    {
        var ledger = new Ledger();
        if (state.IsEmpty)
        {
            return ledger;
        }
        var reader = new StateReader(state);
        var version = reader.U8("version");
        if (version != Version)
        {
            throw new LedgerFormatException($"ledger: version {version}, expected {Version}");
        }
        var count = reader.U32("account count");
        string? previous = null;
        for (var i = 0u; i < count; i++)
        {
            var key = Convert.ToHexStringLower(reader.Bytes(AddressLength, "address"));
            if (previous is not null && string.CompareOrdinal(previous, key) >= 0)
            {
                throw new LedgerFormatException($"ledger: account {i} ({key}) is not after {previous}: addresses must be strictly ascending");
            }
            previous = key;
            var account = new Account { Balance = reader.U64("balance") };
            var history = reader.U32("history count");
            if (history > BalanceReport.HistoryLimit)
            {
                throw new LedgerFormatException($"ledger: account {key} has {history} history entries, at most {BalanceReport.HistoryLimit}");
            }
            for (var h = 0u; h < history; h++)
            {
                account.History.Add(reader.Entry());
            }
            ledger._accounts.Add(key, account);
        }
        reader.End();
        return ledger;
    }

    private static string Key(ReadOnlySpan<byte> address)
    {
        if (address.Length != AddressLength)
        {
            throw new ArgumentException($"an address is {AddressLength} bytes, got {address.Length}", nameof(address));
        }
        return Convert.ToHexStringLower(address);
    }

    private sealed class Account
    {
        public ulong Balance { get; set; }

        public List<HistoryEntry> History { get; } = [];

        public void Add(HistoryEntry entry)
        {
            if (History.Count == BalanceReport.HistoryLimit)
            {
                History.RemoveAt(0);
            }
            History.Add(entry);
        }
    }

    private ref struct StateReader
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _position;

        public StateReader(ReadOnlySpan<byte> data)
        {
            _data = data;
            _position = 0;
        }

        public byte U8(string field) => Take(1, field)[0];

        public uint U32(string field) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, field));

        public ulong U64(string field) => BinaryPrimitives.ReadUInt64BigEndian(Take(8, field));

        public ReadOnlySpan<byte> Bytes(int count, string field) => Take(count, field);

        public HistoryEntry Entry()
        {
            var at = _position;
            var bytes = Take(HistoryEntry.EncodedLength, "history entry");
            try
            {
                return HistoryEntry.Decode(bytes);
            }
            catch (TransfersFormatException e)
            {
                throw new LedgerFormatException($"ledger: history entry at offset {at}: {e.Message}", e);
            }
        }

        public readonly void End()
        {
            if (_position != _data.Length)
            {
                throw new LedgerFormatException($"ledger: {_data.Length - _position} trailing bytes at offset {_position}");
            }
        }

        private ReadOnlySpan<byte> Take(int count, string field)
        {
            if ((uint)count > (uint)(_data.Length - _position))
            {
                throw new LedgerFormatException($"ledger: {field} at offset {_position} needs {count} bytes, {_data.Length - _position} left");
            }
            var slice = _data.Slice(_position, count);
            _position += count;
            return slice;
        }
    }
}

/// <summary>A ledger state that does not decode: the batch is refused rather than the state reset.</summary>
public sealed class LedgerFormatException : Exception
{
    public LedgerFormatException()
    {
    }

    public LedgerFormatException(string message)
        : base(message)
    {
    }

    public LedgerFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
