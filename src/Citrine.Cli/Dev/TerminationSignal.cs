using System.Runtime.InteropServices;

namespace Citrine.Cli.Dev;

/// <summary>
/// SIGTERM as a cancellation token for a long-running command (node, enclave, dev). The signal
/// handler runs on a thread of its own and can fire after the command has finished and disposed
/// its token source (a second SIGTERM, or one delivered while the first shutdown completes); a
/// bare <c>Cancel()</c> there threw ObjectDisposedException on that thread and ended the process
/// with exit 134. Here the handler and <see cref="Dispose"/> take one lock, and a handler that
/// comes after disposal does nothing.
/// </summary>
internal sealed class TerminationSignal : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _registration;
    private bool _disposed;

    public TerminationSignal(CancellationToken outer)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Cancel();
        });
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>Stops the command as SIGTERM would (e.g. a halt height reached).</summary>
    public void Cancel()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _stop.Cancel();
            }
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        _stop.Dispose();
    }
}
