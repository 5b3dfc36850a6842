using Citrine.Store.Multistore;
using Citrine.Store.Snapshots;
using Citrine.Store.Storage;
using static Citrine.Store.Tests.TestTrees;

namespace Citrine.Store.Tests.Snapshots;

/// <summary>Seeded random multistore histories (sets, updates, removes; one store never written).</summary>
internal static class SnapshotHistories
{
    public static readonly string[] Names = ["acc", "bank", "empty", "ibc", "wasm"];

    public static MultiStore Build(IKeyValueDb db, ulong seed, int versions, MultiStoreOptions? options = null, string[]? names = null)
    {
        var store = new MultiStore(db, names ?? Names, options);
        var rng = new SplitMix(seed);
        for (var v = 0; v < versions; v++)
        {
            Apply(store, rng, 1 + (int)rng.Next(40));
            store.Commit();
        }
        return store;
    }

    /// <summary>The same random changes on every given store (so a source and its restored copy can be compared).</summary>
    public static void ApplyToAll(ulong seed, int count, params MultiStore[] stores)
    {
        foreach (var store in stores)
        {
            Apply(store, new SplitMix(seed), count);
        }
    }

    public static void Apply(MultiStore store, SplitMix rng, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var name = store.StoreNames.Where(n => n != "empty").ElementAt((int)rng.Next((ulong)store.StoreNames.Count(n => n != "empty")));
            var key = B($"{name}/k{rng.Next(150):D3}");
            if (rng.Next(10) < 7)
            {
                store.Store(name).Set(key, B($"v{rng.Next(1000)}-{new string('x', (int)rng.Next(60))}"));
            }
            else
            {
                store.Store(name).Remove(key);
            }
        }
    }

    public static List<SnapshotItem> ExportItems(MultiStore store, long version)
    {
        using var export = store.Export(version);
        return [.. export.Items()];
    }

    /// <summary>A tiny deterministic generator (SplitMix64), so histories are reproducible from the seed.</summary>
    internal sealed class SplitMix(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next(ulong bound)
        {
            _state += 0x9E3779B97F4A7C15;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return (z ^ (z >> 31)) % bound;
        }
    }
}
