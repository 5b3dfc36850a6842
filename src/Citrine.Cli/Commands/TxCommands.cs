using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Citrine.Chain.App;
using Citrine.Chain.Devnet;
using Citrine.Chain.Txs;
using Citrine.Crypto.Encoding;

namespace Citrine.Cli.Commands;

/// <summary>
/// <c>citrine tx send|instantiate|execute</c>: sign with a devnet account key from the home
/// directory, read the account number and sequence from the node (abci_query, /store/acc/key),
/// and submit with <c>broadcast_tx_commit</c>. Exit 1 when the node rejects or the tx fails.
/// </summary>
internal static class TxCommands
{
    public static Command Create()
    {
        var tx = new Command("tx", "Sign and submit devnet transactions.");
        tx.Subcommands.Add(Build("send", "Send devnet tokens.", [Req("--to", "Recipient address (bech32)."), Req("--amount", "Amount of the devnet token.")],
            (values, genesis, from) => new MsgSend(from, Address(values["--to"]!, genesis.Prefix), Amount(values["--amount"]!))));
        tx.Subcommands.Add(Build("instantiate", "Instantiate a registered contract.", [Req("--code", "The contract code name."), Req("--msg", "The instantiate message (JSON text)."), CommonOptions.Optional("--funds", "Funds sent along (default 0)."), CommonOptions.Optional("--label", "A label.")],
            (values, _, from) => new MsgInstantiate(from, values["--code"]!, System.Text.Encoding.UTF8.GetBytes(values["--msg"]!), values["--funds"] is { } f ? Amount(f) : 0, values["--label"] ?? "")));
        tx.Subcommands.Add(Build("execute", "Execute a contract.", [Req("--contract", "Contract address (bech32)."), Req("--msg", "The execute message (JSON text)."), CommonOptions.Optional("--funds", "Funds sent along (default 0).")],
            (values, genesis, from) => new MsgExecute(from, Address(values["--contract"]!, genesis.Prefix), System.Text.Encoding.UTF8.GetBytes(values["--msg"]!), values["--funds"] is { } f ? Amount(f) : 0)));
        return tx;
    }

    private static Option<string?> Req(string name, string description) =>
        new(name) { Description = description, Required = true };

    internal sealed record ChainInfo(string ChainId, string Prefix);

    internal static Command Build(string name, string description, Option<string?>[] options, Func<Dictionary<string, string?>, ChainInfo, byte[], Msg> message) =>
        BuildMany(name, description, options, (values, chain, from, _) => Task.FromResult<IReadOnlyList<Msg>>([message(values, chain, from)]));

    /// <summary>
    /// A command that signs and submits each message the builder returns in its own tx, in order,
    /// reading the sequence afresh before each. One message prints one result (text or a JSON
    /// object); several print {"results":[...]}. Exit 1 when any is refused.
    /// </summary>
    internal static Command BuildMany(string name, string description, Option<string?>[] options, Func<Dictionary<string, string?>, ChainInfo, byte[], CancellationToken, Task<IReadOnlyList<Msg>>> messages)
    {
        var home = CommonOptions.Optional("--home", "The devnet home directory (for keys and genesis).");
        var from = CommonOptions.Optional("--from", "The key name in <home>/keys (default admin).");
        var node = CommonOptions.Optional("--node", "The node's RPC URL (default http://127.0.0.1:26657).");
        var gas = CommonOptions.Optional("--gas", "Gas limit (default 500000).");
        var json = CommonOptions.Json();
        var cmd = new Command(name, description) { home, from, node, gas, json };
        foreach (var o in options)
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(async (parsed, cancellationToken) =>
        {
            var dir = new DevnetHome(DevnetCommands.ResolveHome(parsed.GetValue(home)));
            Chain.Genesis.GenesisDoc genesis;
            AccountKey key;
            try
            {
                genesis = dir.LoadGenesis();
                key = dir.LoadAccountKey(parsed.GetValue(from) ?? DevnetHome.AdminKeyName);
            }
            catch (Exception e) when (e is DevnetHomeException or Chain.Genesis.GenesisException)
            {
                throw new CliInputException(e.Message, e);
            }
            var values = options.ToDictionary(o => o.Name, o => parsed.GetValue(o), StringComparer.Ordinal);
            var msgs = await messages(values, new ChainInfo(genesis.ChainId, genesis.AddressPrefix), key.Address, cancellationToken).ConfigureAwait(false);
            var gasLimit = parsed.GetValue(gas) is { } g ? Amount(g) : 500_000;
            using var http = QueryCommands.Client(parsed.GetValue(node));
            var output = parsed.InvocationConfiguration.Output;
            var results = new List<(JsonElement Result, JsonElement Code, JsonElement Deliver)>();
            foreach (var msg in msgs)
            {
                var account = await QueryCommands.AbciQuery(http, "/store/acc/key", key.Address, cancellationToken).ConfigureAwait(false);
                if (account.GetProperty("value").GetString() is not { } accountValue)
                {
                    throw new CliFailureException($"account {genesis.Bech32(key.Address)} does not exist on the node");
                }
                var (number, sequence, _) = ChainApp.DecodeAccount(Convert.FromBase64String(accountValue));
                var signed = Tx.Create([msg], "", key.PrivateKey, sequence, gasLimit, genesis.ChainId, number);
                var result = await QueryCommands.Call(http, "broadcast_tx_commit", new { tx = Convert.ToBase64String(signed.Encode()) }, cancellationToken).ConfigureAwait(false);
                var check = result.GetProperty("check_tx");
                var deliver = result.GetProperty("tx_result");
                results.Add((result, check.GetProperty("code").GetInt32() != 0 ? check : deliver, deliver));
            }
            if (parsed.GetValue(json))
            {
                CliOutput.WriteJson(output, w =>
                {
                    if (results.Count != 1)
                    {
                        w.WriteStartArray("results");
                    }
                    foreach (var (result, code, deliver) in results)
                    {
                        if (results.Count != 1)
                        {
                            w.WriteStartObject();
                        }
                        w.WriteString("hash", result.GetProperty("hash").GetString());
                        w.WriteString("height", result.GetProperty("height").GetString());
                        w.WriteNumber("code", code.GetProperty("code").GetInt32());
                        w.WriteString("log", code.GetProperty("log").GetString());
                        w.WriteString("gas_used", deliver.GetProperty("gas_used").GetString());
                        if (deliver.GetProperty("data").GetString() is { } data)
                        {
                            w.WriteString("data", data);
                        }
                        if (results.Count != 1)
                        {
                            w.WriteEndObject();
                        }
                    }
                    if (results.Count != 1)
                    {
                        w.WriteEndArray();
                    }
                });
            }
            else
            {
                foreach (var (result, code, _) in results)
                {
                    output.WriteLine($"hash {result.GetProperty("hash").GetString()} height {result.GetProperty("height").GetString()} code {code.GetProperty("code").GetInt32()} {code.GetProperty("log").GetString()}");
                }
            }
            return results.All(r => r.Code.GetProperty("code").GetInt32() == 0) ? CliApp.Ok : CliApp.Failed;
        });
        return cmd;
    }

    private static ulong Amount(string text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new CliInputException($"'{text}' is not an unsigned integer");

    internal static byte[] Address(string text, string prefix)
    {
        try
        {
            return CosmosAddress.Decode(text, prefix);
        }
        catch (Bech32FormatException e)
        {
            throw new CliInputException($"'{text}': {e.Message}", e);
        }
    }
}
