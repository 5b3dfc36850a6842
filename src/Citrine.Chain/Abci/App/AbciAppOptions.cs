namespace Citrine.Chain.Abci.App;

/// <summary>Settings of <see cref="CitrineAbciApp"/> (the node's config, not consensus: nodes may differ).</summary>
public sealed record AbciAppOptions
{
    /// <summary>
    /// Blocks CometBFT must keep (Cosmos <c>min-retain-blocks</c>): Commit at height h answers
    /// <c>retain_height</c> = h - MinRetainBlocks + 1 once that is positive. 0 = retain everything (retain_height 0).
    /// </summary>
    public long MinRetainBlocks { get; init; }

    /// <summary>State versions kept before the latest (Cosmos <c>keep-recent</c>); 0 keeps all versions.</summary>
    public long KeepRecent { get; init; }

    /// <summary>The application's version string (Info.version).</summary>
    public string Version { get; init; } = "0.1.0";
}
