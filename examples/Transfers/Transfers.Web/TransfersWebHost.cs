using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Transfers.Web;

/// <summary>
/// The page and its API on <c>127.0.0.1</c>: <c>/</c> serves the files of the web root
/// (<c>examples/Transfers/web</c>, with <c>vendor/</c> filled by scripts/web-setup), <c>/api</c> the
/// JSON API. Port 0 picks a free port; <see cref="Address"/> says which.
/// </summary>
public sealed class TransfersWebHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TransfersWebHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The page's address, e.g. <c>http://127.0.0.1:5173/</c>.</summary>
    public Uri Address { get; }

    /// <exception cref="DirectoryNotFoundException">the web root has no index.html.</exception>
    public static async Task<TransfersWebHost> StartAsync(
        ITransfersView view, ITransfersSubmitter submitter, string webRoot, int port, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(submitter);
        ArgumentException.ThrowIfNullOrEmpty(webRoot);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        var root = Path.GetFullPath(webRoot);
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            throw new DirectoryNotFoundException($"{root} has no index.html: not the Transfers web folder");
        }
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = root, WebRootPath = root });
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-store",
        });
        app.MapTransfersApi(view, submitter);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TransfersWebHost(app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
