using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Citrine.CometBft.Json;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;
using ProofOp = Citrine.Ics23.Abci.ProofOp;

namespace Citrine.Host.Chain;

/// <summary>Timeouts, retries and limits of <see cref="CometRpcClient"/>.</summary>
public sealed record ChainClientOptions
{
    /// <summary>The devnet's default RPC address.</summary>
    public static readonly Uri DefaultEndpoint = new("http://127.0.0.1:26657/");

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Further attempts after a transport failure (every method here is a read, so repeating it is harmless).</summary>
    public int Retries { get; init; } = 2;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public int MaxResponseBytes { get; init; } = 32 * 1024 * 1024;
}

/// <summary>
/// CometBFT JSON-RPC over HTTP POST (the devnet's and any CometBFT 0.38 node's): <c>status</c>,
/// <c>abci_query</c>, <c>tx</c>, <c>tx_search</c>, and light blocks through
/// <see cref="HttpRpcProvider"/> (<c>commit</c> + <c>validators</c>). Transport failures are retried
/// a bounded number of times; a JSON-RPC error is <see cref="ChainErrorKind.Refused"/> (or
/// <see cref="ChainErrorKind.NotFound"/> for heights and txs the node does not have) and is never retried.
/// </summary>
public sealed class CometRpcClient : IChainClient
{
    private readonly HttpClient _http;
    private readonly ChainClientOptions _options;
    private readonly HttpRpcProvider _provider;
    private long _nextId;

    public CometRpcClient(Uri endpoint, HttpClient http, ChainClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(http);
        var text = endpoint.ToString();
        Endpoint = new Uri(text.EndsWith('/') ? text : text + "/");
        _http = http;
        _options = options ?? new ChainClientOptions();
        _provider = new HttpRpcProvider(Endpoint, http, new HttpProviderOptions
        {
            RequestTimeout = _options.RequestTimeout,
            Retries = _options.Retries,
            RetryDelay = _options.RetryDelay,
            MaxResponseBytes = _options.MaxResponseBytes,
        });
    }

    public Uri Endpoint { get; }

    /// <summary>The light-block source the light client's own code uses (bisection, fork detection).</summary>
    public ILightBlockProvider Provider => _provider;

    public async Task<NodeStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var body = await PostAsync("status", _ => { }, cancellationToken).ConfigureAwait(false);
        try
        {
            return RpcResponses.ParseStatus(body);
        }
        catch (RpcErrorException e)
        {
            throw new ChainClientException(ChainErrorKind.Refused, "status", e.Message, e);
        }
        catch (CometJsonException e)
        {
            throw new ChainClientException(ChainErrorKind.BadResponse, "status", e.Message, e);
        }
    }

    public async Task<AbciQueryResult> AbciQueryAsync(string path, ReadOnlyMemory<byte> data, long height, bool prove, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        var hex = Convert.ToHexString(data.Span);
        var body = await PostAsync("abci_query", w =>
        {
            w.WriteString("path", path);
            w.WriteString("data", hex);
            w.WriteString("height", height.ToString(CultureInfo.InvariantCulture));
            w.WriteBoolean("prove", prove);
        }, cancellationToken).ConfigureAwait(false);
        return Read(body, "abci_query", result =>
        {
            var r = result.Get("response");
            var ops = new List<ProofOp>();
            if (r.Optional("proofOps") is { } proof && proof.Optional("ops") is { } list)
            {
                foreach (var op in list.Items())
                {
                    ops.Add(new ProofOp(op.Get("type").String(), op.Optional("key")?.Base64() ?? [], op.Optional("data")?.Base64() ?? []));
                }
            }
            var code = r.Optional("code")?.Int64() ?? 0;
            if (code is < 0 or > uint.MaxValue)
            {
                throw r.Get("code").Fail($"code {code} is out of range");
            }
            return new AbciQueryResult(
                (uint)code,
                r.Optional("codespace")?.String() ?? "",
                r.Optional("log")?.String() ?? "",
                r.Optional("height")?.Int64() ?? 0,
                r.Optional("value")?.Base64(),
                ops);
        });
    }

    public async Task<LightBlock> LightBlockAsync(long height, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        try
        {
            return await _provider.GetLightBlockAsync(height, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e)
        {
            var kind = e.Kind switch
            {
                ProviderErrorKind.NotFound => ChainErrorKind.NotFound,
                ProviderErrorKind.Unavailable => ChainErrorKind.Unreachable,
                ProviderErrorKind.Refused => ChainErrorKind.Refused,
                _ => ChainErrorKind.BadResponse,
            };
            throw new ChainClientException(kind, "light block", $"height {height}: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            // Decoded types validate their fields (e.g. a hash of the wrong length).
            throw new ChainClientException(ChainErrorKind.BadResponse, "light block", $"height {height}: {e.Message}", e);
        }
    }

    public async Task<CommittedTx?> TxAsync(ReadOnlyMemory<byte> hash, CancellationToken cancellationToken = default)
    {
        if (hash.Length != 32)
        {
            throw new ArgumentException("a tx hash is 32 bytes", nameof(hash));
        }
        var b64 = Convert.ToBase64String(hash.Span);
        byte[] body;
        try
        {
            body = await PostAsync("tx", w => w.WriteString("hash", b64), cancellationToken).ConfigureAwait(false);
            return Read(body, "tx", ReadTx);
        }
        catch (ChainClientException e) when (e.Kind == ChainErrorKind.Refused && e.Message.Contains("not found", StringComparison.OrdinalIgnoreCase))
        {
            // CometBFT answers an unknown hash with an internal error "tx (HASH) not found".
            return null;
        }
    }

    public async Task<TxSearchPage> TxSearchAsync(string query, int page, int perPage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(page);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perPage);
        var body = await PostAsync("tx_search", w =>
        {
            w.WriteString("query", query);
            w.WriteString("page", page.ToString(CultureInfo.InvariantCulture));
            w.WriteString("per_page", perPage.ToString(CultureInfo.InvariantCulture));
            w.WriteString("order_by", "asc");
        }, cancellationToken).ConfigureAwait(false);
        return Read(body, "tx_search", result =>
        {
            var txs = result.Get("txs").Items().Select(ReadTx).ToList();
            var total = result.Get("total_count").Int64();
            if (total < txs.Count || total > int.MaxValue)
            {
                throw result.Get("total_count").Fail($"total_count {total} with {txs.Count} txs on the page");
            }
            return new TxSearchPage(txs, (int)total);
        });
    }

    /// <summary>A ResultTx: <c>{hash, height, index, tx_result:{code, data, log, gas_used, events, codespace}}</c>.</summary>
    internal static CommittedTx ReadTx(RpcJson tx)
    {
        var result = tx.Get("tx_result");
        return ReadResult(tx.Get("hash").String(), tx.Get("height").Int64(), (int)tx.Get("index").Int64(), result);
    }

    internal static CommittedTx ReadResult(string hash, long height, int index, RpcJson result)
    {
        var code = result.Optional("code")?.Int64() ?? 0;
        if (code is < 0 or > uint.MaxValue)
        {
            throw result.Get("code").Fail($"code {code} is out of range");
        }
        var events = new List<ChainEvent>();
        if (result.Optional("events") is { } list)
        {
            foreach (var e in list.Items())
            {
                var attributes = new List<ChainEventAttr>();
                if (e.Optional("attributes") is { } attrs)
                {
                    foreach (var a in attrs.Items())
                    {
                        attributes.Add(new ChainEventAttr(a.Optional("key")?.String() ?? "", a.Optional("value")?.String() ?? "", a.Optional("index")?.Bool() ?? false));
                    }
                }
                events.Add(new ChainEvent(e.Get("type").String(), attributes));
            }
        }
        return new CommittedTx(
            hash.ToUpperInvariant(), height, index, (uint)code,
            result.Optional("codespace")?.String() ?? "",
            result.Optional("log")?.String() ?? "",
            result.Optional("data")?.Base64() ?? [],
            result.Optional("gas_used")?.Int64() ?? 0,
            events);
    }

    /// <summary>Decodes a JSON-RPC answer: an error object is a refusal (or not found), a malformed one a bad response.</summary>
    internal static T Read<T>(byte[] body, string method, Func<RpcJson, T> read)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ChainClientException(ChainErrorKind.BadResponse, method, $"not JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = new RpcJson(doc.RootElement, method, "$");
            if (root.Element.ValueKind != JsonValueKind.Object)
            {
                throw root.Fail("expected a JSON-RPC response object");
            }
            if (root.Optional("error") is { } error)
            {
                var message = error.Optional("message")?.Element.ToString() ?? "";
                var data = error.Optional("data")?.Element.ToString() ?? "";
                var text = $"JSON-RPC error {error.Optional("code")?.Element.ToString() ?? "?"}: {message}{(data.Length > 0 ? " (" + data + ")" : "")}";
                // CometBFT: "height H must be less than or equal to the current blockchain height".
                var kind = data.Contains("must be less than or equal", StringComparison.Ordinal) || data.Contains("could not find", StringComparison.OrdinalIgnoreCase)
                    ? ChainErrorKind.NotFound : ChainErrorKind.Refused;
                throw new ChainClientException(kind, method, text);
            }
            return read(root.Get("result"));
        }
    }

    private async Task<byte[]> PostAsync(string method, Action<Utf8JsonWriter> parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var request = CometJson.ToUtf8(w =>
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteNumber("id", id);
            w.WriteString("method", method);
            w.WriteStartObject("params");
            parameters(w);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        var delay = _options.RetryDelay;
        for (var attempt = 0; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            string failure;
            Exception? inner = null;
            try
            {
                using var content = new ByteArrayContent(request);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await _http.PostAsync(Endpoint, content, timeout.Token).ConfigureAwait(false);
                var body = await ReadLimitedAsync(response.Content, method, timeout.Token).ConfigureAwait(false);
                // CometBFT answers a method's error with HTTP 200 and a JSON body; anything with a
                // JSON object body is the node's answer and is decoded, not retried.
                if (body.Length > 0 && body[0] == (byte)'{')
                {
                    return body;
                }
                if ((int)response.StatusCode < 500)
                {
                    throw new ChainClientException(ChainErrorKind.BadResponse, method, $"HTTP {(int)response.StatusCode} without a JSON-RPC answer");
                }
                failure = $"HTTP {(int)response.StatusCode}";
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"no answer within {_options.RequestTimeout}";
                inner = e;
            }
            catch (HttpRequestException e)
            {
                failure = e.Message;
                inner = e;
            }
            if (attempt >= _options.Retries)
            {
                throw new ChainClientException(ChainErrorKind.Unreachable, method, $"{Endpoint}: {failure} (after {attempt + 1} attempts)", inner);
            }
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay *= 2;
        }
    }

    private async Task<byte[]> ReadLimitedAsync(HttpContent content, string method, CancellationToken cancellationToken) =>
        await BoundedResponse.TryReadAsync(content, _options.MaxResponseBytes, cancellationToken).ConfigureAwait(false)
            ?? throw new ChainClientException(ChainErrorKind.BadResponse, method, $"response exceeds {_options.MaxResponseBytes} bytes");
}
