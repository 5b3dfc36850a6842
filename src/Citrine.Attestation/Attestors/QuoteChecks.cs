using Citrine.Attestation.Dcap;

namespace Citrine.Attestation.Attestors;

/// <summary>Checks every device-backed attestor applies to what the device returned.</summary>
internal static class QuoteChecks
{
    public const int ReportDataSize = 64;

    public static byte[] RequireReportData(ReadOnlyMemory<byte> reportData)
    {
        if (reportData.Length != ReportDataSize)
        {
            throw new AttestorException(AttestorError.InvalidReportData, $"report data must be {ReportDataSize} bytes, got {reportData.Length}");
        }
        return reportData.ToArray();
    }

    /// <summary>Parses the quote and checks its TEE and report data; returns the bytes as the device gave them.</summary>
    public static byte[] Check(byte[] quoteBytes, TeeKind kind, ReadOnlySpan<byte> reportData, string source)
    {
        if (quoteBytes.Length < QuoteHeader.Size)
        {
            throw new AttestorException(AttestorError.ShortRead, $"{source} returned {quoteBytes.Length} bytes, less than a quote header");
        }
        Quote quote;
        try
        {
            quote = QuoteParser.Parse(quoteBytes);
        }
        catch (QuoteFormatException e)
        {
            throw new AttestorException(AttestorError.QuoteMalformed, $"{source} returned a malformed quote: {e.Message}", e);
        }
        var expected = kind == TeeKind.Tdx ? TeeType.Tdx : TeeType.Sgx;
        if (quote.TeeType != expected)
        {
            throw new AttestorException(AttestorError.TeeMismatch, $"{source} returned a {quote.TeeType} quote, expected {expected}");
        }
        if (!quote.ReportData.AsSpan().SequenceEqual(reportData))
        {
            throw new AttestorException(AttestorError.ReportDataMismatch, $"{source} returned a quote for different report data");
        }
        return quoteBytes;
    }
}
