namespace Citrine.Chain.Abci.Snapshots;

/// <summary>Options of <see cref="StateSync"/> (docs/abci.md, "State sync").</summary>
public sealed record StateSyncOptions
{
    public const int DefaultChunkSize = 4 * 1024 * 1024;

    /// <summary>Where snapshots live: <c>Directory/&lt;height&gt;/&lt;format&gt;/</c>.</summary>
    public required string Directory { get; init; }

    /// <summary>A snapshot every <c>Interval</c> heights; 0 = never.</summary>
    public long Interval { get; init; }

    /// <summary>How many of the newest snapshots to keep; 0 keeps all.</summary>
    public int KeepRecent { get; init; } = 2;

    /// <summary>The largest chunk, in bytes.</summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;
}
