using System.Runtime.InteropServices;

namespace Citrine.Chain.Devnet;

/// <summary>
/// Makes a rename durable: after <c>rename(2)</c> the new directory entry is only on disk once the
/// directory itself is synced (POSIX fsync on a directory descriptor; Linux <c>fsync(2)</c>,
/// "Calling fsync() does not necessarily ensure that the entry in the directory containing the
/// file has also reached disk. For that an explicit fsync() on a file descriptor for the directory
/// is also needed."). A SIGKILL cannot lose the entry; a power cut can, without this.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0;

    /// <summary>Syncs <paramref name="directory"/> on Linux; elsewhere a no-op (Windows has no directory fsync; macOS needs F_FULLFSYNC).</summary>
    public static void Sync(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // Classic DllImport: the LibraryImport generator needs unsafe code enabled for the whole
    // project, for three calls that take only ints and a UTF-8 path.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
