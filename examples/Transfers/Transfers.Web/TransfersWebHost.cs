using System.Net;
using System.Text.Json;
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
    /// <exception cref="FileNotFoundException">a module the page's import map names is missing (scripts/web-setup fills <c>vendor/</c>).</exception>
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
        RequireMappedModules(root);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = root, WebRootPath = root });
        builder.Logging.ClearProviders();
        // The embedding process (citrine dev) owns SIGTERM/SIGINT; the host's default lifetime would
        // install handlers of its own that stop the host behind its back.
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, NoSignalLifetime>();
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

    /// <summary>
    /// Every local module index.html's import map names must be there: without them the page loads
    /// but cannot seal a request, so the host refuses to start rather than serve a broken page.
    /// </summary>
    private static void RequireMappedModules(string root)
    {
        const string open = "<script type=\"importmap\">";
        var html = File.ReadAllText(Path.Combine(root, "index.html"));
        var start = html.IndexOf(open, StringComparison.Ordinal);
        if (start < 0)
        {
            return;
        }
        start += open.Length;
        var end = html.IndexOf("</script>", start, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new FormatException($"{Path.Combine(root, "index.html")}: the import map has no closing </script>");
        }
        using var map = JsonDocument.Parse(html.AsMemory(start, end - start));
        if (!map.RootElement.TryGetProperty("imports", out var imports) || imports.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        foreach (var entry in imports.EnumerateObject())
        {
            if (entry.Value.GetString() is not { } target || !target.StartsWith("./", StringComparison.Ordinal))
            {
                continue;
            }
            var path = Path.GetFullPath(Path.Combine(root, target[2..]));
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"{path} is missing: the page's import map loads '{entry.Name}' from it, and scripts/web-setup puts the pinned modules in vendor/.",
                    path);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class NoSignalLifetime : Microsoft.Extensions.Hosting.IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
