using System.Globalization;
using System.Text;

namespace Citrine.Attestation.Attestors;

/// <summary>
/// TDX (or other confidential VM) attestation through the Linux configfs-tsm report interface
/// (kernel Documentation/ABI/testing/configfs-tsm): mkdir an entry under
/// <c>/sys/kernel/config/tsm/report</c>, check <c>provider</c>, write the 64-byte report data to
/// <c>inblob</c>, read the quote from <c>outblob</c>, and use <c>generation</c> (incremented on
/// every write to inblob or an option) to detect another writer on the same entry; rmdir after.
/// </summary>
public sealed class ConfigFsTsmAttestor : IAttestor
{
    public const string DefaultReportRoot = "/sys/kernel/config/tsm/report";

    /// <summary>TSM_REPORT_OUTBLOB_MAX in include/linux/tsm.h (32 KiB).</summary>
    public const int MaxOutblobSize = 32 * 1024;

    private static long s_entryCounter;

    private readonly string _root;
    private readonly string _provider;
    private readonly ITsmFileSystem _fs;

    /// <param name="reportRoot">The configfs-tsm report directory (tests point it at a fake).</param>
    /// <param name="expectedProvider">The provider that must answer: "tdx_guest" for Intel TDX.</param>
    /// <param name="fileSystem">File operations; the real file system by default.</param>
    public ConfigFsTsmAttestor(string reportRoot = DefaultReportRoot, string expectedProvider = "tdx_guest", ITsmFileSystem? fileSystem = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(reportRoot);
        ArgumentException.ThrowIfNullOrEmpty(expectedProvider);
        _root = reportRoot;
        _provider = expectedProvider;
        _fs = fileSystem ?? PhysicalTsmFileSystem.Instance;
    }

    /// <summary>Only TDX quotes are checked and verified by this library.</summary>
    public TeeKind Kind => TeeKind.Tdx;

    public Task<AttestationEvidence> AttestAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var data = QuoteChecks.RequireReportData(reportData);
        if (!_fs.DirectoryExists(_root))
        {
            throw new AttestorException(AttestorError.DeviceMissing, $"{_root} does not exist: configfs not mounted or no TSM provider loaded");
        }
        // A fresh entry per attestation: its name is ours alone (process id + counter).
        var entry = Path.Combine(_root, string.Create(CultureInfo.InvariantCulture, $"citrine-{Environment.ProcessId}-{Interlocked.Increment(ref s_entryCounter)}"));
        Io(entry, () => _fs.CreateDirectory(entry));
        try
        {
            var provider = ReadText(entry, "provider");
            if (provider != _provider)
            {
                throw new AttestorException(AttestorError.ProviderMismatch, $"provider is '{provider}', expected '{_provider}'");
            }
            var before = ReadGeneration(entry);
            Io(entry, () => _fs.WriteAllBytes(Path.Combine(entry, "inblob"), data));
            var written = ReadGeneration(entry);
            cancellationToken.ThrowIfCancellationRequested();
            var outblob = Io(entry, () => _fs.ReadAllBytes(Path.Combine(entry, "outblob")));
            var after = ReadGeneration(entry);
            // Our single write moves generation by exactly one; anything else means another writer
            // changed inblob or an option around our read, so outblob may not be for our data.
            if (written != before + 1 || after != written)
            {
                throw new AttestorException(AttestorError.ConcurrentUse, $"generation went {before} -> {written} -> {after} around one write: the entry is in concurrent use");
            }
            if (outblob.Length > MaxOutblobSize)
            {
                throw new AttestorException(AttestorError.QuoteMalformed, $"outblob is {outblob.Length} bytes, above the kernel's {MaxOutblobSize}");
            }
            return Task.FromResult(new AttestationEvidence
            {
                Kind = TeeKind.Tdx,
                Quote = QuoteChecks.Check(outblob, TeeKind.Tdx, data, "configfs-tsm outblob"),
                ReportData = data,
                Source = "configfs-tsm/" + provider,
            });
        }
        finally
        {
            try
            {
                _fs.DeleteDirectory(entry);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a leftover entry holds no secret (report data is public) and the
                // original failure, if any, is the one the caller needs to see.
            }
        }
    }

    private string ReadText(string entry, string name) =>
        Encoding.ASCII.GetString(Io(entry, () => _fs.ReadAllBytes(Path.Combine(entry, name)))).TrimEnd('\n', '\0', ' ');

    private ulong ReadGeneration(string entry)
    {
        var text = ReadText(entry, "generation");
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new AttestorException(AttestorError.DeviceIo, $"generation '{text}' is not a decimal number");
    }

    private static void Io(string entry, Action action) => Io(entry, () =>
    {
        action();
        return 0;
    });

    private static T Io<T>(string entry, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (FileNotFoundException e)
        {
            throw new AttestorException(AttestorError.DeviceMissing, $"{entry}: {e.Message}", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new AttestorException(AttestorError.DeviceMissing, $"{entry}: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new AttestorException(AttestorError.DeviceIo, $"{entry}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new AttestorException(AttestorError.DeviceIo, $"{entry}: {e.Message}", e);
        }
    }
}
