using Citrine.Chain.Node;

namespace Citrine.Chain.Tests.Node;

/// <summary>
/// Holds block production at one phase of one height until the test releases it, so a test sees
/// the node exactly in that window (no sleeps: the producing thread waits on an event).
/// </summary>
internal sealed class HoldingBarrier(CommitPhase phase, long height) : ICommitPhaseBarrier, IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _release = new();

    /// <summary>Completes when the producing thread is held.</summary>
    public Task Held => _held.Task.WaitAsync(Guard);

    /// <summary>When set, thrown at the held phase instead of waiting (a commit that fails there).</summary>
    public Exception? Failure { get; init; }

    public void Release() => _release.Set();

    public void Reached(CommitPhase at, long atHeight)
    {
        if (at != phase || atHeight != height)
        {
            return;
        }
        if (Failure is not null)
        {
            throw Failure;
        }
        _held.SetResult();
        // The guard only turns a test that forgot to release into a failure instead of a hang.
        if (!_release.Wait(Guard))
        {
            throw new TimeoutException($"the test never released block {height} at {phase}");
        }
    }

    public void Dispose()
    {
        _release.Set();
        _release.Dispose();
    }
}
