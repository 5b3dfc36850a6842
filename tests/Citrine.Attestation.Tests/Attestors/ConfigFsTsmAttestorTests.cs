using System.Globalization;
using System.Text;
using Citrine.Attestation.Attestors;
using Citrine.Attestation.Testing;
using Citrine.Attestation.Tests.Testing;

namespace Citrine.Attestation.Tests.Attestors;

/// <summary>
/// An in-memory stand-in for configfs-tsm that follows the kernel ABI: mkdir creates an entry
/// with provider/generation/inblob/outblob; writing inblob bumps generation and makes outblob
/// the producer's quote for that inblob; rmdir removes the entry.
/// </summary>
internal sealed class FakeTsm : ITsmFileSystem
{
    public const string Root = "/fake/sys/kernel/config/tsm/report";

    private readonly Dictionary<string, Entry> _entries = [];

    public bool RootExists { get; set; } = true;

    public string Provider { get; set; } = "tdx_guest";

    public Func<byte[], byte[]> Producer { get; set; } = inblob => TdxQuote(inblob);

    /// <summary>Runs when outblob is read: a second writer can be simulated here.</summary>
    public Action<Entry>? OnOutblobRead { get; set; }

    /// <summary>Runs after our inblob write: a racing writer can be simulated here.</summary>
    public Action<Entry>? OnInblobWritten { get; set; }

    public List<string> Created { get; } = [];

    public List<string> Deleted { get; } = [];

    public int Live => _entries.Count;

    public static byte[] TdxQuote(byte[] reportData) =>
        SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest { Now = SimulatedPki.Now, Tee = SimulatedTee.Tdx, QuoteVersion = 4, ReportData = reportData }).Quote;

    public bool DirectoryExists(string path) => path == Root ? RootExists : _entries.ContainsKey(path);

    public void CreateDirectory(string path)
    {
        if (Path.GetDirectoryName(path) != Root || !RootExists)
        {
            throw new DirectoryNotFoundException(path);
        }
        if (!_entries.TryAdd(path, new Entry()))
        {
            throw new IOException("EEXIST");
        }
        Created.Add(path);
    }

    public void DeleteDirectory(string path)
    {
        if (!_entries.Remove(path))
        {
            throw new DirectoryNotFoundException(path);
        }
        Deleted.Add(path);
    }

    public void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var entry = EntryOf(path);
        if (Path.GetFileName(path) != "inblob")
        {
            throw new UnauthorizedAccessException($"{path} is read-only");
        }
        if (bytes.Length > 64)
        {
            throw new IOException("EINVAL: inblob is at most 64 bytes");
        }
        entry.Inblob = bytes.ToArray();
        entry.Generation++;
        OnInblobWritten?.Invoke(entry);
    }

    public byte[] ReadAllBytes(string path)
    {
        var entry = EntryOf(path);
        switch (Path.GetFileName(path))
        {
            case "provider":
                return Encoding.ASCII.GetBytes(Provider + "\n");
            case "generation":
                return Encoding.ASCII.GetBytes(entry.Generation.ToString(CultureInfo.InvariantCulture) + "\n");
            case "outblob":
                var blob = Producer(entry.Inblob ?? new byte[64]);
                OnOutblobRead?.Invoke(entry);
                return blob;
            default:
                throw new FileNotFoundException(path);
        }
    }

    private Entry EntryOf(string path) =>
        _entries.TryGetValue(Path.GetDirectoryName(path)!, out var entry) ? entry : throw new DirectoryNotFoundException(path);

    internal sealed class Entry
    {
        public ulong Generation { get; set; }

        public byte[]? Inblob { get; set; }
    }
}

public sealed class ConfigFsTsmAttestorTests
{
    private readonly byte[] _reportData = SimulatedPki.ReportData(0x7E);

    private static async Task<AttestorError> Fails(FakeTsm fake, byte[] reportData, string provider = "tdx_guest")
    {
        var e = await Assert.ThrowsAsync<AttestorException>(() => new ConfigFsTsmAttestor(FakeTsm.Root, provider, fake).AttestAsync(reportData));
        Assert.Equal(0, fake.Live);
        return e.Error;
    }

    [Fact]
    public async Task Creates_an_entry_writes_inblob_reads_outblob_and_removes_the_entry()
    {
        var fake = new FakeTsm();
        var evidence = await new ConfigFsTsmAttestor(FakeTsm.Root, fileSystem: fake).AttestAsync(_reportData);
        Assert.Equal(TeeKind.Tdx, evidence.Kind);
        Assert.Equal("configfs-tsm/tdx_guest", evidence.Source);
        Assert.Equal(_reportData, evidence.ReportData);
        Assert.Single(fake.Created);
        Assert.Equal(fake.Created, fake.Deleted);
        Assert.Equal(0, fake.Live);
    }

    [Fact]
    public async Task Each_attestation_uses_a_fresh_entry()
    {
        var fake = new FakeTsm();
        var attestor = new ConfigFsTsmAttestor(FakeTsm.Root, fileSystem: fake);
        await attestor.AttestAsync(_reportData);
        await attestor.AttestAsync(_reportData);
        Assert.Equal(2, fake.Created.Distinct().Count());
    }

    [Fact]
    public async Task Missing_report_root_is_reported() =>
        Assert.Equal(AttestorError.DeviceMissing, await Fails(new FakeTsm { RootExists = false }, _reportData));

    [Fact]
    public async Task Another_provider_is_refused() =>
        Assert.Equal(AttestorError.ProviderMismatch, await Fails(new FakeTsm { Provider = "sev_guest" }, _reportData));

    [Fact]
    public async Task Generation_moving_while_outblob_is_read_means_concurrent_use() =>
        Assert.Equal(AttestorError.ConcurrentUse, await Fails(new FakeTsm { OnOutblobRead = e => e.Generation++ }, _reportData));

    [Fact]
    public async Task A_second_write_racing_ours_means_concurrent_use() =>
        Assert.Equal(AttestorError.ConcurrentUse, await Fails(new FakeTsm { OnInblobWritten = e => e.Generation++ }, _reportData));

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    public async Task Short_outblob_is_reported(int length) =>
        Assert.Equal(AttestorError.ShortRead, await Fails(new FakeTsm { Producer = d => FakeTsm.TdxQuote(d)[..length] }, _reportData));

    [Fact]
    public async Task Truncated_outblob_is_malformed() =>
        Assert.Equal(AttestorError.QuoteMalformed, await Fails(new FakeTsm { Producer = d => FakeTsm.TdxQuote(d)[..1000] }, _reportData));

    [Fact]
    public async Task Outblob_above_the_kernel_limit_is_refused() =>
        Assert.Equal(AttestorError.QuoteMalformed, await Fails(new FakeTsm { Producer = d => [.. FakeTsm.TdxQuote(d), .. new byte[33 * 1024]] }, _reportData));

    [Fact]
    public async Task Outblob_for_other_report_data_is_refused() =>
        Assert.Equal(AttestorError.ReportDataMismatch, await Fails(new FakeTsm { Producer = _ => FakeTsm.TdxQuote(SimulatedPki.ReportData(1)) }, _reportData));

    [Fact]
    public async Task Sgx_quote_from_a_tdx_provider_is_refused() =>
        Assert.Equal(AttestorError.TeeMismatch, await Fails(new FakeTsm { Producer = d => SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest { Now = SimulatedPki.Now, ReportData = d }).Quote }, _reportData));

    [Fact]
    public async Task Report_data_of_the_wrong_length_is_refused_before_mkdir()
    {
        var fake = new FakeTsm();
        Assert.Equal(AttestorError.InvalidReportData, await Fails(fake, new byte[65]));
        Assert.Empty(fake.Created);
    }

    [Fact]
    public async Task On_a_plain_directory_the_missing_provider_file_is_reported_and_the_entry_removed()
    {
        var root = Directory.CreateTempSubdirectory("citrine-tsm-").FullName;
        try
        {
            var e = await Assert.ThrowsAsync<AttestorException>(() => new ConfigFsTsmAttestor(root).AttestAsync(_reportData));
            Assert.Equal(AttestorError.DeviceMissing, e.Error);
            Assert.Empty(Directory.GetFileSystemEntries(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
