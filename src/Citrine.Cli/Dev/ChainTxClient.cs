using System.Globalization;
using System.Text.Json;
using Citrine.Chain.App;
using Citrine.Chain.Devnet;
using Citrine.Chain.Txs;
using Citrine.Cli.Commands;
using Citrine.Host.Chain;
using Citrine.Host.Transactions;

namespace Citrine.Cli.Dev;

/// <summary>
/// Signs transactions with one devnet account key and submits them with <c>broadcast_tx_commit</c>,
/// reading the account number and sequence from the node before each signature (abci_query on the
/// account store), as <c>citrine tx</c> does. It is the host's <see cref="ITxSubmitter"/>: the host
/// library may not reference the chain's tx codec, so the CLI, which composes both, supplies it.
/// A tx already in the chain (a re-broadcast after a crash) is answered with its committed result,
/// never sent as a second tx: its sequence is fixed by its signature.
/// </summary>
public sealed class ChainTxClient(HttpClient http, AccountKey key, string chainId, ulong gasLimit = 5_000_000) : ITxSubmitter, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public ReadOnlyMemory<byte> Sender => key.Address;

    public void Dispose() => _gate.Dispose();

    /// <summary>Signs <paramref name="messages"/> into one tx at the account's current sequence.</summary>
    public async Task<SignedTx> SignAsync(IReadOnlyList<Msg> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        JsonElement account;
        try
        {
            account = await QueryCommands.AbciQuery(http, "/store/acc/key", key.Address, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or CliFailureException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new TxSubmitException(TxSubmitErrorKind.Unreachable, $"reading account {Convert.ToHexString(key.Address)}: {e.Message}", e);
        }
        if (account.GetProperty("value").GetString() is not { } accountValue)
        {
            throw new TxSubmitException(TxSubmitErrorKind.Rejected, $"account {Convert.ToHexString(key.Address)} does not exist on the node");
        }
        var (number, sequence, _) = ChainApp.DecodeAccount(Convert.FromBase64String(accountValue));
        var bytes = Tx.Create(messages, "", key.PrivateKey, sequence, gasLimit, chainId, number).Encode();
        return new SignedTx(bytes, Convert.ToHexString(Tx.HashOf(bytes)));
    }

    public Task<SignedTx> SignAsync(ContractTx tx, CancellationToken cancellationToken = default) => tx switch
    {
        InstantiateTx i => SignAsync([new MsgInstantiate(key.Address, i.Code, i.Message, i.Funds, i.Label)], cancellationToken),
        ExecuteTx e => SignAsync([new MsgExecute(key.Address, e.Contract, e.Message, e.Funds)], cancellationToken),
        null => throw new ArgumentNullException(nameof(tx)),
        _ => throw new ArgumentException($"not a contract tx: {tx.GetType().Name}", nameof(tx)),
    };

    public async Task<TxOutcome> BroadcastAsync(SignedTx tx, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tx);
        // One broadcast at a time per account: a second tx signed at the same sequence must see the first land.
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            JsonElement result;
            try
            {
                result = await QueryCommands.Call(http, "broadcast_tx_commit", new { tx = Convert.ToBase64String(tx.Bytes) }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or CliFailureException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // It may have landed: the caller looks it up by hash before anything else.
                throw new TxSubmitException(TxSubmitErrorKind.Unreachable, $"broadcasting {tx.Hash}: {e.Message}", e);
            }
            var check = result.GetProperty("check_tx");
            if (check.GetProperty("code").GetInt32() != 0)
            {
                if (await CommittedAsync(tx.Hash, cancellationToken).ConfigureAwait(false) is { } landed)
                {
                    return landed;
                }
                throw new TxSubmitException(TxSubmitErrorKind.Rejected, $"the node refused {tx.Hash} before executing it: code {check.GetProperty("code").GetInt32()} {check.GetProperty("log").GetString()}");
            }
            return Outcome(tx.Hash, long.Parse(result.GetProperty("height").GetString() ?? "0", CultureInfo.InvariantCulture), result.GetProperty("tx_result"));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Signs and broadcasts <paramref name="messages"/> (collateral uploads and the like).</summary>
    public async Task<TxOutcome> SubmitAsync(IReadOnlyList<Msg> messages, CancellationToken cancellationToken) =>
        await BroadcastAsync(await SignAsync(messages, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task<TxOutcome?> CommittedAsync(string hash, CancellationToken cancellationToken)
    {
        JsonElement result;
        try
        {
            result = await QueryCommands.Call(http, "tx", new { hash = Convert.ToBase64String(Convert.FromHexString(hash)) }, cancellationToken).ConfigureAwait(false);
        }
        catch (CliFailureException)
        {
            return null;
        }
        return Outcome(hash, long.Parse(result.GetProperty("height").GetString() ?? "0", CultureInfo.InvariantCulture), result.GetProperty("tx_result"));
    }

    private static TxOutcome Outcome(string hash, long height, JsonElement r) => new(
        hash,
        height,
        (uint)r.GetProperty("code").GetInt32(),
        r.TryGetProperty("codespace", out var space) ? space.GetString() ?? "" : "",
        r.GetProperty("log").GetString() ?? "",
        r.TryGetProperty("data", out var data) && data.GetString() is { } d ? Convert.FromBase64String(d) : [],
        Events(r));

    private static List<ChainEvent> Events(JsonElement result)
    {
        var events = new List<ChainEvent>();
        if (!result.TryGetProperty("events", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return events;
        }
        foreach (var e in list.EnumerateArray())
        {
            var attributes = new List<ChainEventAttr>();
            if (e.TryGetProperty("attributes", out var attrs) && attrs.ValueKind == JsonValueKind.Array)
            {
                foreach (var a in attrs.EnumerateArray())
                {
                    attributes.Add(new(a.GetProperty("key").GetString() ?? "", a.GetProperty("value").GetString() ?? "", a.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.True));
                }
            }
            events.Add(new(e.GetProperty("type").GetString() ?? "", attributes));
        }
        return events;
    }
}
