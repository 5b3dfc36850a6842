using System.Globalization;
using System.Security.Cryptography;
using Citrine.Chain.Abci.Wire;
using Citrine.Store.Snapshots;
using Google.Protobuf;

namespace Citrine.Chain.Abci.Snapshots;

/// <summary>
/// The snapshots on disk: <c>root/&lt;height&gt;/&lt;format&gt;/metadata</c> and one file per chunk,
/// named by its index. A snapshot is written under <c>root/.tmp-&lt;height&gt;-&lt;format&gt;</c>, every
/// file flushed to disk, then renamed into place, so a listed snapshot is always complete; leftovers
/// of a crash are deleted when the directory is opened.
/// </summary>
public sealed class SnapshotDirectory
{
    private const string MetadataFile = "metadata";
    private const string TempPrefix = ".tmp-";

    public SnapshotDirectory(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        foreach (var dir in Directory.EnumerateDirectories(Root, TempPrefix + "*"))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public string Root { get; }

    /// <summary>Writes <paramref name="items"/> as a format-1 snapshot of <paramref name="height"/>; returns its description.</summary>
    public Snapshot Write(long height, IEnumerable<SnapshotItem> items, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var final = SnapshotPath(height, SnapshotItemCodec.Format);
        var temp = Path.Combine(Root, $"{TempPrefix}{height}-{SnapshotItemCodec.Format}");
        if (Directory.Exists(temp))
        {
            Directory.Delete(temp, recursive: true);
        }
        Directory.CreateDirectory(temp);
        try
        {
            var chunks = new ChunkingStream(chunkSize, (index, data) => WriteFile(Path.Combine(temp, index.ToString(CultureInfo.InvariantCulture)), data.Span));
            using (var buffered = new BufferedStream(chunks, 64 * 1024))
            {
                SnapshotItemCodec.Write(items, buffered);
            }
            chunks.Complete();
            var metadata = SnapshotMetadata.Encode(chunks.ChunkHashes);
            WriteFile(Path.Combine(temp, MetadataFile), metadata);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            if (Directory.Exists(final))
            {
                // Same height and format written before (e.g. after a restart): the state at a height is fixed.
                Directory.Delete(final, recursive: true);
            }
            Directory.Move(temp, final);
            return Describe(height, SnapshotItemCodec.Format, metadata);
        }
        catch
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
            throw;
        }
    }

    /// <summary>The complete snapshots, newest first.</summary>
    public List<Snapshot> List()
    {
        var result = new List<Snapshot>();
        foreach (var heightDir in Directory.GetDirectories(Root))
        {
            if (!long.TryParse(Path.GetFileName(heightDir), NumberStyles.None, CultureInfo.InvariantCulture, out var height) || height < 1)
            {
                continue;
            }
            string[] formatDirs;
            try
            {
                formatDirs = Directory.GetDirectories(heightDir);
            }
            catch (IOException)
            {
                // Pruned by the background task while listing.
                continue;
            }
            foreach (var formatDir in formatDirs)
            {
                if (!uint.TryParse(Path.GetFileName(formatDir), NumberStyles.None, CultureInfo.InvariantCulture, out var format))
                {
                    continue;
                }
                byte[] metadata;
                try
                {
                    metadata = File.ReadAllBytes(Path.Combine(formatDir, MetadataFile));
                }
                catch (IOException)
                {
                    continue;
                }
                if (SnapshotMetadata.TryParse(metadata, out _, out _))
                {
                    result.Add(Describe(height, format, metadata));
                }
            }
        }
        return [.. result.OrderByDescending(s => s.Height).ThenByDescending(s => s.Format)];
    }

    /// <summary>The bytes of a chunk, or null when this snapshot or chunk is not held.</summary>
    public byte[]? LoadChunk(ulong height, uint format, uint index)
    {
        if (height is < 1 or > long.MaxValue)
        {
            return null;
        }
        var path = Path.Combine(SnapshotPath((long)height, format), index.ToString(CultureInfo.InvariantCulture));
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> snapshots (0 keeps all).</summary>
    public void Prune(int keep)
    {
        if (keep <= 0)
        {
            return;
        }
        foreach (var old in List().Skip(keep))
        {
            var dir = SnapshotPath((long)old.Height, old.Format);
            Directory.Delete(dir, recursive: true);
            var heightDir = Path.GetDirectoryName(dir)!;
            if (!Directory.EnumerateFileSystemEntries(heightDir).Any())
            {
                Directory.Delete(heightDir);
            }
        }
    }

    private string SnapshotPath(long height, uint format) =>
        Path.Combine(Root, height.ToString(CultureInfo.InvariantCulture), format.ToString(CultureInfo.InvariantCulture));

    private static Snapshot Describe(long height, uint format, byte[] metadata)
    {
        if (!SnapshotMetadata.TryParse(metadata, out var hashes, out var error))
        {
            throw new InvalidDataException(error);
        }
        return new Snapshot
        {
            Height = (ulong)height,
            Format = format,
            Chunks = (uint)hashes.Length,
            Hash = ByteString.CopyFrom(SHA256.HashData(metadata)),
            Metadata = ByteString.CopyFrom(metadata),
        };
    }

    private static void WriteFile(string path, ReadOnlySpan<byte> data)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        file.Write(data);
        file.Flush(flushToDisk: true);
    }
}
