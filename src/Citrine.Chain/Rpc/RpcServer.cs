using System.Net;
using System.Text.Json;
using Citrine.Chain.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Citrine.Chain.Rpc;

/// <summary>
/// CometBFT JSON-RPC over HTTP on Kestrel, bound to a loopback address only: JSON-RPC 2.0 POSTs to
/// <c>/</c> and URI GETs to <c>/&lt;method&gt;?arg=value</c>. Bodies above the configured limit
/// are refused (413); malformed requests get JSON-RPC errors; no exception reaches the client
/// as anything but a JSON-RPC internal error.
/// </summary>
public sealed class RpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RpcServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:26657/</c> (the real port when 0 was asked).</summary>
    public Uri Address { get; }

    /// <summary>Starts serving <paramref name="node"/> on <paramref name="listen"/> (<c>host:port</c>, loopback only; port 0 = any free).</summary>
    public static async Task<RpcServer> StartAsync(ChainNode node, string listen, int maxRequestBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        var endpoint = ParseLoopback(listen);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Listen(endpoint);
            options.Limits.MaxRequestBodySize = maxRequestBytes;
            options.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            options.AddServerHeader = false;
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        var handler = new RpcHandler(node, listen);
        app.Map("/websocket", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            await new WebSocketSession(socket, node, handler, maxRequestBytes).RunAsync(context.RequestAborted).ConfigureAwait(false);
        });
        app.MapPost("/", (HttpContext context) => HandlePostAsync(context, handler, maxRequestBytes));
        app.MapGet("/", (HttpContext context) => WriteListAsync(context));
        app.MapGet("/{method}", (HttpContext context, string method) => HandleGetAsync(context, handler, method));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        return new RpcServer(app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    public static IPEndPoint ParseLoopback(string listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var text = listen.StartsWith("tcp://", StringComparison.Ordinal) ? listen[6..] : listen;
        if (!IPEndPoint.TryParse(text, out var endpoint) || endpoint.Port is < 0 or > 65535)
        {
            throw new ArgumentException($"'{listen}' is not host:port with a numeric IP", nameof(listen));
        }
        if (!IPAddress.IsLoopback(endpoint.Address))
        {
            throw new ArgumentException($"the RPC binds to loopback only; '{endpoint.Address}' is not a loopback address", nameof(listen));
        }
        return endpoint;
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);

    private static async Task HandlePostAsync(HttpContext context, RpcHandler handler, int maxBytes)
    {
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await WriteErrorAsync(context, null, new RpcException(RpcException.InvalidRequest, $"request body exceeds {maxBytes} bytes")).ConfigureAwait(false);
            return;
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            await WriteErrorAsync(context, null, new RpcException(RpcException.ParseError, $"error unmarshaling request: {e.Message}")).ConfigureAwait(false);
            return;
        }
        using (doc)
        {
            var root = doc.RootElement;
            JsonElement? id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var idValue) ? idValue.Clone() : null;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var m) || m.ValueKind != JsonValueKind.String)
            {
                await WriteErrorAsync(context, id, new RpcException(RpcException.InvalidRequest, "expected a JSON-RPC 2.0 object with a string 'method' (batches are not supported)")).ConfigureAwait(false);
                return;
            }
            if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
            {
                await WriteErrorAsync(context, id, new RpcException(RpcException.InvalidRequest, "jsonrpc must be \"2.0\"")).ConfigureAwait(false);
                return;
            }
            RpcParams p;
            try
            {
                p = RpcParams.FromJson(root.TryGetProperty("params", out var ps) ? ps : default);
            }
            catch (RpcException e)
            {
                // A params error belongs to the request, answered with HTTP 200 like other method errors.
                await WriteErrorAsync(context, id, e, keepStatus: true).ConfigureAwait(false);
                return;
            }
            await RunAsync(context, handler, m.GetString()!, p, id, uri: false).ConfigureAwait(false);
        }
    }

    private static Task HandleGetAsync(HttpContext context, RpcHandler handler, string method)
    {
        var query = context.Request.Query.Select(q => new KeyValuePair<string, string>(q.Key, q.Value.ToString()));
        // URI requests answer with id -1, as CometBFT's HTTP GET handler does.
        using var minusOne = JsonDocument.Parse("-1");
        return RunAsync(context, handler, method, RpcParams.FromQuery(query), minusOne.RootElement.Clone(), uri: true);
    }

    /// <summary>
    /// Runs one method. A method's error is a JSON-RPC error in an HTTP 200 answer to a POST (as
    /// rpc/jsonrpc/server/http_json_handler.go writes it, and as @cosmjs/tendermint-rpc expects:
    /// it refuses any status >= 400), and an HTTP 500 answer to a URI GET (http_uri_handler.go).
    /// </summary>
    private static async Task RunAsync(HttpContext context, RpcHandler handler, string method, RpcParams p, JsonElement? id, bool uri)
    {
        using var stream = new MemoryStream();
        try
        {
            using (var w = RpcJson.CreateWriter(stream))
            {
                w.WriteStartObject();
                w.WriteString("jsonrpc", "2.0");
                WriteId(w, id);
                w.WritePropertyName("result");
                await handler.HandleAsync(method, p, w, context.RequestAborted).ConfigureAwait(false);
                w.WriteEndObject();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var error = e as RpcException ?? new RpcException(RpcException.InternalError, e.Message);
            if (!uri)
            {
                context.Response.StatusCode = StatusCodes.Status200OK;
                await WriteErrorAsync(context, id, error, keepStatus: true).ConfigureAwait(false);
            }
            else
            {
                context.Response.StatusCode = error.Code == RpcException.MethodNotFound ? StatusCodes.Status404NotFound : StatusCodes.Status500InternalServerError;
                await WriteErrorAsync(context, id, error, keepStatus: true).ConfigureAwait(false);
            }
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(stream.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Writes the JSON-RPC id as received (number or string), or -1 as CometBFT does.</summary>
    internal static void WriteId(Utf8JsonWriter w, JsonElement? id)
    {
        if (id is { } value && value.ValueKind is JsonValueKind.Number or JsonValueKind.String)
        {
            w.WritePropertyName("id");
            value.WriteTo(w);
        }
        else
        {
            w.WriteNumber("id", -1);
        }
    }

    internal static async Task WriteErrorAsync(HttpContext context, JsonElement? id, RpcException error, bool keepStatus = false)
    {
        using var stream = new MemoryStream();
        using (var w = RpcJson.CreateWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            WriteId(w, id);
            w.WriteStartObject("error");
            w.WriteNumber("code", error.Code);
            w.WriteString("message", error.CodeMessage);
            w.WriteString("data", error.Message);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        context.Response.ContentType = "application/json";
        if (!keepStatus && context.Response.StatusCode == StatusCodes.Status200OK)
        {
            context.Response.StatusCode = error.Code switch
            {
                RpcException.InvalidRequest or RpcException.InvalidParams => StatusCodes.Status400BadRequest,
                RpcException.MethodNotFound => StatusCodes.Status404NotFound,
                _ => StatusCodes.Status500InternalServerError,
            };
        }
        await context.Response.Body.WriteAsync(stream.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteListAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync("Available endpoints:\n" + string.Join("\n", RpcHandler.Methods.Select(m => "/" + m)) + "\n", context.RequestAborted).ConfigureAwait(false);
    }
}
