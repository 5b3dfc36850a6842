using Citrine.CometBft.Json;
using Citrine.CometBft.Types;

namespace Citrine.CometBft.LightClient;

/// <summary>Verified light blocks by height.</summary>
public interface ILightStore
{
    void Save(LightBlock block);

    LightBlock? TryGet(long height);

    /// <summary>The highest stored block, or null when empty.</summary>
    LightBlock? Latest();

    IReadOnlyList<long> Heights();

    void Delete(long height);
}

/// <summary>An in-memory <see cref="ILightStore"/>.</summary>
public sealed class InMemoryLightStore : ILightStore
{
    private readonly SortedDictionary<long, LightBlock> _blocks = [];
    private readonly Lock _lock = new();

    public void Save(LightBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        lock (_lock)
        {
            _blocks[block.Height] = block;
        }
    }

    public LightBlock? TryGet(long height)
    {
        lock (_lock)
        {
            return _blocks.GetValueOrDefault(height);
        }
    }

    public LightBlock? Latest()
    {
        lock (_lock)
        {
            return _blocks.Count == 0 ? null : _blocks.Last().Value;
        }
    }

    public IReadOnlyList<long> Heights()
    {
        lock (_lock)
        {
            return [.. _blocks.Keys];
        }
    }

    public void Delete(long height)
    {
        lock (_lock)
        {
            _blocks.Remove(height);
        }
    }
}

/// <summary>A stored light block could not be read back.</summary>
public sealed class LightStoreException : Exception
{
    public LightStoreException()
    {
    }

    public LightStoreException(string message)
        : base(message)
    {
    }

    public LightStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LightStoreException(string message, Verdict verdict)
        : base(message) => Verdict = verdict;

    /// <summary>Why a stored block failed re-verification, when that is what went wrong.</summary>
    public Verdict? Verdict { get; }
}

/// <summary>
/// A crash-safe file store: one JSON file per height, written to a temporary file, flushed to
/// disk (fsync), then renamed over the final name, so a reader sees either the old or the new
/// complete file and never a partial one. Leftover temporary files of an interrupted write are
/// ignored and removed. Every block read back is re-verified for its chain
/// (<see cref="Verifier.VerifyStored"/>): the files sit on a disk the host controls, so a block is
/// trusted again only if it is still self-consistent and signed by more than 2/3 of its validators.
/// </summary>
public sealed class FileLightStore : ILightStore
{
    private const string Prefix = "lightblock-";
    private const string Suffix = ".json";
    private readonly string _directory;
    private readonly string _chainId;
    private readonly Lock _lock = new();

    public FileLightStore(string directory, string chainId)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(chainId);
        _directory = directory;
        _chainId = chainId;
        Directory.CreateDirectory(directory);
        foreach (var leftover in Directory.GetFiles(directory, "*.tmp"))
        {
            File.Delete(leftover);
        }
    }

    public void Save(LightBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var bytes = CometJson.ToUtf8(w => CometJson.WriteLightBlock(w, block));
        var path = PathOf(block.Height);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        lock (_lock)
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
    }

    public LightBlock? TryGet(long height)
    {
        var path = PathOf(height);
        byte[] bytes;
        lock (_lock)
        {
            if (!File.Exists(path))
            {
                return null;
            }
            bytes = File.ReadAllBytes(path);
        }
        LightBlock block;
        try
        {
            block = CometJson.ParseLightBlock(bytes);
        }
        catch (CometJsonException e)
        {
            throw new LightStoreException($"{path}: stored light block is corrupt: {e.Message}", e);
        }
        if (block.Height != height)
        {
            throw new LightStoreException($"{path}: holds height {block.Height}, expected {height}");
        }
        var verdict = Verifier.VerifyStored(block, _chainId);
        if (!verdict.IsSuccess)
        {
            throw new LightStoreException($"{path}: stored light block fails re-verification: {verdict}", verdict);
        }
        return block;
    }

    public LightBlock? Latest()
    {
        var heights = Heights();
        return heights.Count == 0 ? null : TryGet(heights[^1]);
    }

    public IReadOnlyList<long> Heights()
    {
        lock (_lock)
        {
            var heights = new List<long>();
            foreach (var file in Directory.GetFiles(_directory, Prefix + "*" + Suffix))
            {
                var name = Path.GetFileName(file);
                if (long.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length),
                        System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var h))
                {
                    heights.Add(h);
                }
            }
            heights.Sort();
            return heights;
        }
    }

    public void Delete(long height)
    {
        lock (_lock)
        {
            File.Delete(PathOf(height));
        }
    }

    private string PathOf(long height) =>
        Path.Combine(_directory, Prefix + height.ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + Suffix);
}
