using Citrine.Chain.App;
using Citrine.Chain.Contracts;
using Citrine.Chain.Txs;

namespace Citrine.Chain.Tests.Contracts;

/// <summary>
/// A test contract: "inc" adds one to a counter, "fail" writes then throws, "hash" uses host crypto;
/// "send" writes, then sends 40 of its tokens to <see cref="Recipient"/> and answers its balance;
/// "overspend" writes, then sends one token more than it holds; "overspend-caught" does the same
/// and swallows the bank's refusal.
/// </summary>
internal sealed class CounterContract : IContract
{
    public static readonly byte[] Recipient = [.. Enumerable.Repeat((byte)0x7e, 20)];

    public void Instantiate(IContractContext context, byte[] message) => context.Write("count"u8, message);

    public byte[] Execute(IContractContext context, byte[] message)
    {
        var text = System.Text.Encoding.UTF8.GetString(message);
        var count = int.Parse(System.Text.Encoding.UTF8.GetString(context.Read("count"u8) ?? "0"u8.ToArray()), System.Globalization.CultureInfo.InvariantCulture);
        switch (text)
        {
            case "inc":
                context.Write("count"u8, System.Text.Encoding.UTF8.GetBytes((count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                context.Emit("action", "inc");
                return System.Text.Encoding.UTF8.GetBytes((count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            case "fail":
                context.Write("count"u8, "999"u8);
                throw new InvalidOperationException("boom");
            case "send":
                context.Write("count"u8, "41"u8);
                context.Send(Recipient, 40);
                return System.Text.Encoding.UTF8.GetBytes(context.Balance.ToString(System.Globalization.CultureInfo.InvariantCulture));
            case "overspend":
                context.Write("count"u8, "42"u8);
                context.Send(Recipient, context.Balance + 1);
                return [];
            case "overspend-caught":
                context.Write("count"u8, "43"u8);
                try
                {
                    context.Send(Recipient, context.Balance + 1);
                }
                catch (Exception)
                {
                    // A contract cannot save its transaction by swallowing a failed send.
                }
                return [];
            case "hash":
                for (var i = 0; i < 1000; i++)
                {
                    context.Crypto.Sha256(new byte[1000]);
                }
                return [];
            default:
                throw new ArgumentException("unknown message");
        }
    }

    public byte[] Query(IContractQueryContext context, byte[] message) => context.Read("count"u8) ?? [];
}

public class ContractHostTests
{
    private static TestChain NewChain()
    {
        var host = new ContractHost();
        host.Register(new ContractCode("counter", new byte[32], () => new CounterContract()));
        return new TestChain(contracts: host);
    }

    private static byte[] Instantiate(TestChain chain, ulong funds = 0)
    {
        var tx = Tx.Create([new MsgInstantiate(chain.Address(0), "counter", "5"u8.ToArray(), funds, "c")], "", chain.AccountKeys[0], 0, 1_000_000, "citrine-test", 0);
        Assert.True(chain.Node.SubmitTx(tx.Encode()).Result.IsOk);
        chain.Produce();
        var result = chain.Node.GetResults(chain.Node.Height)!.TxResults[0];
        Assert.True(result.IsOk, result.Log);
        Assert.Equal(20, result.Data.Length);
        return result.Data;
    }

    private static Blocks.TxResult Execute(TestChain chain, byte[] contract, string message, ulong sequence, ulong gas = 1_000_000)
    {
        var tx = Tx.Create([new MsgExecute(chain.Address(0), contract, System.Text.Encoding.UTF8.GetBytes(message), 0)], "", chain.AccountKeys[0], sequence, gas, "citrine-test", 0);
        Assert.True(chain.Node.SubmitTx(tx.Encode()).Result.IsOk);
        chain.Produce();
        return chain.Node.GetResults(chain.Node.Height)!.TxResults[0];
    }

    private static string Count(TestChain chain, byte[] contract) =>
        System.Text.Encoding.UTF8.GetString(chain.Node.Read(app => chain.Node.Contracts!.Query(app.State, contract, [], new BlockContext(chain.Node.Height, chain.Clock.Now(), "citrine-test"), chain.Genesis.Attestation)));

    [Fact]
    public void Instantiate_and_execute_change_contract_state_and_emit_wasm_events()
    {
        using var chain = NewChain();
        var contract = Instantiate(chain, funds: 100);
        Assert.Equal("5", Count(chain, contract));
        var result = Execute(chain, contract, "inc", 1);
        Assert.True(result.IsOk, result.Log);
        Assert.Equal("6", System.Text.Encoding.UTF8.GetString(result.Data));
        Assert.Equal("6", Count(chain, contract));
        Assert.Contains(result.Events, e => e.Type == "wasm" && e.Attributes.Any(a => a.Key == "action" && a.Value == "inc"));
        Assert.Equal(100UL, chain.Node.Read(app => app.GetAccount(contract)!.Balance));
    }

    [Fact]
    public void Contract_that_throws_reverts_its_writes()
    {
        using var chain = NewChain();
        var contract = Instantiate(chain);
        var result = Execute(chain, contract, "fail", 1);
        Assert.Equal(ContractException.Code, result.Code);
        Assert.Equal("wasm", result.Codespace);
        Assert.Contains("boom", result.Log, StringComparison.Ordinal);
        Assert.Equal("5", Count(chain, contract));
        Assert.Equal(2UL, chain.Node.Read(app => app.GetAccount(chain.Address(0))!.Sequence));
    }

    [Fact]
    public void A_contract_sends_from_its_own_balance_through_the_bank()
    {
        using var chain = NewChain();
        var contract = Instantiate(chain, funds: 100);
        var result = Execute(chain, contract, "send", 1);
        Assert.True(result.IsOk, result.Log);
        Assert.Equal("60", System.Text.Encoding.UTF8.GetString(result.Data));
        Assert.Equal(60UL, chain.Node.Read(app => app.GetAccount(contract)!.Balance));
        Assert.Equal(40UL, chain.Node.Read(app => app.GetAccount(CounterContract.Recipient)!.Balance));
        Assert.Equal("41", Count(chain, contract));
        var spent = Assert.Single(result.Events, e => e.Type == "coin_spent");
        Assert.Contains(spent.Attributes, a => a.Key == "spender" && a.Value == chain.Genesis.Bech32(contract));
        Assert.Contains(result.Events, e => e.Type == "transfer" && e.Attributes.Any(a => a.Key == "recipient" && a.Value == chain.Genesis.Bech32(CounterContract.Recipient)));
    }

    [Theory]
    [InlineData("overspend")]
    [InlineData("overspend-caught")]
    public void A_contract_send_above_its_balance_fails_the_tx_and_changes_nothing(string message)
    {
        using var chain = NewChain();
        var contract = Instantiate(chain, funds: 100);
        var sender = chain.Node.Read(app => app.GetAccount(chain.Address(0))!.Balance);
        var result = Execute(chain, contract, message, 1);
        Assert.Equal(TxCodes.InsufficientFunds, result.Code);
        Assert.Contains("contract send failed", result.Log, StringComparison.Ordinal);
        Assert.Equal("5", Count(chain, contract));
        Assert.Equal(100UL, chain.Node.Read(app => app.GetAccount(contract)!.Balance));
        Assert.Null(chain.Node.Read(app => app.GetAccount(CounterContract.Recipient)));
        Assert.True(chain.Node.Read(app => app.GetAccount(chain.Address(0))!.Balance) <= sender);
    }

    [Fact]
    public void Host_crypto_is_charged_gas()
    {
        using var chain = NewChain();
        var contract = Instantiate(chain);
        var result = Execute(chain, contract, "hash", 1, gas: 500_000);
        Assert.Equal(TxCodes.OutOfGas, result.Code);
        Assert.Contains("host sha256", result.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_code_and_unknown_contract_are_rejected()
    {
        using var chain = NewChain();
        var tx = Tx.Create([new MsgInstantiate(chain.Address(0), "nope", [], 0, "")], "", chain.AccountKeys[0], 0, 1_000_000, "citrine-test", 0);
        Assert.True(chain.Node.SubmitTx(tx.Encode()).Result.IsOk);
        chain.Produce();
        Assert.Equal(TxCodes.UnknownRequest, chain.Node.GetResults(1)!.TxResults[0].Code);
        Assert.Equal(TxCodes.UnknownAddress, Execute(chain, new byte[20], "inc", 1).Code);
    }

    [Fact]
    public void Contract_state_is_provable_against_the_next_app_hash()
    {
        using var chain = NewChain();
        var contract = Instantiate(chain);
        chain.Produce();
        var key = ContractHost.StateKey(contract, "count"u8);
        var query = chain.Node.Read(app => app.State.Query(ChainApp.WasmStore, key, 1, prove: true));
        Assert.Equal("5"u8.ToArray(), query.Value);
        var appHash = chain.Node.GetBlock(2)!.Block.Header.AppHash;
        var verdict = Ics23.Abci.ProofOps.VerifyMembership(query.ProofOps!, appHash, [System.Text.Encoding.UTF8.GetBytes(ChainApp.WasmStore), key], query.Value);
        Assert.True(verdict.IsValid, verdict.ToString());
    }

    [Fact]
    public void Contract_code_hash_must_match_the_assembly()
    {
        var host = new ContractHost();
        var path = typeof(CounterContract).Assembly.Location;
        var e = Assert.Throws<ContractLoadException>(() => host.RegisterAssembly(typeof(CounterContract).FullName!, path, new byte[32]));
        Assert.Equal(ContractLoadError.HashMismatch, e.Reason);
    }
}
