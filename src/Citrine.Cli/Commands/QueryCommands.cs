using System.CommandLine;
using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Text.Json;
using Citrine.Chain.App;

namespace Citrine.Cli.Commands;

/// <summary><c>citrine query account|block|contract</c> against a devnet node's RPC.</summary>
internal static class QueryCommands
{
    public static Command Create()
    {
        var query = new Command("query", "Query a devnet node.");
        query.Subcommands.Add(Account());
        query.Subcommands.Add(Block());
        query.Subcommands.Add(Contract());
        return query;
    }

    internal static HttpClient Client(string? node)
    {
        var url = node ?? "http://127.0.0.1:26657";
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliInputException($"--node: '{url}' is not an http(s) URL");
        }
        return new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(30) };
    }

    internal static async Task<JsonElement> Call(HttpClient http, string method, object parameters, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("", new { jsonrpc = "2.0", id = 1, method, @params = parameters }, cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            if (doc.RootElement.TryGetProperty("error", out var error))
            {
                throw new CliFailureException($"{method}: {error.GetProperty("message").GetString()}: {error.GetProperty("data").GetString()}");
            }
            return doc.RootElement.GetProperty("result").Clone();
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException)
        {
            throw new CliFailureException($"{method}: {e.Message}", e);
        }
    }

    /// <summary>
    /// <c>abci_query</c> at <paramref name="height"/> (0: the node's latest committed height; a node
    /// without blocks answers from its genesis state at height 0); a non-zero code is a failure.
    /// </summary>
    internal static async Task<JsonElement> AbciQuery(HttpClient http, string path, byte[] data, CancellationToken cancellationToken, long height = 0)
    {
        var response = (await Call(http, "abci_query", new { path, data = Convert.ToHexString(data), height = height.ToString(System.Globalization.CultureInfo.InvariantCulture) }, cancellationToken).ConfigureAwait(false)).GetProperty("response");
        if (response.GetProperty("code").GetInt32() != 0)
        {
            throw new CliFailureException($"abci_query {path}: {response.GetProperty("log").GetString()}");
        }
        return response;
    }

    private static Command Account()
    {
        var address = new Argument<string>("address") { Description = "The account address (bech32)." };
        var node = CommonOptions.Optional("--node", "The node's RPC URL (default http://127.0.0.1:26657).");
        var prefix = CommonOptions.Optional("--prefix", "The address prefix (default citrine).");
        var cmd = new Command("account", "Show an account's number, sequence and balance.") { address, node, prefix, CommonOptions.Json() };
        cmd.SetAction(async (parsed, cancellationToken) =>
        {
            var bytes = TxCommands.Address(parsed.GetValue(address)!, parsed.GetValue(prefix) ?? "citrine");
            using var http = Client(parsed.GetValue(node));
            var account = await AbciQuery(http, "/store/acc/key", bytes, cancellationToken).ConfigureAwait(false);
            // The balance at the account's height, so a block committing in between does not mix two states
            // (except before block 1: height 0 asks for the latest again).
            var at = long.Parse(account.GetProperty("height").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            var balance = await AbciQuery(http, "/store/bank/key", bytes, cancellationToken, at).ConfigureAwait(false);
            if (account.GetProperty("value").GetString() is not { } value)
            {
                throw new CliFailureException($"account {parsed.GetValue(address)} not found");
            }
            var (number, sequence, _) = ChainApp.DecodeAccount(Convert.FromBase64String(value));
            var amount = balance.GetProperty("value").GetString() is { } b ? BinaryPrimitives.ReadUInt64BigEndian(Convert.FromBase64String(b)) : 0;
            CliOutput.WriteJson(parsed.InvocationConfiguration.Output, w =>
            {
                w.WriteString("address", parsed.GetValue(address));
                w.WriteNumber("account_number", number);
                w.WriteNumber("sequence", sequence);
                w.WriteNumber("balance", amount);
                w.WriteString("height", account.GetProperty("height").GetString());
            });
            return CliApp.Ok;
        });
        return cmd;
    }

    private static Command Block()
    {
        var height = CommonOptions.Optional("--height", "The height (default latest).");
        var node = CommonOptions.Optional("--node", "The node's RPC URL (default http://127.0.0.1:26657).");
        var cmd = new Command("block", "Print the block (CometBFT JSON).") { height, node, CommonOptions.Json() };
        cmd.SetAction(async (parsed, cancellationToken) =>
        {
            using var http = Client(parsed.GetValue(node));
            var result = await Call(http, "block", parsed.GetValue(height) is { } h ? new { height = h } : new { height = "0" }, cancellationToken).ConfigureAwait(false);
            parsed.InvocationConfiguration.Output.WriteLine(result.GetRawText());
            return CliApp.Ok;
        });
        return cmd;
    }

    private static Command Contract()
    {
        var address = new Argument<string>("address") { Description = "The contract address (bech32)." };
        var msg = CommonOptions.Required("--msg", "The query message (JSON text).");
        var node = CommonOptions.Optional("--node", "The node's RPC URL (default http://127.0.0.1:26657).");
        var cmd = new Command("contract", "Run a contract query.") { address, msg, node, CommonOptions.Json() };
        cmd.SetAction(async (parsed, cancellationToken) =>
        {
            var bytes = TxCommands.Address(parsed.GetValue(address)!, "citrine");
            using var http = Client(parsed.GetValue(node));
            var response = await AbciQuery(http, "/wasm/smart/" + Convert.ToHexString(bytes), System.Text.Encoding.UTF8.GetBytes(parsed.GetValue(msg)!), cancellationToken).ConfigureAwait(false);
            var value = response.GetProperty("value").GetString() is { } v ? Convert.FromBase64String(v) : [];
            CliOutput.WriteJson(parsed.InvocationConfiguration.Output, w => w.WriteString("data", System.Text.Encoding.UTF8.GetString(value)));
            return CliApp.Ok;
        });
        return cmd;
    }
}
