namespace Citrine.Attestation.Attestors;

/// <summary>
/// The file operations the configfs-tsm attestor needs, so tests can substitute a fake that
/// behaves like the kernel (writing inblob produces outblob and bumps generation).
/// </summary>
public interface ITsmFileSystem
{
    bool DirectoryExists(string path);

    /// <summary>mkdir: on configfs this creates a report entry with its attribute files.</summary>
    void CreateDirectory(string path);

    /// <summary>rmdir (not recursive: configfs attribute files cannot be unlinked).</summary>
    void DeleteDirectory(string path);

    void WriteAllBytes(string path, ReadOnlySpan<byte> bytes);

    byte[] ReadAllBytes(string path);
}

/// <summary>The real file system (for <c>/sys/kernel/config/tsm/report</c>).</summary>
public sealed class PhysicalTsmFileSystem : ITsmFileSystem
{
    public static PhysicalTsmFileSystem Instance { get; } = new();

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public void CreateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"{path} already exists");
        }
        Directory.CreateDirectory(path);
    }

    public void DeleteDirectory(string path) => Directory.Delete(path, recursive: false);

    public void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        // One write call: configfs binary attributes take the buffer as written.
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, 1);
        stream.Write(bytes);
    }

    public byte[] ReadAllBytes(string path) => File.ReadAllBytes(path);
}
