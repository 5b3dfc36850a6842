using Citrine.Chain.Devnet;

namespace Citrine.Chain.Tests.Genesis;

public sealed class DirectorySyncTests
{
    [Fact]
    public void Atomic_write_replaces_the_file_and_leaves_no_temporary()
    {
        var dir = Directory.CreateTempSubdirectory("citrine-dirsync-");
        try
        {
            var path = Path.Combine(dir.FullName, "f.json");
            DevnetHome.WriteAtomically(path, "old"u8);
            DevnetHome.WriteAtomically(path, "new"u8);
            Assert.Equal("new", File.ReadAllText(path));
            Assert.Equal(["f.json"], dir.GetFiles().Select(f => f.Name));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public void Syncing_a_missing_directory_is_an_io_error_naming_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "directory fsync is Linux-only; elsewhere Sync is a no-op");
        var missing = Path.Combine(Path.GetTempPath(), "citrine-no-such-dir-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<IOException>(() => DirectorySync.Sync(missing));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }
}
