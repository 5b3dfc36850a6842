using System.Globalization;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Citrine.Host.Chain;

/// <summary>Something the chain committed: a new block, or a tx matching the subscription.</summary>
public abstract record ChainNotification(long Height);

public sealed record NewBlockNotification(long Height) : ChainNotification(Height);

public sealed record TxNotification(CommittedTx Tx) : ChainNotification(Tx.Height);

public sealed record SubscriptionOptions
{
    /// <summary>Consecutive failed connection attempts before giving up (<see cref="ChainErrorKind.Unreachable"/>).</summary>
    public int MaxReconnectAttempts { get; init; } = 10;

    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public int MaxMessageBytes { get; init; } = 16 * 1024 * 1024;
}

/// <summary>
/// Events over the node's WebSocket (<c>/websocket</c>, CometBFT <c>subscribe</c>):
/// <c>tm.event='NewBlock'</c> and <c>tm.event='Tx' AND &lt;condition&gt;</c>. Every block above
/// <c>fromHeight</c> is reported once, in order, and every matching tx once. After a dropped
/// connection it reconnects, subscribes again and only then catches up by querying — <c>status</c>
/// for the heights, <c>tx_search</c> with the condition for the txs — from the last height it
/// reported, so nothing committed while it was away is lost and nothing is reported twice
/// (txs are told apart by hash). It never assumes what it did not see.
/// </summary>
public sealed class ChainSubscription : IDisposable
{
    private readonly IChainClient _chain;
    private readonly Uri _socketUri;
    private readonly string _condition;
    private readonly SubscriptionOptions _options;
    private readonly Dictionary<string, long> _seenTxs = new(StringComparer.Ordinal);
    private long _lastBlock;
    private long _caughtUpTo;
    private ClientWebSocket? _socket;

    /// <param name="chain">The same node's RPC client, for catching up.</param>
    /// <param name="condition">The tx condition, e.g. <c>wasm._contract_address='citrine1…'</c> (without <c>tm.event</c>).</param>
    /// <param name="fromHeight">The last height already handled; reporting starts above it.</param>
    /// <param name="options">Reconnect bounds and the message size limit.</param>
    public ChainSubscription(IChainClient chain, string condition, long fromHeight, SubscriptionOptions? options = null)
    {
        _chain = chain ?? throw new ArgumentNullException(nameof(chain));
        ArgumentException.ThrowIfNullOrWhiteSpace(condition);
        ArgumentOutOfRangeException.ThrowIfNegative(fromHeight);
        _condition = condition;
        _lastBlock = fromHeight;
        _options = options ?? new SubscriptionOptions();
        var builder = new UriBuilder(chain.Endpoint) { Scheme = chain.Endpoint.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" };
        builder.Path = builder.Path.TrimEnd('/') + "/websocket";
        _socketUri = builder.Uri;
    }

    public string TxQuery => $"tm.event='Tx' AND {_condition}";

    /// <summary>How many times the connection was (re)established.</summary>
    public int Connections { get; private set; }

    /// <summary>The last block height reported.</summary>
    public long LastHeight => _lastBlock;

    /// <summary>Closes the current connection without unsubscribing, as a network failure would (the next read reconnects).</summary>
    public void Drop() => _socket?.Abort();

    public void Dispose()
    {
        _socket?.Dispose();
        _socket = null;
    }

    public async IAsyncEnumerable<ChainNotification> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            while (true)
            {
                await ConnectAsync(cancellationToken).ConfigureAwait(false);
                foreach (var caughtUp in await CatchUpAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield return caughtUp;
                }
                while (true)
                {
                    var message = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
                    if (message is null)
                    {
                        break; // dropped: reconnect and catch up
                    }
                    foreach (var notification in await HandleAsync(message, cancellationToken).ConfigureAwait(false))
                    {
                        yield return notification;
                    }
                }
            }
        }
        finally
        {
            _socket?.Dispose();
            _socket = null;
        }
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            _socket?.Dispose();
            _socket = new ClientWebSocket();
            try
            {
                await _socket.ConnectAsync(_socketUri, cancellationToken).ConfigureAwait(false);
                await SubscribeAsync(1, "tm.event='NewBlock'", cancellationToken).ConfigureAwait(false);
                await SubscribeAsync(2, TxQuery, cancellationToken).ConfigureAwait(false);
                Connections++;
                return;
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException || (e is ChainClientException c && c.Kind == ChainErrorKind.Unreachable))
            {
                if (attempt >= _options.MaxReconnectAttempts)
                {
                    throw new ChainClientException(ChainErrorKind.Unreachable, "subscribe", $"{_socketUri}: {e.Message} (after {attempt} attempts)", e);
                }
            }
            await Task.Delay(_options.ReconnectDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SubscribeAsync(int id, string query, CancellationToken cancellationToken)
    {
        var request = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id,
            ["method"] = "subscribe",
            ["params"] = new Dictionary<string, string> { ["query"] = query },
        });
        await _socket!.SendAsync(request, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        // Events of an earlier subscription may come before the answer; they are dropped here because
        // the catch-up that follows every (re)connection queries everything up to the node's latest height.
        while (true)
        {
            var message = await ReceiveAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new ChainClientException(ChainErrorKind.Unreachable, "subscribe", "the connection closed before the subscription was confirmed");
            if (!CometRpcClient.Read(message, "subscribe", result => result.Optional("data") is not null))
            {
                return;
            }
        }
    }

    /// <summary>Blocks and txs committed since the last reported height, from queries; the socket is subscribed already, so nothing falls between.</summary>
    private async Task<List<ChainNotification>> CatchUpAsync(CancellationToken cancellationToken)
    {
        var latest = (await _chain.StatusAsync(cancellationToken).ConfigureAwait(false)).LatestBlockHeight;
        var output = new List<ChainNotification>();
        if (latest < _lastBlock)
        {
            return output;
        }
        // From the last reported height itself: its txs may have come after its NewBlock, and the drop may have cut them off.
        var txs = await SearchAsync(Math.Max(_lastBlock, 1), latest, cancellationToken).ConfigureAwait(false);
        foreach (var tx in txs.Where(t => t.Height <= _lastBlock))
        {
            AddTx(output, tx);
        }
        for (var h = _lastBlock + 1; h <= latest; h++)
        {
            output.Add(new NewBlockNotification(h));
            foreach (var tx in txs.Where(t => t.Height == h))
            {
                AddTx(output, tx);
            }
        }
        _lastBlock = latest;
        _caughtUpTo = latest;
        return output;
    }

    private async Task<List<CommittedTx>> SearchAsync(long from, long to, CancellationToken cancellationToken)
    {
        var query = string.Create(CultureInfo.InvariantCulture, $"{_condition} AND tx.height >= {from} AND tx.height <= {to}");
        var all = new List<CommittedTx>();
        for (var page = 1; ; page++)
        {
            var result = await _chain.TxSearchAsync(query, page, 100, cancellationToken).ConfigureAwait(false);
            all.AddRange(result.Txs);
            if (all.Count >= result.TotalCount || result.Txs.Count == 0)
            {
                return [.. all.OrderBy(t => t.Height).ThenBy(t => t.Index)];
            }
        }
    }

    private async Task<List<ChainNotification>> HandleAsync(byte[] message, CancellationToken cancellationToken)
    {
        var output = new List<ChainNotification>();
        var (type, height, tx) = CometRpcClient.Read(message, "subscription event", result =>
        {
            if (result.Optional("data") is not { } data)
            {
                return ("other", 0L, (CommittedTx?)null);
            }
            var value = data.Get("value");
            return data.Get("type").String() switch
            {
                "tendermint/event/NewBlock" => ("block", value.Get("block").Get("header").Get("height").Int64(), (CommittedTx?)null),
                "tendermint/event/Tx" => ("tx", 0L, ReadTxEvent(result, value.Get("TxResult"))),
                var other => throw data.Get("type").Fail($"unexpected event type '{other}'"),
            };
        });
        if (type == "block")
        {
            if (height <= _lastBlock)
            {
                return output;
            }
            if (height > _lastBlock + 1)
            {
                // A gap on one connection should not happen; never assume: fetch what is missing.
                var missed = await SearchAsync(_lastBlock + 1, height - 1, cancellationToken).ConfigureAwait(false);
                for (var h = _lastBlock + 1; h < height; h++)
                {
                    output.Add(new NewBlockNotification(h));
                    foreach (var t in missed.Where(t => t.Height == h))
                    {
                        AddTx(output, t);
                    }
                }
            }
            output.Add(new NewBlockNotification(height));
            _lastBlock = height;
            if (height > _caughtUpTo + 1)
            {
                // The socket is ordered: past the caught-up range, older txs can no longer come twice.
                foreach (var old in _seenTxs.Where(kv => kv.Value < height - 1).Select(kv => kv.Key).ToList())
                {
                    _seenTxs.Remove(old);
                }
            }
            return output;
        }
        if (tx is not null)
        {
            AddTx(output, tx);
        }
        return output;
    }

    private static CommittedTx ReadTxEvent(RpcJson result, RpcJson txResult)
    {
        var hash = result.Get("events").Get("tx.hash").Items().FirstOrDefault() is { } h ? h.String() : throw result.Get("events").Fail("no tx.hash");
        return CometRpcClient.ReadResult(hash, txResult.Get("height").Int64(), (int)txResult.Get("index").Int64(), txResult.Get("result"));
    }

    private void AddTx(List<ChainNotification> output, CommittedTx tx)
    {
        if (_seenTxs.TryAdd(tx.Hash, tx.Height))
        {
            output.Add(new TxNotification(tx));
        }
    }

    /// <summary>The next whole text message, or null when the connection dropped or closed.</summary>
    private async Task<byte[]?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket!.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }
                message.Write(buffer, 0, result.Count);
                if (message.Length > _options.MaxMessageBytes)
                {
                    throw new ChainClientException(ChainErrorKind.BadResponse, "subscription event", $"message exceeds {_options.MaxMessageBytes} bytes");
                }
                if (result.EndOfMessage)
                {
                    return message.ToArray();
                }
            }
        }
        catch (WebSocketException)
        {
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // An aborted socket cancels its pending receive.
            return null;
        }
    }
}
