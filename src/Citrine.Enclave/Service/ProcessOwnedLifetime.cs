using Microsoft.Extensions.Hosting;

namespace Citrine.Enclave.Service;

/// <summary>
/// A host lifetime that installs no signal handlers. The generic host's default (ConsoleLifetime)
/// registers SIGTERM/SIGINT handlers of its own that stop the host behind the back of the process
/// embedding it; the `citrine` command owns its signals (Cli/Dev/TerminationSignal) and stops the
/// server with StopAsync, in its own order.
/// </summary>
public sealed class ProcessOwnedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
