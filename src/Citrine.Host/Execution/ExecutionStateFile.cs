using System.Text.Json;
using System.Text.Json.Serialization;

namespace Citrine.Host.Execution;

/// <summary>
/// The output tx the relay signed for the batch <c>[FirstSeq, EndSeq)</c> and has not yet seen the
/// outcome of, with each request's queued height (for the latency report after a restart).
/// </summary>
public sealed record PendingOutput
{
    public required ulong FirstSeq { get; init; }

    public required ulong EndSeq { get; init; }

    /// <summary>The height the inputs were read at (the output's verified height is this + 1).</summary>
    public required long QueryHeight { get; init; }

    public required string Hash { get; init; }

    /// <summary>The signed tx bytes, base64.</summary>
    public required string Tx { get; init; }

    public long[] QueuedHeights { get; init; } = [];
}

/// <summary>The relay's only state: the one output it may have in flight. Everything else is read from the chain.</summary>
public sealed record RelayState
{
    public int Version { get; init; } = 1;

    /// <summary>The contract (hex) this data dir relays for.</summary>
    public required string Contract { get; init; }

    public PendingOutput? Pending { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(RelayState))]
internal sealed partial class RelayJsonContext : JsonSerializerContext;

/// <summary><c>&lt;data dir&gt;/execution.json</c>, written atomically (temporary file, flushed, renamed) so a kill leaves the old or the new state.</summary>
public sealed class ExecutionStateFile(string directory)
{
    public const string FileName = "execution.json";

    public string Path { get; } = System.IO.Path.Combine(directory ?? throw new ArgumentNullException(nameof(directory)), FileName);

    /// <exception cref="RelayException">the file exists but is not a state this version reads.</exception>
    public RelayState? Load()
    {
        if (!File.Exists(Path))
        {
            return null;
        }
        try
        {
            var state = JsonSerializer.Deserialize(File.ReadAllBytes(Path), RelayJsonContext.Default.RelayState);
            return state is { Version: 1 } ? state : throw new RelayException(RelayError.StateUnreadable, $"{Path}: not a version 1 relay state");
        }
        catch (JsonException e)
        {
            throw new RelayException(RelayError.StateUnreadable, $"{Path}: {e.Message}", inner: e);
        }
    }

    public void Save(RelayState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, state, RelayJsonContext.Default.RelayState);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path, overwrite: true);
    }
}
