using Citrine.Chain.App;
using Citrine.Chain.Contracts;
using Citrine.Chain.Encoding;
using Citrine.Chain.Tests.Contracts;
using Citrine.Chain.Txs;
using Citrine.Crypto;
using FsCheck.Xunit;

namespace Citrine.Chain.Tests.Properties;

public class ChainProperties
{
    private static readonly Lazy<AppHarness> Shared = new(() => new AppHarness());

    private static byte[] Bytes(byte[]? seed, int length) => Hashing.Sha256(seed ?? [])[..length];

    private static string Text(string? value) => new([.. (value ?? "").Where(char.IsAsciiLetterOrDigit).Take(Tx.MaxMemoLength)]);

    private static AppHarness WithCounter()
    {
        var host = new ContractHost();
        host.Register(new ContractCode("counter", new byte[32], () => new CounterContract()));
        return new AppHarness(host);
    }

    private static byte[] InstantiateCounter(AppHarness harness)
    {
        var result = harness.Deliver(harness.Sign(0, new MsgInstantiate(harness.Address(0), "counter", "0"u8.ToArray(), 0, "c")));
        Assert.True(result.IsOk, result.Log);
        return result.Data;
    }

    [Property(MaxTest = 60)]
    public bool Tx_encode_then_decode_round_trips(byte[] from, byte[] to, ulong amount, string memo, ulong sequence, ulong gas,
        byte[] message, ulong funds, long power, string code, byte kind)
    {
        var sender = Hashing.Sha256([1]).AsSpan(0, 20).ToArray();
        Msg msg = (kind % 4) switch
        {
            0 => new MsgSend(sender, Bytes(to, 20), amount),
            1 => new MsgSetValidator(sender, Bytes(from, 32), power),
            2 => new MsgInstantiate(sender, Text(code), message ?? [], funds, Text(memo)),
            _ => new MsgExecute(sender, Bytes(to, 20), message ?? [], funds),
        };
        var tx = Tx.Create([msg, msg], Text(memo), Hashing.Sha256(from ?? []), sequence, gas, "chain", 7);
        var bytes = tx.Encode();
        var decoded = Tx.Decode(bytes);
        return decoded.Encode().AsSpan().SequenceEqual(bytes)
            && Tx.EncodeBody(decoded.Messages, decoded.Memo).AsSpan().SequenceEqual(tx.BodyBytes)
            && decoded.Messages.Count == 2 && decoded.Messages[0].GetType() == msg.GetType()
            && decoded.Memo == tx.Memo && decoded.Sequence == sequence && decoded.GasLimit == gas
            && decoded.PublicKey.AsSpan().SequenceEqual(tx.PublicKey) && decoded.Signature.AsSpan().SequenceEqual(tx.Signature);
    }

    [Property(MaxTest = 200)]
    public bool Any_single_byte_mutation_of_a_signed_tx_is_rejected(int position, byte xor, ushort amount, bool contractMessage)
    {
        var harness = Shared.Value;
        Msg msg = contractMessage
            ? new MsgExecute(harness.Address(1), Bytes([2], 20), "inc"u8.ToArray(), amount)
            : new MsgSend(harness.Address(1), harness.Address(2), 1 + (ulong)amount);
        var original = harness.Sign(1, msg);
        var (accepted, _) = harness.App.CheckTx(original);
        Assert.True(accepted.IsOk, accepted.Log);

        var mutated = (byte[])original.Clone();
        mutated[(int)((uint)position % (uint)mutated.Length)] ^= xor == 0 ? (byte)1 : xor;
        var (check, _) = harness.App.CheckTx(mutated);
        Tx? decoded = null;
        try
        {
            decoded = Tx.Decode(mutated);
        }
        catch (ProtoDecodeException)
        {
        }
        var sameSignDoc = decoded is not null
            && decoded.BodyBytes.AsSpan().SequenceEqual(Tx.Decode(original).BodyBytes)
            && decoded.AuthInfoBytes.AsSpan().SequenceEqual(Tx.Decode(original).AuthInfoBytes);
        // The sign doc covers body and auth info, so a mutation either breaks the framing, changes
        // the sign doc, or changes the signature; CheckTx must refuse all three.
        return !check.IsOk && (decoded is null || !sameSignDoc || !decoded.Signature.AsSpan().SequenceEqual(Tx.Decode(original).Signature))
            && check.Code is TxCodes.TxDecode or TxCodes.Unauthorized or TxCodes.InvalidPubKey or TxCodes.InvalidSequence or TxCodes.UnknownAddress or TxCodes.InvalidGasLimit or TxCodes.OutOfGas;
    }

    [Property(MaxTest = 25)]
    public bool Total_supply_is_conserved_across_random_bank_sends_including_failing_ones((byte Kind, byte From, byte To, uint Amount)[] operations)
    {
        using var harness = new AppHarness();
        var fresh = Bytes([9], 20);
        var addresses = new[] { harness.Address(0), harness.Address(1), harness.Address(2), fresh };
        var supply = 3 * AppHarness.InitialBalance;
        foreach (var (kind, fromIndex, toIndex, amount) in (operations ?? []).Take(12))
        {
            var from = fromIndex % 3;
            var to = addresses[toIndex % 4];
            var balance = harness.Balance(addresses[from]);
            var (tx, expected) = (kind % 5) switch
            {
                0 => (harness.Sign(from, new MsgSend(addresses[from], to, 1 + (amount % Math.Max(balance, 1)))), balance == 0 ? TxCodes.InsufficientFunds : TxCodes.Ok),
                1 => (harness.Sign(from, new MsgSend(addresses[from], to, balance + 1 + amount)), TxCodes.InsufficientFunds),
                2 => (harness.Sign(from, new MsgSend(addresses[from], to, 1), sequence: harness.Sequence(from) + 1 + (amount % 3)), TxCodes.InvalidSequence),
                3 => (harness.Sign(from, new MsgSend(addresses[from], to, 1), chainId: "another-chain"), TxCodes.Unauthorized),
                _ => (harness.Sign((from + 1) % 3, new MsgSend(addresses[from], to, 1)), TxCodes.Unauthorized),
            };
            var result = harness.Deliver(tx);
            var total = addresses.Aggregate(0UL, (sum, a) => sum + harness.Balance(a));
            if (result.Code != expected || total != supply)
            {
                return false;
            }
        }
        return true;
    }

    [Property(MaxTest = 15)]
    public bool A_reverted_contract_tx_changes_the_app_hash_only_as_a_failed_no_op_tx_does(byte increments, bool outOfGas)
    {
        // The ante handler's sequence increment stays (Cosmos SDK semantics), so the reference is a
        // twin chain where the same sender's tx fails without touching any contract.
        using var reverting = WithCounter();
        using var reference = WithCounter();
        var contract = InstantiateCounter(reverting);
        Assert.Equal(contract, InstantiateCounter(reference));
        for (var i = 0; i < increments % 4; i++)
        {
            var (_, a) = reverting.Block(reverting.Sign(0, new MsgExecute(reverting.Address(0), contract, "inc"u8.ToArray(), 0)));
            var (_, b) = reference.Block(reference.Sign(0, new MsgExecute(reference.Address(0), contract, "inc"u8.ToArray(), 0)));
            Assert.Equal(a, b);
        }
        var failing = outOfGas
            ? reverting.Sign(0, new MsgExecute(reverting.Address(0), contract, "hash"u8.ToArray(), 0), gas: 300_000)
            : reverting.Sign(0, new MsgExecute(reverting.Address(0), contract, "fail"u8.ToArray(), 0));
        var (results, revertedHash) = reverting.Block(failing);
        var (noOpResults, referenceHash) = reference.Block(reference.Sign(0, new MsgExecute(reference.Address(0), new byte[20], "inc"u8.ToArray(), 0)));
        return results[0].Code == (outOfGas ? TxCodes.OutOfGas : ContractException.Code)
            && noOpResults[0].Code == TxCodes.UnknownAddress
            && revertedHash.AsSpan().SequenceEqual(referenceHash);
    }

    [Property(MaxTest = 40)]
    public bool Gas_used_never_exceeds_the_gas_limit(uint limit, byte kind)
    {
        using var harness = WithCounter();
        var contract = InstantiateCounter(harness);
        var gas = 1 + (limit % 300_000);
        Msg msg = (kind % 3) switch
        {
            0 => new MsgSend(harness.Address(0), harness.Address(1), 5),
            1 => new MsgExecute(harness.Address(0), contract, "inc"u8.ToArray(), 0),
            _ => new MsgExecute(harness.Address(0), contract, "hash"u8.ToArray(), 0),
        };
        var tx = harness.Sign(0, msg, gas: gas);
        var (check, _) = harness.App.CheckTx(tx);
        var result = harness.Deliver(tx);
        return check.GasUsed <= (long)gas && result.GasUsed <= (long)gas && result.GasWanted == (long)gas
            && (result.IsOk || result.GasUsed <= result.GasWanted);
    }

    [Property(MaxTest = 30)]
    public bool A_replayed_tx_is_always_rejected_and_changes_nothing(ushort amount, bool contractMessage, bool sameBlock)
    {
        using var harness = WithCounter();
        var contract = InstantiateCounter(harness);
        var tx = contractMessage
            ? harness.Sign(1, new MsgExecute(harness.Address(1), contract, "inc"u8.ToArray(), amount))
            : harness.Sign(1, new MsgSend(harness.Address(1), harness.Address(2), 1 + (ulong)amount));
        if (sameBlock)
        {
            var (results, _) = harness.Block(tx, tx);
            return results[0].IsOk && results[1].Code == TxCodes.InvalidSequence;
        }
        var (first, before) = harness.Block(tx);
        var (check, _) = harness.App.CheckTx(tx);
        var (replayed, after) = harness.Block(tx);
        return first[0].IsOk && check.Code == TxCodes.InvalidSequence && replayed[0].Code == TxCodes.InvalidSequence
            && before.AsSpan().SequenceEqual(after);
    }
}
