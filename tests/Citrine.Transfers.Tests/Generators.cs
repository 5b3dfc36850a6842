using FsCheck;
using FsCheck.Fluent;
using Transfers.Protocol;

namespace Citrine.Transfers.Tests;

internal static class Generators
{
    public static Gen<byte[]> Address() => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 20);

    public static Gen<HistoryEntry> Entry() =>
        from seq in ArbMap.Default.GeneratorFor<ulong>()
        from kind in Gen.Elements(HistoryKind.Deposit, HistoryKind.Transfer, HistoryKind.Withdraw)
        from counterparty in Address()
        from amount in ArbMap.Default.GeneratorFor<ulong>()
        from direction in Gen.Elements(HistoryDirection.Credit, HistoryDirection.Debit)
        select new HistoryEntry(seq, kind, counterparty, amount, direction);

    public static Gen<BalanceReport> Report() =>
        from balance in ArbMap.Default.GeneratorFor<ulong>()
        from count in Gen.Choose(0, BalanceReport.HistoryLimit)
        from entries in Gen.ArrayOf(Entry(), count)
        select new BalanceReport(balance, entries);
}
