using Citrine.Chain.Abci.Snapshots;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.App;
using Citrine.Store.Multistore;
using Citrine.Store.Storage;
using Google.Protobuf;

namespace Citrine.Chain.Tests.Abci.Snapshots;

/// <summary>A temp directory for snapshots, and helpers to fill a store and move a snapshot between two StateSyncs.</summary>
internal sealed class SnapshotFixture : IDisposable
{
    public SnapshotFixture() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "citrine-statesync-" + Guid.NewGuid().ToString("N"));

    public string Dir(string name) => Path.Combine(Root, name);

    public static byte[] B(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    public static MultiStore NewStore(long keepRecent = 0) =>
        new(new MemoryKeyValueDb(), ChainApp.StoreNames, new MultiStoreOptions { KeepRecent = keepRecent });

    /// <summary>Commits <paramref name="versions"/> versions of writes and removes across the five chain stores.</summary>
    public static void Fill(MultiStore store, int versions, int keysPerVersion = 40)
    {
        for (var v = 0; v < versions; v++)
        {
            var version = store.LatestVersion + 1;
            var i = 0;
            foreach (var name in ChainApp.StoreNames)
            {
                for (var k = 0; k < keysPerVersion; k++, i++)
                {
                    store.Store(name).Set(B($"{name}/{(version * 7 + k) % 97:D3}"), B($"{name}-{version}-{k}-{new string('v', k % 13)}"));
                }
                store.Store(name).Remove(B($"{name}/{version % 97:D3}"));
            }
            store.Commit();
        }
    }

    public static RequestOfferSnapshot Offer(Snapshot snapshot, byte[] appHash) =>
        new() { Snapshot = snapshot, AppHash = ByteString.CopyFrom(appHash) };

    /// <summary>Every chunk of <paramref name="snapshot"/> from <paramref name="source"/> applied to <paramref name="target"/>; the results.</summary>
    public static List<ResponseApplySnapshotChunk> ApplyAll(StateSync source, StateSync target, Snapshot snapshot, string sender = "peer-1")
    {
        var results = new List<ResponseApplySnapshotChunk>();
        for (uint i = 0; i < snapshot.Chunks; i++)
        {
            var chunk = source.LoadSnapshotChunk(new RequestLoadSnapshotChunk { Height = snapshot.Height, Format = snapshot.Format, Chunk = i }).Chunk;
            results.Add(target.ApplySnapshotChunk(new RequestApplySnapshotChunk { Index = i, Chunk = chunk, Sender = sender }));
        }
        return results;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
