using Citrine.Attestation.Attestors;
using Citrine.Attestation.Testing;
using Citrine.Attestation.Tests.Testing;

namespace Citrine.Attestation.Tests.Attestors;

/// <summary>
/// Gramine's /dev/attestation replaced by a temporary directory holding the same pseudo-files;
/// the quote file holds a simulated DCAP quote for the report data the test will write.
/// </summary>
public sealed class GramineAttestorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citrine-gramine-").FullName;
    private readonly byte[] _reportData = SimulatedPki.ReportData(0x6A);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Device(string? type = "dcap\n", byte[]? quote = null)
    {
        if (type is not null)
        {
            File.WriteAllText(Path.Combine(_dir, "attestation_type"), type);
        }
        File.WriteAllBytes(Path.Combine(_dir, "user_report_data"), new byte[64]);
        if (quote is not null)
        {
            File.WriteAllBytes(Path.Combine(_dir, "quote"), quote);
        }
    }

    private byte[] SgxQuote(byte[] reportData) =>
        SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest { Now = SimulatedPki.Now, ReportData = reportData }).Quote;

    private async Task<AttestorError> Fails(byte[]? reportData = null) =>
        (await Assert.ThrowsAsync<AttestorException>(() => new GramineAttestor(_dir).AttestAsync(reportData ?? _reportData))).Error;

    [Fact]
    public async Task Writes_the_report_data_and_returns_the_checked_quote()
    {
        var quote = SgxQuote(_reportData);
        Device(quote: quote);
        var evidence = await new GramineAttestor(_dir).AttestAsync(_reportData);
        Assert.Equal(TeeKind.Sgx, evidence.Kind);
        Assert.Equal("gramine", evidence.Source);
        Assert.Equal(quote, evidence.Quote);
        Assert.Equal(_reportData, await File.ReadAllBytesAsync(Path.Combine(_dir, "user_report_data")));
    }

    [Fact]
    public async Task Missing_device_directory_is_reported() =>
        Assert.Equal(AttestorError.DeviceMissing, (await Assert.ThrowsAsync<AttestorException>(
            () => new GramineAttestor(Path.Combine(_dir, "absent")).AttestAsync(_reportData))).Error);

    [Fact]
    public async Task Missing_attestation_type_is_reported()
    {
        Device(type: null, quote: SgxQuote(_reportData));
        Assert.Equal(AttestorError.DeviceMissing, await Fails());
    }

    [Theory]
    [InlineData("epid")]
    [InlineData("none")]
    [InlineData("")]
    public async Task Attestation_type_other_than_dcap_is_refused(string type)
    {
        Device(type: type, quote: SgxQuote(_reportData));
        Assert.Equal(AttestorError.WrongAttestationType, await Fails());
    }

    [Fact]
    public async Task Missing_quote_file_is_reported()
    {
        Device();
        Assert.Equal(AttestorError.DeviceMissing, await Fails());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(47)]
    public async Task Short_quote_read_is_reported(int length)
    {
        Device(quote: SgxQuote(_reportData)[..length]);
        Assert.Equal(AttestorError.ShortRead, await Fails());
    }

    [Fact]
    public async Task Truncated_quote_is_malformed()
    {
        var quote = SgxQuote(_reportData);
        Device(quote: quote[..(quote.Length - 10)]);
        Assert.Equal(AttestorError.QuoteMalformed, await Fails());
    }

    [Fact]
    public async Task Quote_for_other_report_data_is_refused()
    {
        Device(quote: SgxQuote(SimulatedPki.ReportData(0x6B)));
        Assert.Equal(AttestorError.ReportDataMismatch, await Fails());
    }

    [Fact]
    public async Task Tdx_quote_from_the_sgx_device_is_refused()
    {
        Device(quote: SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest { Now = SimulatedPki.Now, Tee = SimulatedTee.Tdx, QuoteVersion = 4, ReportData = _reportData }).Quote);
        Assert.Equal(AttestorError.TeeMismatch, await Fails());
    }

    [Fact]
    public async Task Report_data_of_the_wrong_length_is_refused_before_touching_the_device()
    {
        Device(quote: SgxQuote(_reportData));
        Assert.Equal(AttestorError.InvalidReportData, await Fails(new byte[32]));
        Assert.Equal(new byte[64], await File.ReadAllBytesAsync(Path.Combine(_dir, "user_report_data")));
    }
}
