using System.Globalization;
using System.Net;
using Citrine.Enclave.Runtime;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Citrine.Enclave.Service;

public sealed class EnclaveServerOptions
{
    /// <summary>Bind an address that is not loopback. Off by default: the host is the enclave's only client and runs beside it.</summary>
    public bool AllowNonLoopback { get; init; }

    /// <summary>
    /// The largest request accepted; 64 MiB by default: an Execute batch of 1,024 requests of up to
    /// 16 KiB of ciphertext each, with their proofs and the light blocks, needs about 20 MiB.
    /// </summary>
    public int MaxReceiveMessageSize { get; init; } = 64 * 1024 * 1024;

    /// <summary>Where the server logs; none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>
/// The enclave's gRPC server: Kestrel, HTTP/2 without TLS (the channel is loopback and every
/// input is verified or attested as-is; TLS would add a key the host can read anyway), the
/// <see cref="EnclaveService"/> and the standard <c>grpc.health.v1.Health</c> service, which
/// reports NOT_SERVING until a session is established and the light-client state is accepted,
/// SERVING while it is, and NOT_SERVING again when it is lost.
/// </summary>
public sealed class EnclaveServer : IAsyncDisposable
{
    /// <summary>The service name the health service reports besides the overall status ("").</summary>
    public const string ServiceName = "citrine.enclave.v1.Enclave";

    private readonly WebApplication _app;
    private readonly EnclaveRuntime _runtime;
    private readonly HealthServiceImpl _health;

    private EnclaveServer(WebApplication app, EnclaveRuntime runtime, HealthServiceImpl health, IPEndPoint address)
    {
        _app = app;
        _runtime = runtime;
        _health = health;
        Address = address;
        _runtime.StateChanged += OnStateChanged;
        OnStateChanged(null, EventArgs.Empty);
    }

    /// <summary>The bound address (the actual port when 0 was asked for).</summary>
    public IPEndPoint Address { get; }

    /// <summary><c>http://host:port</c>, for a gRPC client.</summary>
    public Uri Uri => new($"http://{Address}");

    /// <summary>Parses <c>host:port</c> (an IP literal or <c>localhost</c>; port 0 picks a free one).</summary>
    /// <exception cref="ArgumentException">not an address, or not loopback without <paramref name="allowNonLoopback"/>.</exception>
    public static IPEndPoint ParseListen(string listen, bool allowNonLoopback = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(listen);
        var colon = listen.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(listen.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new ArgumentException($"'{listen}' is not host:port", nameof(listen));
        }
        var host = listen[..colon].Trim('[', ']');
        var address = host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed
            : throw new ArgumentException($"'{host}' is not an IP address (or localhost)", nameof(listen));
        if (!IPAddress.IsLoopback(address) && !allowNonLoopback)
        {
            throw new ArgumentException($"{address} is not a loopback address; the enclave serves its host on loopback unless explicitly allowed", nameof(listen));
        }
        return new IPEndPoint(address, port);
    }

    public static async Task<EnclaveServer> StartAsync(EnclaveRuntime runtime, string listen, EnclaveServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        options ??= new EnclaveServerOptions();
        var endpoint = ParseListen(listen, options.AllowNonLoopback);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endpoint, listenOptions => listenOptions.Protocols = HttpProtocols.Http2);
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, ProcessOwnedLifetime>();
        if (options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }
        builder.Services.AddRouting();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxReceiveMessageSize;
            grpc.EnableDetailedErrors = false;
        });
        var health = new HealthServiceImpl();
        builder.Services.AddSingleton(runtime);
        builder.Services.AddSingleton(health);

        var app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<EnclaveService>();
        app.MapGrpcService<HealthServiceImpl>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var bound = addresses?.Select(a => new Uri(a)).FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no bound address");
        return new EnclaveServer(app, runtime, health, new IPEndPoint(endpoint.Address, bound.Port));
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _runtime.StateChanged -= OnStateChanged;
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private void OnStateChanged(object? sender, EventArgs e)
    {
        var status = _runtime.IsServing ? HealthCheckResponse.Types.ServingStatus.Serving : HealthCheckResponse.Types.ServingStatus.NotServing;
        _health.SetStatus("", status);
        _health.SetStatus(ServiceName, status);
    }
}
