using Citrine.Chain.Blocks;

namespace Citrine.Fuzz;

/// <summary>
/// The devnet block store's file parsers: a damaged <c>blocks/H.json</c> or <c>results/H.json</c>
/// (disk corruption, a hand edit) must be reported as <see cref="BlockStoreException"/>, never crash the node.
/// </summary>
internal static class BlockStoreTargets
{
    [FuzzTarget("chain-block-file", typeof(BlockStoreException))]
    public static void FuzzBlockFile(ReadOnlySpan<byte> data) => _ = BlockStore.ParseBlock(data.ToArray(), 1);

    [FuzzTarget("chain-results-file", typeof(BlockStoreException))]
    public static void FuzzResultsFile(ReadOnlySpan<byte> data) => _ = BlockStore.ParseResults(data.ToArray(), 1);
}
