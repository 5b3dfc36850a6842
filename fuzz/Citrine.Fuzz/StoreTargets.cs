using System.Reflection;
using Citrine.Store;
using Citrine.Store.Iavl;
using Citrine.Store.Multistore;

namespace Citrine.Fuzz;

/// <summary>
/// The store's record decoders, which read bytes back from RocksDB (a corrupted or tampered
/// database): bad input may only raise <see cref="StoreException"/>. The decoders are internal to
/// Citrine.Store, so they are bound once by name; a rename fails loudly at start-up.
/// </summary>
internal static class StoreTargets
{
    private delegate object NodeDecode(NodeKey id, ReadOnlySpan<byte> data);

    private delegate CommitInfo CommitInfoDecode(long version, ReadOnlySpan<byte> data);

    private static readonly NodeDecode DecodeNode = Bind<NodeDecode>("Citrine.Store.Iavl.NodeCodec", "Decode");
    private static readonly MethodInfo EncodeNode = typeof(StoreException).Assembly.GetType("Citrine.Store.Iavl.NodeCodec", throwOnError: true)!
        .GetMethod("Encode", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic) ?? throw new MissingMethodException("NodeCodec", "Encode");
    private static readonly CommitInfoDecode DecodeCommitInfo = Bind<CommitInfoDecode>("Citrine.Store.Multistore.CommitInfo", "Decode");
    private static readonly Func<CommitInfo, byte[]> EncodeCommitInfo = Bind<Func<CommitInfo, byte[]>>("Citrine.Store.Multistore.CommitInfo", "Encode");

    [FuzzTarget("store-iavl-node", typeof(StoreException))]
    public static void FuzzIavlNode(ReadOnlySpan<byte> data)
    {
        var node = DecodeNode(new NodeKey(7, 3), data);
        // A node that decodes must encode again (the store rewrites nodes it loaded).
        _ = EncodeNode.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, [node], culture: null);
    }

    [FuzzTarget("store-commit-info", typeof(StoreException))]
    public static void FuzzCommitInfo(ReadOnlySpan<byte> data)
    {
        var info = DecodeCommitInfo(5, data);
        _ = EncodeCommitInfo(info);
        foreach (var store in info.Stores)
        {
            _ = info.ProofFor(store.Name);
        }
    }

    private static T Bind<T>(string typeName, string method)
        where T : Delegate
    {
        var type = typeof(StoreException).Assembly.GetType(typeName, throwOnError: true)!;
        var candidates = type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(m => m.Name == method);
        foreach (var candidate in candidates)
        {
            if (Delegate.CreateDelegate(typeof(T), candidate, throwOnBindFailure: false) is T bound)
            {
                return bound;
            }
        }
        throw new MissingMethodException(typeName, method);
    }
}
