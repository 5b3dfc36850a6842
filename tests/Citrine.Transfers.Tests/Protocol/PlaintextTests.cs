using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Transfers.Protocol;

namespace Citrine.Transfers.Tests.Protocol;

public sealed class PlaintextTests
{
    private static readonly byte[] Recipient = Convert.FromHexString("0102030405060708090a0b0c0d0e0f1011121314");

    [Fact]
    public void Transfer_encodes_as_documented()
    {
        // docs/transfers.md, "Requests": a transfer of 250 to 0102…14.
        Assert.Equal(
            "01" + "0102030405060708090a0b0c0d0e0f1011121314" + "00000000000000fa",
            Convert.ToHexStringLower(new TransferRequest(Recipient, 250).Encode()));
    }

    [Fact]
    public void Withdraw_and_balance_encode_as_documented()
    {
        Assert.Equal("010000000000000007", Convert.ToHexStringLower(new WithdrawRequest(7).Encode()));
        var key = Enumerable.Repeat((byte)0xab, 32).ToArray();
        Assert.Equal("01" + string.Concat(Enumerable.Repeat("ab", 32)), Convert.ToHexStringLower(new BalanceRequest(key).Encode()));
    }

    [Theory]
    [InlineData(TransferRequest.EncodedLength - 1, "amount")]
    [InlineData(TransferRequest.EncodedLength + 1, "end")]
    [InlineData(0, "version")]
    public void Transfer_decode_refuses_wrong_length_naming_the_field(int length, string field)
    {
        var bytes = new byte[length];
        if (length > 0)
        {
            bytes[0] = 1;
        }
        var e = Assert.Throws<TransfersFormatException>(() => TransferRequest.Decode(bytes));
        Assert.Equal(field, e.Field);
        Assert.Equal("transfer request", e.Format);
    }

    [Fact]
    public void Every_request_refuses_another_version()
    {
        var transfer = new TransferRequest(Recipient, 1).Encode();
        var withdraw = new WithdrawRequest(1).Encode();
        var balance = new BalanceRequest(new byte[32]).Encode();
        transfer[0] = withdraw[0] = balance[0] = 2;
        Assert.Equal("version", Assert.Throws<TransfersFormatException>(() => TransferRequest.Decode(transfer)).Field);
        Assert.Equal("version", Assert.Throws<TransfersFormatException>(() => WithdrawRequest.Decode(withdraw)).Field);
        Assert.Equal("version", Assert.Throws<TransfersFormatException>(() => BalanceRequest.Decode(balance)).Field);
        Assert.False(WithdrawRequest.TryDecode(withdraw, out _, out var error));
        Assert.Contains("version", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Withdraw_and_balance_refuse_trailing_bytes()
    {
        Assert.Equal("end", Assert.Throws<TransfersFormatException>(() => WithdrawRequest.Decode([.. new WithdrawRequest(1).Encode(), 0])).Field);
        Assert.Equal("end", Assert.Throws<TransfersFormatException>(() => BalanceRequest.Decode([.. new BalanceRequest(new byte[32]).Encode(), 0])).Field);
        Assert.Equal("response_key", Assert.Throws<TransfersFormatException>(() => BalanceRequest.Decode(new BalanceRequest(new byte[32]).Encode().AsSpan(0, 32))).Field);
    }

    [Property]
    public void Transfer_round_trips(byte[] seed, ulong amount)
    {
        var to = Address(seed);
        var decoded = TransferRequest.Decode(new TransferRequest(to, amount).Encode());
        Assert.Equal(to, decoded.To.ToArray());
        Assert.Equal(amount, decoded.Amount);
    }

    [Property]
    public void Withdraw_round_trips(ulong amount) => Assert.Equal(amount, WithdrawRequest.Decode(new WithdrawRequest(amount).Encode()).Amount);

    [Property]
    public Property Report_round_trips() =>
        Prop.ForAll(Generators.Report().ToArbitrary(), report =>
        {
            var decoded = BalanceReport.Decode(report.Encode());
            return decoded.Balance == report.Balance && decoded.History.SequenceEqual(report.History);
        });

    [Fact]
    public void Report_encodes_as_documented()
    {
        var entry = new HistoryEntry(5, HistoryKind.Transfer, Recipient, 250, HistoryDirection.Debit);
        var hex = Convert.ToHexStringLower(new BalanceReport(750, [entry]).Encode());
        Assert.Equal("01" + "00000000000002ee" + "00000001" + "0000000000000005" + "02" + "0102030405060708090a0b0c0d0e0f1011121314" + "00000000000000fa" + "02", hex);
    }

    [Fact]
    public void Report_decode_refuses_bad_kind_direction_count_and_length()
    {
        var entry = new HistoryEntry(5, HistoryKind.Deposit, new byte[20], 1, HistoryDirection.Credit);
        var good = new BalanceReport(1, [entry]).Encode();

        var badKind = (byte[])good.Clone();
        badKind[13 + 8] = 4;
        Assert.Equal(("kind", 21), Fail(badKind));

        var badDirection = (byte[])good.Clone();
        badDirection[^1] = 0;
        Assert.Equal(("direction", good.Length - 1), Fail(badDirection));

        var tooMany = (byte[])good.Clone();
        tooMany[12] = 65;
        Assert.Equal(("n", 9), Fail(tooMany));

        Assert.Equal(("amount", 42), Fail(good[..^2]));
        Assert.Equal(("end", good.Length), Fail([.. good, 0]));
    }

    [Property]
    public Property Any_single_byte_change_either_fails_or_decodes_to_a_different_report() =>
        Prop.ForAll(Generators.Report().ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (report, pick) =>
        {
            var bytes = report.Encode();
            var at = pick % bytes.Length;
            bytes[at] ^= 0x01;
            if (!BalanceReport.TryDecode(bytes, out var changed, out _))
            {
                return true;
            }
            return !changed!.Encode().AsSpan().SequenceEqual(report.Encode());
        });

    [Fact]
    public void Balance_seal_aad_is_length_prefixed_as_documented()
    {
        var aad = BalanceSeal.Aad("c", Recipient, 3, 9, Enumerable.Repeat((byte)0xee, 20).ToArray());
        Assert.Equal(
            "0000001c" + Convert.ToHexStringLower("citrine/transfers/v1/balance"u8) + "00000001" + "63" + "00000014" + "0102030405060708090a0b0c0d0e0f1011121314"
            + "0000000000000003" + "0000000000000009" + "00000014" + string.Concat(Enumerable.Repeat("ee", 20)),
            Convert.ToHexStringLower(aad));
    }

    private static (string?, int) Fail(byte[] bytes)
    {
        var e = Assert.Throws<TransfersFormatException>(() => BalanceReport.Decode(bytes));
        return (e.Field, e.Offset);
    }

    private static byte[] Address(byte[]? seed)
    {
        var address = new byte[20];
        (seed ?? []).AsSpan(0, Math.Min(20, seed?.Length ?? 0)).CopyTo(address);
        return address;
    }
}
