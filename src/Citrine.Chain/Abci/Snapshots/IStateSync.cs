using Citrine.Chain.Abci.Wire;

namespace Citrine.Chain.Abci.Snapshots;

/// <summary>
/// State sync of the multistore (docs/abci.md, "State sync"): the four snapshot-connection methods
/// and the hook the application calls after each commit. The application serialises these calls
/// with its own (one lock), so an implementation sees no concurrent calls, but it may export a
/// snapshot on a background thread of its own.
/// </summary>
public interface IStateSync : IDisposable
{
    /// <summary>The snapshots this node can serve, newest first.</summary>
    ResponseListSnapshots ListSnapshots(RequestListSnapshots request);

    /// <summary>One chunk of a snapshot this node holds; an empty chunk when it does not hold it.</summary>
    ResponseLoadSnapshotChunk LoadSnapshotChunk(RequestLoadSnapshotChunk request);

    /// <summary>Starts a restore when the app is empty and the snapshot is acceptable (format, hash, metadata).</summary>
    ResponseOfferSnapshot OfferSnapshot(RequestOfferSnapshot request);

    /// <summary>Verifies and stores a chunk; after the last, rebuilds the store and checks the trusted app hash.</summary>
    ResponseApplySnapshotChunk ApplySnapshotChunk(RequestApplySnapshotChunk request);

    /// <summary>Called after the store committed <paramref name="height"/>: takes a snapshot when one is due.</summary>
    void Committed(long height);

    /// <summary>True once a restore completed: the store holds the snapshot's version and the app must reload from it.</summary>
    bool Restored { get; }
}
