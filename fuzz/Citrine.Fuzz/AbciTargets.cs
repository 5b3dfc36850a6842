using Citrine.Chain.Abci.Server;
using Citrine.Chain.Abci.Snapshots;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.App;
using Citrine.Store.Multistore;
using Citrine.Store.Snapshots;
using Citrine.Store.Storage;

namespace Citrine.Fuzz;

/// <summary>
/// The ABCI server's parsers of bytes from the network and from peers: a socket frame with its
/// Request (<see cref="AbciFrameException"/>), a state-sync snapshot's metadata (a Try parser) and
/// its item stream imported into an empty multistore (only <see cref="SnapshotImportException"/>: the
/// import reports the codec's faults as <see cref="ImportError.Malformed"/>, so a raw codec exception
/// escaping it is a finding).
/// </summary>
internal static class AbciTargets
{
    [FuzzTarget("abci-frame", typeof(AbciFrameException))]
    public static void FuzzFrame(ReadOnlySpan<byte> data)
    {
        var request = AbciFraming.ReadFrame(data, Request.Parser, out var consumed);
        if ((uint)consumed > (uint)data.Length)
        {
            throw new InvalidOperationException($"a frame consumed {consumed} of {data.Length} bytes");
        }
        // The kind of answer the server would send must be defined for every request it parses.
        _ = AbciDispatcher.ResponseKindFor(request.ValueCase);
        _ = AbciFraming.ToFrame(request);
    }

    [FuzzTarget("abci-snapshot-metadata")]
    public static void FuzzSnapshotMetadata(ReadOnlySpan<byte> data)
    {
        if (!SnapshotMetadata.TryParse(data, out var hashes, out var error))
        {
            if (string.IsNullOrEmpty(error))
            {
                throw new InvalidOperationException("a refused metadata must say why");
            }
            Refusal.Note();
            return;
        }
        var again = SnapshotMetadata.Encode(hashes);
        if (!SnapshotMetadata.TryParse(again, out var reparsed, out _) || reparsed.Length != hashes.Length)
        {
            throw new InvalidOperationException("metadata that parses must encode and parse again to the same chunk list");
        }
    }

    [FuzzTarget("abci-snapshot-restore", typeof(SnapshotImportException))]
    public static void FuzzSnapshotRestore(ReadOnlySpan<byte> data)
    {
        using var store = new MultiStore(new MemoryKeyValueDb(), ChainApp.StoreNames, ownsDb: true);
        using var stream = new MemoryStream(data.ToArray(), writable: false);
        var info = store.Import(3, SnapshotItemCodec.Read(stream));
        // What imports is a usable store at that version.
        if (store.LatestVersion != 3 || !info.AppHash.AsSpan().SequenceEqual(store.LastAppHash))
        {
            throw new InvalidOperationException("an accepted import must open at its version with its app hash");
        }
        _ = store.Commit();
    }
}
