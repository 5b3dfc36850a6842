using System.Net;
using System.Net.Sockets;
using Citrine.Chain.Abci.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citrine.Chain.Abci.Server;

/// <summary>
/// The ABCI socket server CometBFT v0.38 connects to with <c>proxy_app = "tcp://…"</c> or
/// <c>"unix://…"</c> (behaviour of abci/server/socket_server.go). Each connection is served on its
/// own task: its requests are answered strictly in order, one response of the matching kind each,
/// into a buffer that is written out when a <c>Flush</c> is answered. CometBFT opens four
/// connections (consensus, mempool, info, snapshot); any number is accepted.
/// <para>
/// Failures: a request with no kind, or an application that throws, gets <c>ResponseException</c>
/// and the connection goes on (CometBFT stops itself on it). A malformed frame, or a peer that
/// goes away, ends only that connection.
/// </para>
/// </summary>
public sealed class AbciSocketServer : IAsyncDisposable
{
    private readonly IAbciApplication _app;
    private readonly ILogger _logger;
    private readonly int _maxMessageSize;
    private readonly Lock _gate = new();
    private readonly HashSet<Connection> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private bool _stopped;
    private long _nextConnectionId;

    /// <param name="app">the application every connection calls.</param>
    /// <param name="address">a <c>tcp://</c> or <c>unix://</c> address; port 0 picks a free port (see <see cref="BoundAddress"/>).</param>
    /// <param name="logger">connection events and failures; none by default.</param>
    /// <param name="maxMessageSize">the largest request accepted; CometBFT's 100 MiB by default.</param>
    public AbciSocketServer(IAbciApplication app, AbciAddress address, ILogger<AbciSocketServer>? logger = null, int maxMessageSize = AbciFraming.DefaultMaxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageSize);
        if (address.Transport == AbciTransport.Grpc)
        {
            throw new ArgumentException($"{address} is a gRPC address; serve it with {nameof(AbciGrpcServer)}", nameof(address));
        }
        _app = app;
        Address = address;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _maxMessageSize = maxMessageSize;
    }

    /// <summary>The address as configured.</summary>
    public AbciAddress Address { get; }

    /// <summary>The address actually listened on (the real port when port 0 was asked for); null before <see cref="StartAsync"/>.</summary>
    public AbciAddress? BoundAddress { get; private set; }

    /// <summary>The bound socket endpoint; null before <see cref="StartAsync"/>.</summary>
    public EndPoint? LocalEndPoint { get; private set; }

    /// <summary>Connections being served now.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Binds and starts accepting connections.</summary>
    /// <exception cref="IOException">the address is in use (another listener on the port or the socket file).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        if (_listener is not null)
        {
            throw new InvalidOperationException("the server is already started");
        }
        var endPoint = await Address.ResolveAsync(cancellationToken).ConfigureAwait(false);
        if (Address.Transport == AbciTransport.Unix)
        {
            await RemoveStaleSocketFileAsync(Address.Path!, cancellationToken).ConfigureAwait(false);
        }
        var listener = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endPoint);
            listener.Listen(backlog: 64);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"cannot listen on {Address}: {e.Message}", e);
        }
        _listener = listener;
        LocalEndPoint = listener.LocalEndPoint;
        BoundAddress = LocalEndPoint is IPEndPoint ip ? Address.WithPort(ip.Port) : Address;
        _logger.LogInformation("ABCI socket server listening on {Address}", BoundAddress);
        _acceptLoop = Task.Run(() => AcceptLoopAsync(listener), CancellationToken.None);
    }

    /// <summary>Stops accepting, ends every connection, waits for their tasks and removes the Unix socket file.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Connection[] open;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            open = [.. _connections];
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        foreach (var connection in open)
        {
            connection.Stream.Abort();
        }
        if (_acceptLoop is not null)
        {
            await _acceptLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        await Task.WhenAll(open.Select(c => c.Task)).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Address.Transport == AbciTransport.Unix && _listener is not null)
        {
            TryDelete(Address.Path!);
        }
        _logger.LogInformation("ABCI socket server on {Address} stopped", BoundAddress ?? Address);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // A connection reset before it was accepted; the listener itself is fine.
                _logger.LogDebug(e, "ABCI accept failed on {Address}", BoundAddress);
                continue;
            }
            if (socket.AddressFamily != AddressFamily.Unix)
            {
                socket.NoDelay = true;
            }
            var connection = new Connection(Interlocked.Increment(ref _nextConnectionId), new AbciStream(socket, _maxMessageSize));
            lock (_gate)
            {
                if (_stopped)
                {
                    socket.Dispose();
                    return;
                }
                _connections.Add(connection);
                connection.Task = Task.Run(() => ServeAsync(connection), CancellationToken.None);
            }
        }
    }

    // Never throws: every failure of a connection is logged and ends only that connection.
    private async Task ServeAsync(Connection connection)
    {
        var token = _stopping.Token;
        var stream = connection.Stream;
        _logger.LogDebug("ABCI connection {Connection} opened from {Remote}", connection.Id, stream.Socket.RemoteEndPoint);
        try
        {
            while (await stream.ReadAsync(Request.Parser, token).ConfigureAwait(false) is { } request)
            {
                var response = Answer(connection, request);
                if (stream.Write(response) || request.ValueCase == Request.ValueOneofCase.Flush)
                {
                    await stream.FlushAsync(token).ConfigureAwait(false);
                }
            }
            _logger.LogDebug("ABCI connection {Connection} closed by the peer", connection.Id);
        }
        catch (AbciFrameException e) when (e.Error is AbciFrameError.TruncatedLength or AbciFrameError.TruncatedBody)
        {
            _logger.LogInformation("ABCI connection {Connection} ended inside a frame: {Detail}", connection.Id, e.Message);
        }
        catch (AbciFrameException e)
        {
            _logger.LogWarning("ABCI connection {Connection} sent a malformed frame and is closed: {Detail}", connection.Id, e.Message);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The server is stopping.
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            if (!token.IsCancellationRequested)
            {
                _logger.LogInformation("ABCI connection {Connection} failed: {Detail}", connection.Id, e.Message);
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "ABCI connection {Connection} failed unexpectedly", connection.Id);
        }
        finally
        {
            try
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogDebug(e, "ABCI connection {Connection} did not close cleanly", connection.Id);
            }
            lock (_gate)
            {
                _connections.Remove(connection);
            }
        }
    }

    private Response Answer(Connection connection, Request request)
    {
        try
        {
            var response = AbciDispatcher.Dispatch(_app, request);
            if (response.ValueCase == Response.ValueOneofCase.Exception)
            {
                _logger.LogWarning("ABCI connection {Connection} sent a request with no known kind; answered with an exception", connection.Id);
            }
            return response;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "ABCI application failed on {Kind} (connection {Connection}); answered with an exception", request.ValueCase, connection.Id);
            return AbciDispatcher.Exception(e.Message);
        }
    }

    // CometBFT removes the socket file unconditionally; here only a file nobody answers on is removed,
    // so a second server on a live path fails instead of stealing it from the first.
    private static async Task RemoveStaleSocketFileAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return;
        }
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && IsSocketFile(path))
        {
            File.Delete(path);
            return;
        }
        catch (SocketException e)
        {
            throw new IOException($"cannot listen on unix://{path}: the path exists and is not a stale socket ({e.SocketErrorCode})", e);
        }
        throw new IOException($"cannot listen on unix://{path}: another process is listening on it");
    }

    // connect(2) is refused for a regular file as for a dead socket; open(2) tells them apart, as it
    // fails with ENXIO on a socket and succeeds on a file. (A FIFO at the path would block here; a
    // FIFO is not something anyone configures as an ABCI address.)
    private static bool IsSocketFile(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Someone else's now, or already gone.
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to remove.
        }
    }

    private sealed class Connection(long id, AbciStream stream)
    {
        public long Id { get; } = id;

        public AbciStream Stream { get; } = stream;

        public Task Task { get; set; } = Task.CompletedTask;
    }
}
