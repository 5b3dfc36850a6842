using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Citrine.Attestation.Tests.Pcs;

/// <summary>A reply from <see cref="LoopbackPcsServer"/>.</summary>
internal sealed record PcsReply(int Status, byte[] Body, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default)
{
    public static PcsReply NotFound { get; } = new(404, "not found"u8.ToArray());

    public static PcsReply Json(string body, string? header = null, string? pem = null) =>
        new(200, Encoding.UTF8.GetBytes(body), header is null ? null : new Dictionary<string, string> { [header] = Uri.EscapeDataString(pem!) });

    public static PcsReply Binary(byte[] body, string? header = null, string? pem = null) =>
        new(200, body, header is null ? null : new Dictionary<string, string> { [header] = Uri.EscapeDataString(pem!) });
}

/// <summary>
/// A real HTTP server (System.Net.HttpListener) on 127.0.0.1 and a free port, answering each
/// request "path?query" with the handler's reply. Records every request it sees.
/// </summary>
internal sealed class LoopbackPcsServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<string, PcsReply> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackPcsServer(Func<string, PcsReply> handler)
    {
        _handler = handler;
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                _listener = listener;
                BaseAddress = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
        _loop = Task.Run(Loop);
    }

    public Uri BaseAddress { get; }

    public ConcurrentQueue<string> Requests { get; } = new();

    public int Count(string prefix) => Requests.Count(r => r.StartsWith(prefix, StringComparison.Ordinal));

    private async Task Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(() => Serve(context));
        }
    }

    private async Task Serve(HttpListenerContext context)
    {
        var target = context.Request.Url!.PathAndQuery.TrimStart('/');
        Requests.Enqueue(target);
        try
        {
            var reply = _handler(target);
            if (reply.Delay > TimeSpan.Zero)
            {
                await Task.Delay(reply.Delay, _stop.Token);
            }
            context.Response.StatusCode = reply.Status;
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                context.Response.AddHeader(name, value);
            }
            context.Response.ContentLength64 = reply.Body.Length;
            await context.Response.OutputStream.WriteAsync(reply.Body);
            context.Response.Close();
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            context.Response.Abort();
        }
        catch (HttpListenerException)
        {
            // The client went away (e.g. it timed out first).
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
