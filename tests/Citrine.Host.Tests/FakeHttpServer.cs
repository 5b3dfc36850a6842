using System.Net;
using System.Net.Sockets;

namespace Citrine.Host.Tests;

/// <summary>A tiny HTTP server on loopback that answers every request with the status and body a test gives.</summary>
internal sealed class FakeHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, (int Status, byte[] Body)> _answer;
    private readonly Task _loop;

    public FakeHttpServer(Func<string, (int Status, byte[] Body)> answer)
    {
        _answer = answer;
        Uri = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        _listener.Prefixes.Add(Uri.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public FakeHttpServer(int status, string body)
        : this(_ => (status, System.Text.Encoding.UTF8.GetBytes(body)))
    {
    }

    public Uri Uri { get; }

    public int Requests;

    /// <summary>A loopback port nothing listens on (bound then released).</summary>
    public static int ClosedPort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        var port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Interlocked.Increment(ref Requests);
            using var reader = new StreamReader(context.Request.InputStream);
            var request = await reader.ReadToEndAsync();
            var (status, body) = _answer(request);
            context.Response.StatusCode = status;
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
