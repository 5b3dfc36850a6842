using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Citrine.Chain.Blocks;
using Citrine.Chain.Indexing;
using Citrine.Chain.Node;
using Citrine.CometBft.Json;

namespace Citrine.Chain.Rpc;

/// <summary>
/// One WebSocket client on <c>/websocket</c>: JSON-RPC requests as text messages; <c>subscribe</c>,
/// <c>unsubscribe</c> and <c>unsubscribe_all</c> manage up to <see cref="MaxSubscriptions"/>
/// queries (CometBFT's default <c>max_subscriptions_per_client</c>); every other method is
/// answered as over HTTP. Events are queued (bounded); a client that does not read fast enough
/// is disconnected rather than slowing the node.
/// </summary>
internal sealed class WebSocketSession
{
    public const int MaxSubscriptions = 5;
    private const int QueueCapacity = 1000;

    private readonly WebSocket _socket;
    private readonly ChainNode _node;
    private readonly RpcHandler _handler;
    private readonly int _maxMessageBytes;
    private readonly Channel<byte[]> _outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, (EventQuery Query, JsonElement Id)> _subscriptions = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private bool _overflowed;

    public WebSocketSession(WebSocket socket, ChainNode node, RpcHandler handler, int maxMessageBytes)
    {
        _socket = socket;
        _node = node;
        _handler = handler;
        _maxMessageBytes = maxMessageBytes;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _node.BlockCommitted += OnBlock;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = WriteLoopAsync(stop.Token);
        try
        {
            await ReadLoopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Client went away or the server stops.
        }
        finally
        {
            _node.BlockCommitted -= OnBlock;
            _outbox.Writer.TryComplete();
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // Closing.
            }
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        while (_socket.State == WebSocketState.Open)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellationToken).ConfigureAwait(false);
                    return;
                }
                message.Write(buffer, 0, result.Count);
                if (message.Length > _maxMessageBytes)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, $"message exceeds {_maxMessageBytes} bytes", cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
            while (!result.EndOfMessage);
            Enqueue(await HandleAsync(message.ToArray(), cancellationToken).ConfigureAwait(false));
        }
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var message in _outbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await _socket.SendAsync(message, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }
        if (_overflowed && _socket.State == WebSocketState.Open)
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "event queue overflow: client too slow", cancellationToken).ConfigureAwait(false);
        }
    }

    private void Enqueue(byte[] message)
    {
        if (!_outbox.Writer.TryWrite(message))
        {
            _overflowed = true;
            _outbox.Writer.TryComplete();
        }
    }

    private async Task<byte[]> HandleAsync(byte[] body, CancellationToken cancellationToken)
    {
        JsonElement? id = null;
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var m) || m.ValueKind != JsonValueKind.String)
            {
                throw new RpcException(RpcException.InvalidRequest, "expected a JSON-RPC 2.0 object with a string 'method'");
            }
            id = root.TryGetProperty("id", out var i) ? i.Clone() : null;
            var p = RpcParams.FromJson(root.TryGetProperty("params", out var ps) ? ps : default);
            var method = m.GetString()!;
            return await Response(id, async w =>
            {
                switch (method)
                {
                    case "subscribe": Subscribe(p, id); EmptyObject(w); break;
                    case "unsubscribe": Unsubscribe(p); EmptyObject(w); break;
                    case "unsubscribe_all":
                        lock (_gate)
                        {
                            _subscriptions.Clear();
                        }
                        EmptyObject(w);
                        break;
                    default: await _handler.HandleAsync(method, p, w, cancellationToken).ConfigureAwait(false); break;
                }
            }).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            return Error(id, new RpcException(RpcException.ParseError, e.Message));
        }
        catch (RpcException e)
        {
            return Error(id, e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Error(id, new RpcException(RpcException.InternalError, e.Message));
        }
    }

    private void Subscribe(RpcParams p, JsonElement? id)
    {
        var text = p.String("query") ?? throw new RpcException(RpcException.InvalidParams, "missing parameter 'query'");
        // rpc/core/events.go Subscribe: the subscription limit, then the length, then the parse.
        lock (_gate)
        {
            if (_subscriptions.Count >= MaxSubscriptions)
            {
                throw new RpcException(RpcException.InternalError, $"max_subscriptions_per_client {MaxSubscriptions} reached");
            }
        }
        if (System.Text.Encoding.UTF8.GetByteCount(text) > EventQuery.MaxQueryLength)
        {
            throw new RpcException(RpcException.InternalError, "maximum query length exceeded");
        }
        EventQuery query;
        try
        {
            query = EventQuery.Parse(text);
        }
        catch (QueryParseException e)
        {
            throw new RpcException(RpcException.InternalError, "failed to parse query: " + e.Message);
        }
        lock (_gate)
        {
            if (_subscriptions.ContainsKey(text))
            {
                throw new RpcException(RpcException.InternalError, "already subscribed");
            }
            if (_subscriptions.Count >= MaxSubscriptions)
            {
                throw new RpcException(RpcException.InternalError, $"max_subscriptions_per_client {MaxSubscriptions} reached");
            }
            _subscriptions[text] = (query, id ?? default);
        }
    }

    private void Unsubscribe(RpcParams p)
    {
        var text = p.String("query") ?? throw new RpcException(RpcException.InvalidParams, "missing parameter 'query'");
        lock (_gate)
        {
            if (!_subscriptions.Remove(text))
            {
                throw new RpcException(RpcException.InternalError, "subscription not found");
            }
        }
    }

    private void OnBlock(StoredBlock stored, BlockResults results)
    {
        List<(EventQuery Query, JsonElement Id)> subs;
        lock (_gate)
        {
            subs = [.. _subscriptions.Values];
        }
        if (subs.Count == 0)
        {
            return;
        }
        var block = stored.Block;
        var height = block.Height.ToString(CultureInfo.InvariantCulture);
        // types/event_bus.go PublishEventNewBlockHeader: the header alone, with only tm.event.
        var headerEvents = new Dictionary<string, List<string>>(StringComparer.Ordinal) { ["tm.event"] = ["NewBlockHeader"] };
        foreach (var (query, id) in subs.Where(s => s.Query.Matches(headerEvents)))
        {
            Enqueue(Event(id, query, headerEvents, "tendermint/event/NewBlockHeader", w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("header");
                CometJson.WriteHeader(w, block.Header);
                w.WriteEndObject();
            }));
        }
        // CometBFT's NewBlock events are tm.event and the block's FinalizeBlock events; block.height
        // is a devnet addition (the app emits no block events) so queries can select heights.
        var blockEvents = new Dictionary<string, List<string>>(StringComparer.Ordinal) { ["tm.event"] = ["NewBlock"], ["block.height"] = [height] };
        foreach (var (query, id) in subs.Where(s => s.Query.Matches(blockEvents)))
        {
            Enqueue(Event(id, query, blockEvents, "tendermint/event/NewBlock", w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("block");
                RpcHandler.WriteBlock(w, block);
                w.WritePropertyName("block_id");
                CometJson.WriteBlockId(w, block.BlockId);
                w.WriteStartObject("result_finalize_block");
                w.WriteStartArray("tx_results");
                foreach (var r in results.TxResults)
                {
                    BlockStore.WriteTxResult(w, r);
                }
                w.WriteEndArray();
                w.WriteString("app_hash", Convert.ToBase64String(results.AppHash));
                w.WriteEndObject();
                w.WriteEndObject();
            }));
        }
        for (var i = 0; i < block.Txs.Count; i++)
        {
            var result = results.TxResults[i];
            // types/event_bus.go PublishEventTx: every attribute (indexed or not) of every event with
            // a type, keyed type.key, then tm.event, tx.hash and tx.height appended.
            var events = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            void Add(string key, string value)
            {
                if (!events.TryGetValue(key, out var list))
                {
                    events[key] = list = [];
                }
                list.Add(value);
            }
            foreach (var e in result.Events.Where(e => e.Type.Length > 0))
            {
                foreach (var a in e.Attributes.Where(a => a.Key.Length > 0))
                {
                    Add(e.Type + "." + a.Key, a.Value);
                }
            }
            Add("tm.event", "Tx");
            Add("tx.hash", Convert.ToHexString(Txs.Tx.HashOf(block.Txs[i])));
            Add("tx.height", height);
            var index = i;
            foreach (var (query, id) in subs.Where(s => s.Query.Matches(events)))
            {
                Enqueue(Event(id, query, events, "tendermint/event/Tx", w =>
                {
                    w.WriteStartObject();
                    w.WriteStartObject("TxResult");
                    w.WriteString("height", height);
                    w.WriteNumber("index", index);
                    w.WriteString("tx", Convert.ToBase64String(block.Txs[index]));
                    w.WritePropertyName("result");
                    BlockStore.WriteTxResult(w, result);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }));
            }
        }
    }

    private static byte[] Event(JsonElement id, EventQuery query, Dictionary<string, List<string>> events, string type, Action<Utf8JsonWriter> value) =>
        CometJson.ToUtf8(w =>
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            RpcServer.WriteId(w, id);
            w.WriteStartObject("result");
            w.WriteString("query", query.Text);
            w.WriteStartObject("data");
            w.WriteString("type", type);
            w.WritePropertyName("value");
            value(w);
            w.WriteEndObject();
            w.WriteStartObject("events");
            foreach (var (key, values) in events)
            {
                w.WriteStartArray(key);
                foreach (var v in values)
                {
                    w.WriteStringValue(v);
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        });

    private static void EmptyObject(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteEndObject();
    }

    private static async Task<byte[]> Response(JsonElement? id, Func<Utf8JsonWriter, Task> result)
    {
        using var stream = new MemoryStream();
        using (var w = RpcJson.CreateWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            RpcServer.WriteId(w, id);
            w.WritePropertyName("result");
            await result(w).ConfigureAwait(false);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static byte[] Error(JsonElement? id, RpcException error) => CometJson.ToUtf8(w =>
    {
        w.WriteStartObject();
        w.WriteString("jsonrpc", "2.0");
        RpcServer.WriteId(w, id);
        w.WriteStartObject("error");
        w.WriteNumber("code", error.Code);
        w.WriteString("message", error.CodeMessage);
        w.WriteString("data", error.Message);
        w.WriteEndObject();
        w.WriteEndObject();
    });
}
