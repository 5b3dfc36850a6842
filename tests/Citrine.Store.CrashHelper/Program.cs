using Citrine.Crypto.Encoding;
using Citrine.Store.CrashHelper;
using Citrine.Store.Multistore;

// Usage: Citrine.Store.CrashHelper <db-path> [max-versions]
// Commits deterministic versions in a loop on RocksDB and prints "committed <version> <app hash>"
// after each durable commit, until killed (or until max-versions is reached).
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Citrine.Store.CrashHelper <db-path> [max-versions]");
    return 2;
}
var max = args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : long.MaxValue;
using var store = MultiStore.OpenRocks(args[0], CrashWorkload.StoreNames, new MultiStoreOptions { KeepRecent = CrashWorkload.KeepRecent });
Console.Out.WriteLine($"opened {store.LatestVersion}");
Console.Out.Flush();
while (store.LatestVersion < max)
{
    var version = store.LatestVersion + 1;
    CrashWorkload.Apply(store, version);
    var appHash = store.Commit();
    Console.Out.WriteLine($"committed {version} {Hex.Encode(appHash)}");
    Console.Out.Flush();
}
return 0;
