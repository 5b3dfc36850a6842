using System.Text.Json;
using System.Text.Json.Serialization;

namespace Citrine.Host.Handshake;

/// <summary>A signed tx the driver sent (or was about to send) for a step, kept until its outcome is known.</summary>
public sealed record PendingTx(string Step, string Hash, string Tx);

/// <summary>
/// The driver's own small state: what it deployed (code, config bytes, contract) and the tx it is
/// waiting for. Everything else is re-read from the enclave and the chain before each step.
/// </summary>
public sealed record HandshakeState
{
    public int Version { get; init; } = 1;

    public required string Code { get; init; }

    /// <summary>The config bytes, base64, exactly as attested and sent.</summary>
    public required string Config { get; init; }

    /// <summary>The contract address (hex) once the instantiate tx committed.</summary>
    public string? Contract { get; init; }

    public long InstantiateHeight { get; init; }

    public PendingTx? Pending { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(HandshakeState))]
internal sealed partial class HandshakeJsonContext : JsonSerializerContext;

/// <summary>
/// <c>&lt;data dir&gt;/handshake.json</c>, written atomically (temporary file, flushed to disk, renamed),
/// so a kill at any point leaves the previous or the new state, never a torn one.
/// </summary>
public sealed class HandshakeStateFile(string directory)
{
    public const string FileName = "handshake.json";

    public string Path { get; } = System.IO.Path.Combine(directory ?? throw new ArgumentNullException(nameof(directory)), FileName);

    /// <exception cref="HandshakeException">the file exists but is not a state this version reads.</exception>
    public HandshakeState? Load()
    {
        if (!File.Exists(Path))
        {
            return null;
        }
        try
        {
            var state = JsonSerializer.Deserialize(File.ReadAllBytes(Path), HandshakeJsonContext.Default.HandshakeState);
            if (state is null || state.Version != 1)
            {
                throw new HandshakeException(HandshakeError.StateUnreadable, $"{Path}: not a version 1 handshake state");
            }
            return state;
        }
        catch (JsonException e)
        {
            throw new HandshakeException(HandshakeError.StateUnreadable, $"{Path}: {e.Message}", inner: e);
        }
    }

    public void Save(HandshakeState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, state, HandshakeJsonContext.Default.HandshakeState);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path, overwrite: true);
    }
}
