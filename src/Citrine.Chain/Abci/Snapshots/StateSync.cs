using System.Globalization;
using System.Security.Cryptography;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.State;
using Citrine.Store;
using Citrine.Store.Multistore;
using Citrine.Store.Snapshots;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citrine.Chain.Abci.Snapshots;

/// <summary>
/// State sync of the multistore (docs/abci.md, "State sync"), format 1. Serving: after
/// <see cref="Committed"/> of a height that is a multiple of <see cref="StateSyncOptions.Interval"/>,
/// the version is held against pruning and exported on a background task into
/// <see cref="SnapshotDirectory"/>; <see cref="PendingSnapshots"/> completes when it is written.
/// Restoring: <see cref="OfferSnapshot"/> then <see cref="ApplySnapshotChunk"/> per chunk; chunks are
/// kept on disk under the snapshot directory until the last arrives, then the stream is decoded and
/// imported into the (empty) multistore, which must commit to the trusted app hash.
/// The four ABCI methods and <see cref="Committed"/> are called one at a time (the application's lock).
/// </summary>
public sealed partial class StateSync : IStateSync
{
    private const string RestoreDir = ".tmp-restore";

    private readonly MultiStore _store;
    private readonly StateSyncOptions _options;
    private readonly ILogger _logger;
    private readonly SnapshotDirectory _snapshots;
    private readonly Lock _pendingLock = new();
    private Task _pending = Task.CompletedTask;
    private RestoreSession? _restore;

    /// <summary>State sync over the multistore of <paramref name="state"/>.</summary>
    public StateSync(MultiStoreState state, StateSyncOptions options, ILogger? logger = null)
        : this((state ?? throw new ArgumentNullException(nameof(state))).MultiStore, options, logger)
    {
    }

    /// <summary>State sync over <paramref name="store"/>; creates <see cref="StateSyncOptions.Directory"/> and deletes unfinished snapshots in it.</summary>
    public StateSync(MultiStore store, StateSyncOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Interval);
        ArgumentOutOfRangeException.ThrowIfNegative(options.KeepRecent);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ChunkSize, 1);
        _store = store;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _snapshots = new SnapshotDirectory(options.Directory);
    }

    private readonly CancellationTokenSource _stopping = new();

    public bool Restored { get; private set; }

    public SnapshotDirectory Snapshots => _snapshots;

    /// <summary>Completes when every snapshot started so far is written (faults with the last one's error).</summary>
    public Task PendingSnapshots
    {
        get
        {
            lock (_pendingLock)
            {
                return _pending;
            }
        }
    }

    public void Committed(long height)
    {
        if (_options.Interval == 0 || height < 1 || height % _options.Interval != 0)
        {
            return;
        }
        IDisposable hold;
        try
        {
            // Taken here, before the next commit can prune the version.
            hold = _store.HoldVersion(height);
        }
        catch (StoreException ex)
        {
            LogSnapshotFailed(_logger, height, ex);
            return;
        }
        lock (_pendingLock)
        {
            var previous = _pending;
            _pending = Task.Run(async () =>
            {
                using (hold)
                {
                    try
                    {
                        await previous.ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // the previous snapshot's failure was logged; this one still runs
                    catch (Exception)
#pragma warning restore CA1031
                    {
                    }
                    try
                    {
                        CreateSnapshot(height);
                    }
                    catch (Exception ex)
                    {
                        LogSnapshotFailed(_logger, height, ex);
                        throw;
                    }
                }
            });
        }
    }

    /// <summary>Writes the snapshot of committed <paramref name="height"/> now, on this thread, and prunes old ones.</summary>
    public Snapshot CreateSnapshot(long height)
    {
        using var export = _store.Export(height);
        var snapshot = _snapshots.Write(height, Until(export.Items(), _stopping.Token), _options.ChunkSize);
        _snapshots.Prune(_options.KeepRecent);
        LogSnapshotWritten(_logger, height, snapshot.Chunks);
        return snapshot;
    }

    /// <summary>
    /// Stops a snapshot in progress (its temporary directory is never listed and is removed at the
    /// next start) and waits until no snapshot reads the store, so the owner may close it.
    /// </summary>
    public void Dispose()
    {
        _stopping.Cancel();
        try
        {
            PendingSnapshots.GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // a snapshot's failure (the cancellation included) was logged; shutting down goes on
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        _stopping.Dispose();
    }

    // The export is read item by item; a stop request ends it between two items.
    private static IEnumerable<SnapshotItem> Until(IEnumerable<SnapshotItem> items, CancellationToken stop)
    {
        foreach (var item in items)
        {
            stop.ThrowIfCancellationRequested();
            yield return item;
        }
    }

    public ResponseListSnapshots ListSnapshots(RequestListSnapshots request)
    {
        var response = new ResponseListSnapshots();
        response.Snapshots.AddRange(_snapshots.List());
        return response;
    }

    public ResponseLoadSnapshotChunk LoadSnapshotChunk(RequestLoadSnapshotChunk request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var chunk = _snapshots.LoadChunk(request.Height, request.Format, request.Chunk);
        return new ResponseLoadSnapshotChunk { Chunk = chunk is null ? Google.Protobuf.ByteString.Empty : Google.Protobuf.ByteString.CopyFrom(chunk) };
    }

    /// <summary>
    /// Checks, in order: the store is empty (else ABORT); a snapshot is given, of format 1 (else
    /// REJECT_FORMAT), height >= 1; the trusted app hash has 32 bytes; the metadata parses, lists as many
    /// chunks as the snapshot says, and hashes to the snapshot hash (each failure REJECT). Then ACCEPT,
    /// replacing any restore in progress.
    /// </summary>
    public ResponseOfferSnapshot OfferSnapshot(RequestOfferSnapshot request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var verdict = CheckOffer(request, out var hashes, out var reason);
        if (verdict != ResponseOfferSnapshot.Types.Result.Accept)
        {
            LogOfferRefused(_logger, request.Snapshot?.Height ?? 0, verdict, reason);
            return new ResponseOfferSnapshot { Result = verdict };
        }
        AbandonRestore();
        var dir = Path.Combine(_snapshots.Root, RestoreDir);
        Directory.CreateDirectory(dir);
        _restore = new RestoreSession((long)request.Snapshot.Height, request.AppHash.ToByteArray(), hashes, dir);
        LogOfferAccepted(_logger, request.Snapshot.Height, request.Snapshot.Chunks);
        return new ResponseOfferSnapshot { Result = ResponseOfferSnapshot.Types.Result.Accept };
    }

    /// <summary>
    /// No restore in progress or an index out of range: ABORT. A chunk whose SHA-256 is not the
    /// metadata's: RETRY, refetching it and rejecting its sender. Else the chunk is kept (ACCEPT); after
    /// the last one the store is rebuilt and must commit to the trusted app hash, else REJECT_SNAPSHOT
    /// and the store is left empty.
    /// </summary>
    public ResponseApplySnapshotChunk ApplySnapshotChunk(RequestApplySnapshotChunk request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_restore is not { } restore)
        {
            LogChunkRefused(_logger, request.Index, "no restore in progress");
            return Result(ResponseApplySnapshotChunk.Types.Result.Abort);
        }
        if (request.Index >= (uint)restore.ChunkHashes.Length)
        {
            LogChunkRefused(_logger, request.Index, $"index out of range (the snapshot has {restore.ChunkHashes.Length} chunks)");
            return Result(ResponseApplySnapshotChunk.Types.Result.Abort);
        }
        var hash = SHA256.HashData(request.Chunk.Span);
        if (!CryptographicOperations.FixedTimeEquals(hash, restore.ChunkHashes[request.Index]))
        {
            LogChunkRefused(_logger, request.Index, $"SHA-256 {Convert.ToHexString(hash)} is not the metadata's; sender {request.Sender}");
            var retry = Result(ResponseApplySnapshotChunk.Types.Result.Retry);
            retry.RefetchChunks.Add(request.Index);
            if (!string.IsNullOrEmpty(request.Sender))
            {
                retry.RejectSenders.Add(request.Sender);
            }
            return retry;
        }
        restore.Store(request.Index, request.Chunk.Span);
        if (!restore.Complete)
        {
            return Result(ResponseApplySnapshotChunk.Types.Result.Accept);
        }
        return Finish(restore);
    }

    private ResponseApplySnapshotChunk Finish(RestoreSession restore)
    {
        try
        {
            using var input = restore.OpenStream();
            _store.Import(restore.Height, SnapshotItemCodec.Read(input), restore.AppHash);
        }
        catch (SnapshotImportException ex)
        {
            LogRestoreRejected(_logger, restore.Height, ex.Reason, ex.Message);
            AbandonRestore();
            return Result(ResponseApplySnapshotChunk.Types.Result.RejectSnapshot);
        }
        catch (IOException ex)
        {
            // The chunks kept on disk could not be read back: nothing is known about the snapshot itself.
            LogRestoreFailed(_logger, restore.Height, ex);
            AbandonRestore();
            return Result(ResponseApplySnapshotChunk.Types.Result.Abort);
        }
        AbandonRestore();
        Restored = true;
        LogRestored(_logger, restore.Height);
        return Result(ResponseApplySnapshotChunk.Types.Result.Accept);
    }

    private ResponseOfferSnapshot.Types.Result CheckOffer(RequestOfferSnapshot request, out byte[][] hashes, out string reason)
    {
        hashes = [];
        if (_store.LatestVersion != 0 || Restored)
        {
            reason = $"the store is not empty (version {_store.LatestVersion})";
            return ResponseOfferSnapshot.Types.Result.Abort;
        }
        if (request.Snapshot is not { } snapshot)
        {
            reason = "no snapshot";
            return ResponseOfferSnapshot.Types.Result.Reject;
        }
        if (snapshot.Format != SnapshotItemCodec.Format)
        {
            reason = $"format {snapshot.Format}, only {SnapshotItemCodec.Format} is known";
            return ResponseOfferSnapshot.Types.Result.RejectFormat;
        }
        if (snapshot.Height is < 1 or > long.MaxValue)
        {
            reason = $"height {snapshot.Height}";
            return ResponseOfferSnapshot.Types.Result.Reject;
        }
        if (request.AppHash.Length != SHA256.HashSizeInBytes)
        {
            reason = $"trusted app hash of {request.AppHash.Length} bytes";
            return ResponseOfferSnapshot.Types.Result.Reject;
        }
        if (!SnapshotMetadata.TryParse(snapshot.Metadata.Span, out hashes, out var error))
        {
            reason = error;
            return ResponseOfferSnapshot.Types.Result.Reject;
        }
        if (hashes.Length != snapshot.Chunks)
        {
            reason = $"the metadata lists {hashes.Length} chunks, the snapshot says {snapshot.Chunks}";
            return ResponseOfferSnapshot.Types.Result.Reject;
        }
        if (!SHA256.HashData(snapshot.Metadata.Span).AsSpan().SequenceEqual(snapshot.Hash.Span))
        {
            reason = "the snapshot hash is not SHA-256 of the metadata";
            return ResponseOfferSnapshot.Types.Result.Reject;
        }
        reason = "";
        return ResponseOfferSnapshot.Types.Result.Accept;
    }

    private void AbandonRestore()
    {
        _restore = null;
        var dir = Path.Combine(_snapshots.Root, RestoreDir);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static ResponseApplySnapshotChunk Result(ResponseApplySnapshotChunk.Types.Result result) => new() { Result = result };

    [LoggerMessage(Level = LogLevel.Information, Message = "state sync: snapshot of height {Height} written, {Chunks} chunks")]
    private static partial void LogSnapshotWritten(ILogger logger, long height, uint chunks);

    [LoggerMessage(Level = LogLevel.Error, Message = "state sync: snapshot of height {Height} failed")]
    private static partial void LogSnapshotFailed(ILogger logger, long height, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "state sync: offer of height {Height} refused ({Result}): {Reason}")]
    private static partial void LogOfferRefused(ILogger logger, ulong height, ResponseOfferSnapshot.Types.Result result, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "state sync: restoring the snapshot of height {Height}, {Chunks} chunks")]
    private static partial void LogOfferAccepted(ILogger logger, ulong height, uint chunks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "state sync: chunk {Index} refused: {Reason}")]
    private static partial void LogChunkRefused(ILogger logger, uint index, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "state sync: the snapshot of height {Height} was rejected ({Reason}): {Detail}")]
    private static partial void LogRestoreRejected(ILogger logger, long height, ImportError reason, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "state sync: restoring height {Height} failed")]
    private static partial void LogRestoreFailed(ILogger logger, long height, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "state sync: restored height {Height}")]
    private static partial void LogRestored(ILogger logger, long height);

    /// <summary>A restore in progress: the trusted facts and the chunks received so far (files named by index).</summary>
    private sealed class RestoreSession(long height, byte[] appHash, byte[][] chunkHashes, string dir)
    {
        private readonly bool[] _received = new bool[chunkHashes.Length];
        private int _count;

        public long Height => height;

        public byte[] AppHash => appHash;

        public byte[][] ChunkHashes => chunkHashes;

        public bool Complete => _count == _received.Length;

        public void Store(uint index, ReadOnlySpan<byte> chunk)
        {
            var path = ChunkPath(index);
            using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(chunk);
            }
            if (!_received[index])
            {
                _received[index] = true;
                _count++;
            }
        }

        public ConcatenatedFiles OpenStream() => new ConcatenatedFiles([.. Enumerable.Range(0, _received.Length).Select(i => ChunkPath((uint)i))]);

        private string ChunkPath(uint index) => Path.Combine(dir, index.ToString(CultureInfo.InvariantCulture));
    }
}
