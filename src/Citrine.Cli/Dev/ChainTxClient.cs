using System.Text.Json;
using Citrine.Chain.App;
using Citrine.Chain.Devnet;
using Citrine.Chain.Txs;
using Citrine.Cli.Commands;

namespace Citrine.Cli.Dev;

/// <summary>A committed (or refused) transaction: where it landed and what the chain said.</summary>
public sealed record CommittedTx(string Hash, long Height, int Code, string Log, byte[] Data, long GasUsed, IReadOnlyList<(string Type, IReadOnlyList<(string Key, string Value)> Attributes)> Events)
{
    public bool Ok => Code == 0;
}

/// <summary>
/// Signs transactions with one devnet account key and submits them with <c>broadcast_tx_commit</c>,
/// reading the account number and sequence from the node before each (abci_query on the account
/// store), as <c>citrine tx</c> does. The one tx path of the host relay and <c>citrine dev</c>: the
/// host library cannot reference the chain's tx codec, so the CLI hands it this.
/// </summary>
public sealed class ChainTxClient(HttpClient http, AccountKey key, string chainId, ulong gasLimit = 5_000_000) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public byte[] Address => key.Address;

    public void Dispose() => _gate.Dispose();

    /// <summary>Signs <paramref name="messages"/> into one tx and waits for its commit; a CheckTx refusal is returned with its code, not thrown.</summary>
    public async Task<CommittedTx> SubmitAsync(IReadOnlyList<Msg> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        // One tx at a time per account: the sequence read below must be the one the tx uses.
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var account = await QueryCommands.AbciQuery(http, "/store/acc/key", key.Address, cancellationToken).ConfigureAwait(false);
            if (account.GetProperty("value").GetString() is not { } accountValue)
            {
                throw new CliFailureException($"account {Convert.ToHexString(key.Address)} does not exist on the node");
            }
            var (number, sequence, _) = ChainApp.DecodeAccount(Convert.FromBase64String(accountValue));
            var signed = Tx.Create(messages, "", key.PrivateKey, sequence, gasLimit, chainId, number);
            var result = await QueryCommands.Call(http, "broadcast_tx_commit", new { tx = Convert.ToBase64String(signed.Encode()) }, cancellationToken).ConfigureAwait(false);
            var check = result.GetProperty("check_tx");
            var deliver = result.GetProperty("tx_result");
            var refused = check.GetProperty("code").GetInt32() != 0;
            var outcome = refused ? check : deliver;
            return new CommittedTx(
                result.GetProperty("hash").GetString() ?? "",
                refused ? 0 : long.Parse(result.GetProperty("height").GetString() ?? "0", System.Globalization.CultureInfo.InvariantCulture),
                outcome.GetProperty("code").GetInt32(),
                outcome.GetProperty("log").GetString() ?? "",
                outcome.TryGetProperty("data", out var data) && data.GetString() is { } d ? Convert.FromBase64String(d) : [],
                long.Parse(outcome.TryGetProperty("gas_used", out var gas) ? gas.GetString() ?? "0" : "0", System.Globalization.CultureInfo.InvariantCulture),
                Events(outcome));
        }
        finally
        {
            _gate.Release();
        }
    }

    private static List<(string, IReadOnlyList<(string, string)>)> Events(JsonElement result)
    {
        var events = new List<(string, IReadOnlyList<(string, string)>)>();
        if (!result.TryGetProperty("events", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return events;
        }
        foreach (var e in list.EnumerateArray())
        {
            var attributes = new List<(string, string)>();
            if (e.TryGetProperty("attributes", out var attrs) && attrs.ValueKind == JsonValueKind.Array)
            {
                foreach (var a in attrs.EnumerateArray())
                {
                    attributes.Add((a.GetProperty("key").GetString() ?? "", a.GetProperty("value").GetString() ?? ""));
                }
            }
            events.Add((e.GetProperty("type").GetString() ?? "", attributes));
        }
        return events;
    }
}
