using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Citrine.CometBft.Json;

namespace Citrine.CometBft.Testing;

/// <summary>
/// A CometBFT-style JSON-RPC server on 127.0.0.1 (HttpListener) for tests: it answers URI-style
/// GET requests (<c>/commit?height=H</c>, <c>/validators?...</c>, <c>/status</c>) from a handler.
/// <see cref="ForChain"/> serves a <see cref="SyntheticChain"/>. Failures can be injected to test
/// timeouts and retries. A JSON-RPC POST of <c>broadcast_evidence</c> is recorded in
/// <see cref="ReceivedEvidence"/> and, unless <see cref="AcceptEvidence"/>, refused as an unknown
/// method (as a node without evidence handling answers).
/// </summary>
public sealed class LoopbackRpcServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, IReadOnlyDictionary<string, string>, (int Status, byte[] Body)> _handler;
    private readonly Task _loop;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _evidence = new();
    private int _requests;

    public LoopbackRpcServer(Func<string, IReadOnlyDictionary<string, string>, (int Status, byte[] Body)> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        var port = FreePort();
        Uri = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Uri.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Uri { get; }

    public int Requests => _requests;

    /// <summary>Answer this many next requests with HTTP 503 before serving normally.</summary>
    public int FailNext { get; set; }

    /// <summary>Wait this long before answering each request.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Answer <c>broadcast_evidence</c> with a hash instead of "method not found".</summary>
    public bool AcceptEvidence { get; set; }

    /// <summary>The <c>evidence</c> parameter of every <c>broadcast_evidence</c> request, as JSON text.</summary>
    public IReadOnlyList<string> ReceivedEvidence => [.. _evidence];

    public static LoopbackRpcServer ForChain(SyntheticChain chain, int maxPerPage = 100)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return new LoopbackRpcServer((method, query) => ChainResponse(chain, method, query, maxPerPage));
    }

    /// <summary>A JSON-RPC success envelope around <paramref name="result"/>.</summary>
    public static byte[] Result(Action<Utf8JsonWriter> result) => CometJson.ToUtf8(w =>
    {
        ArgumentNullException.ThrowIfNull(result);
        w.WriteStartObject();
        w.WriteString("jsonrpc", "2.0");
        w.WriteNumber("id", -1);
        w.WritePropertyName("result");
        result(w);
        w.WriteEndObject();
    });

    public static byte[] Error(int code, string message, string data) => CometJson.ToUtf8(w =>
    {
        w.WriteStartObject();
        w.WriteString("jsonrpc", "2.0");
        w.WriteNumber("id", -1);
        w.WriteStartObject("error");
        w.WriteNumber("code", code);
        w.WriteString("message", message);
        w.WriteString("data", data);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static (int, byte[]) ChainResponse(SyntheticChain chain, string method, IReadOnlyDictionary<string, string> query, int maxPerPage)
    {
        long HeightParam(long fallback) =>
            query.TryGetValue("height", out var h) && long.TryParse(h.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : fallback;
        var latest = chain.LatestHeight;
        (int, byte[]) TooHigh(long h) => (500, Error(-32603, "Internal error", $"height {h} must be less than or equal to the current blockchain height {latest}"));
        switch (method)
        {
            case "status":
            {
                var header = chain.HeaderAt(latest);
                return (200, Result(w =>
                {
                    w.WriteStartObject();
                    w.WriteStartObject("node_info");
                    w.WriteString("network", chain.ChainId);
                    w.WriteString("id", "0000000000000000000000000000000000000000");
                    w.WriteString("version", "0.38.0");
                    w.WriteEndObject();
                    w.WriteStartObject("sync_info");
                    w.WriteString("latest_block_hash", Convert.ToHexString(header.Hash()));
                    w.WriteString("latest_app_hash", Convert.ToHexString(header.AppHash));
                    w.WriteString("latest_block_height", latest.ToString(CultureInfo.InvariantCulture));
                    w.WriteString("latest_block_time", header.Time.ToString());
                    w.WriteString("earliest_block_height", "1");
                    w.WriteBoolean("catching_up", false);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }));
            }
            case "commit":
            {
                var h = HeaderParamOrLatest(HeightParam(latest), latest);
                if (h > latest || h < 1)
                {
                    return TooHigh(h);
                }
                var signed = chain.LightBlockAt(h).SignedHeader;
                return (200, Result(w =>
                {
                    w.WriteStartObject();
                    w.WritePropertyName("signed_header");
                    CometJson.WriteSignedHeader(w, signed);
                    w.WriteBoolean("canonical", h < latest);
                    w.WriteEndObject();
                }));
            }
            case "validators":
            {
                var h = HeaderParamOrLatest(HeightParam(latest), latest);
                if (h > latest + 1 || h < 1)
                {
                    return TooHigh(h);
                }
                var set = chain.ValidatorsAt(h);
                var perPage = query.TryGetValue("per_page", out var pp) && int.TryParse(pp, CultureInfo.InvariantCulture, out var p) ? Math.Clamp(p, 1, maxPerPage) : 30;
                var page = query.TryGetValue("page", out var pg) && int.TryParse(pg, CultureInfo.InvariantCulture, out var n) ? Math.Max(n, 1) : 1;
                var slice = set.Validators.Skip((page - 1) * perPage).Take(perPage).ToList();
                return (200, Result(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("block_height", h.ToString(CultureInfo.InvariantCulture));
                    w.WriteStartArray("validators");
                    foreach (var v in slice)
                    {
                        CometJson.WriteValidator(w, v);
                    }
                    w.WriteEndArray();
                    w.WriteString("count", slice.Count.ToString(CultureInfo.InvariantCulture));
                    w.WriteString("total", set.Count.ToString(CultureInfo.InvariantCulture));
                    w.WriteEndObject();
                }));
            }
            default:
                return (404, Error(-32601, "Method not found", method));
        }
    }

    private static long HeaderParamOrLatest(long h, long latest) => h == 0 ? latest : h;

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        try
        {
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay).ConfigureAwait(false);
            }
            int status;
            byte[] body;
            if (FailNext > 0)
            {
                FailNext--;
                (status, body) = (503, "unavailable"u8.ToArray());
            }
            else if (context.Request.HttpMethod == "POST")
            {
                using var reader = new StreamReader(context.Request.InputStream);
                (status, body) = ServePost(await reader.ReadToEndAsync().ConfigureAwait(false));
            }
            else
            {
                var method = context.Request.Url!.AbsolutePath.Trim('/');
                var query = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var key in context.Request.QueryString.AllKeys)
                {
                    if (key is not null)
                    {
                        query[key] = context.Request.QueryString[key] ?? "";
                    }
                }
                (status, body) = _handler(method, query);
            }
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(body).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The client went away (e.g. it timed out); nothing to answer.
        }
    }

    private (int, byte[]) ServePost(string request)
    {
        try
        {
            using var doc = JsonDocument.Parse(request);
            var method = doc.RootElement.GetProperty("method").GetString();
            if (method == "broadcast_evidence" && doc.RootElement.TryGetProperty("params", out var parameters)
                && parameters.TryGetProperty("evidence", out var evidence))
            {
                _evidence.Enqueue(evidence.GetRawText());
                return AcceptEvidence
                    ? (200, Result(w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("hash", Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(evidence.GetRawText()))));
                        w.WriteEndObject();
                    }))
                    : (200, Error(-32601, "Method not found", method));
            }
            return (200, Error(-32601, "Method not found", method ?? ""));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (200, Error(-32700, "Parse error", e.Message));
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The accept loop ends with the listener.
        }
    }
}
