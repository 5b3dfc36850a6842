using System.Text;
using Citrine.Store.Multistore;

namespace Citrine.Store.CrashHelper;

/// <summary>
/// The deterministic writes of each version, shared by the helper (which commits them on RocksDB
/// and gets killed) and the test (which replays versions 1..N in memory to get the expected app hash).
/// </summary>
public static class CrashWorkload
{
    public static readonly string[] StoreNames = ["alpha", "beta", "gamma"];

    public const long KeepRecent = 4;

    /// <summary>Applies version <paramref name="version"/>'s writes to the working stores.</summary>
    public static void Apply(MultiStore store, long version)
    {
        ArgumentNullException.ThrowIfNull(store);
        var state = (ulong)version * 0x9E3779B97F4A7C15UL;
        var writes = 20 + (int)(Next(ref state) % 60);
        for (var i = 0; i < writes; i++)
        {
            var r = Next(ref state);
            var name = StoreNames[r % (ulong)StoreNames.Length];
            var key = Encoding.ASCII.GetBytes($"key-{(r >> 8) % 500:D4}");
            if ((r >> 20) % 5 == 0)
            {
                store.Store(name).Remove(key);
            }
            else
            {
                var value = Encoding.ASCII.GetBytes($"v{version}-{i}-{new string('x', (int)((r >> 32) % 200))}");
                store.Store(name).Set(key, value);
            }
        }
    }

    // SplitMix64: a fixed, portable sequence (System.Random's sequence is not guaranteed across versions).
    private static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
