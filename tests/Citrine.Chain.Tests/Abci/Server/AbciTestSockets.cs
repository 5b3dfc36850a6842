using System.Buffers;
using System.Net.Sockets;
using Citrine.Chain.Abci;
using Citrine.Chain.Abci.Server;
using Citrine.Chain.Abci.Wire;

namespace Citrine.Chain.Tests.Abci.Server;

/// <summary>Where a test's socket server listens: TCP on loopback port 0, or a fresh Unix socket path.</summary>
internal static class AbciTestAddresses
{
    public static AbciAddress For(string transport) => transport switch
    {
        "tcp" => AbciAddress.Tcp("127.0.0.1", 0),
        "unix" => AbciAddress.Unix(UnixPath()),
        _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "tcp or unix"),
    };

    public static string UnixPath() => Path.Combine(Path.GetTempPath(), $"abci-{Guid.NewGuid():N}.sock");

    public static async Task<AbciSocketServer> StartAsync(IAbciApplication app, string transport, int maxMessageSize = AbciFraming.DefaultMaxMessageSize)
    {
        var server = new AbciSocketServer(app, For(transport), maxMessageSize: maxMessageSize);
        await server.StartAsync();
        return server;
    }
}

/// <summary>A socket that speaks raw bytes to the server: for frames the client would never send.</summary>
internal sealed class RawAbciConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _received = new byte[64 * 1024];
    private int _length;

    private RawAbciConnection(Socket socket) => _socket = socket;

    public static async Task<RawAbciConnection> ConnectAsync(AbciAddress address)
    {
        var endPoint = await address.ResolveAsync();
        var socket = address.Transport == AbciTransport.Unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        return new RawAbciConnection(socket);
    }

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes);

    public void CloseWrite() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>The next response frame, or null if the server closed the connection.</summary>
    public async Task<Response?> ReadResponseAsync()
    {
        while (true)
        {
            var buffer = new ReadOnlySequence<byte>(_received, 0, _length);
            if (AbciFraming.TryReadFrame(ref buffer, isCompleted: false, AbciFraming.DefaultMaxMessageSize, out var body))
            {
                var response = AbciFraming.ParseBody(body, Response.Parser);
                var rest = (int)buffer.Length;
                Array.Copy(_received, _length - rest, _received, 0, rest);
                _length = rest;
                return response;
            }
            var read = await _socket.ReceiveAsync(_received.AsMemory(_length));
            if (read == 0)
            {
                return null;
            }
            _length += read;
        }
    }

    /// <summary>True when the server has closed the connection (a read returns end of stream); waits until it does.</summary>
    public async Task<bool> ClosedByServerAsync()
    {
        try
        {
            return await _socket.ReceiveAsync(new byte[1].AsMemory()) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
