using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citrine.Chain.Abci.Server;

/// <summary>
/// Hosts <see cref="AbciGrpcService"/> on Kestrel, HTTP/2 without TLS (CometBFT's gRPC ABCI client
/// dials insecure), at a <c>grpc://host:port</c> address. The host installs no console or signal
/// handlers: the process that embeds it owns SIGTERM and calls <see cref="StopAsync"/>.
/// </summary>
public sealed class AbciGrpcServer : IAsyncDisposable
{
    private readonly IAbciApplication _app;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly int _maxMessageSize;
    private WebApplication? _host;

    /// <param name="app">the application the service calls.</param>
    /// <param name="address">a <c>grpc://host:port</c> address; port 0 picks a free port (see <see cref="BoundAddress"/>).</param>
    /// <param name="loggerFactory">for the service's and Kestrel's logs; none by default.</param>
    /// <param name="maxMessageSize">the largest request accepted; CometBFT's 100 MiB by default.</param>
    public AbciGrpcServer(IAbciApplication app, AbciAddress address, ILoggerFactory? loggerFactory = null, int maxMessageSize = AbciFraming.DefaultMaxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageSize);
        if (address.Transport != AbciTransport.Grpc)
        {
            throw new ArgumentException($"{address} is not a grpc:// address; serve it with {nameof(AbciSocketServer)}", nameof(address));
        }
        _app = app;
        Address = address;
        _loggerFactory = loggerFactory;
        _maxMessageSize = maxMessageSize;
    }

    public AbciAddress Address { get; }

    /// <summary>The address actually listened on (the real port when port 0 was asked for); null before <see cref="StartAsync"/>.</summary>
    public AbciAddress? BoundAddress { get; private set; }

    /// <summary><c>http://host:port</c> for a gRPC client (Grpc.Net.Client speaks HTTP/2 cleartext to an http:// address); null before <see cref="StartAsync"/>.</summary>
    public Uri? Uri { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_host is not null)
        {
            throw new InvalidOperationException("the server is already started");
        }
        var endPoint = (IPEndPoint)await Address.ResolveAsync(cancellationToken).ConfigureAwait(false);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endPoint, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Logging.ClearProviders();
        if (_loggerFactory is not null)
        {
            builder.Services.AddSingleton(_loggerFactory);
        }
        // Not the default ConsoleLifetime, which would stop this host on SIGTERM behind the process's back.
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.Services.AddSingleton(_app);
        builder.Services.AddRouting();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = _maxMessageSize;
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = false;
        });

        var host = builder.Build();
        host.UseRouting();
        host.MapGrpcService<AbciGrpcService>();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"cannot listen on {Address}: {e.Message}", e);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var bound = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => new Uri(a)).FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no bound address");
        _host = host;
        BoundAddress = Address.WithPort(bound.Port);
        Uri = bound;
    }

    public Task StopAsync(CancellationToken cancellationToken = default) =>
        _host is null ? Task.CompletedTask : _host.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
            _host = null;
        }
    }

    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
