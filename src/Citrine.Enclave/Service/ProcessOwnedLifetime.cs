using Microsoft.Extensions.Hosting;

namespace Citrine.Enclave.Service;

/// <summary>
/// A host lifetime that installs no signal handlers. The generic host's default (ConsoleLifetime)
/// registers its own SIGTERM/SIGINT handlers, which then race the process's own (the `citrine`
/// command stops and disposes the server on SIGTERM): a handler running against a host being
/// disposed ended the process with an unhandled exception (exit 134) about once in five stops.
/// The process that embeds a server owns its signals; the server is stopped by StopAsync alone.
/// </summary>
public sealed class ProcessOwnedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
