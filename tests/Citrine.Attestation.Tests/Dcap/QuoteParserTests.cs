using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Crypto.Encoding;
using Citrine.Testing;

namespace Citrine.Attestation.Tests.Dcap;

public sealed class QuoteParserTests
{
    private static byte[] Quote(string relative, bool hex = false) => DcapVectorCases.ReadQuote(relative, hex);

    [SkippableFact]
    public void Parse_reads_the_sgx_v3_quote_like_the_dcap_qvl_snapshot()
    {
        var quote = QuoteParser.Parse(Quote("phala-dcap-qvl/sgx_quote"));
        var snap = Snapshot.Load("phala-dcap-qvl/verify_quote__could_parse_sgx_quote.snap");
        Assert.Equal(snap.Int("version"), quote.Version);
        Assert.Equal(snap.Int("attestation_key_type"), quote.Header.AttestationKeyType);
        Assert.Equal(snap.Int("tee_type"), (int)quote.TeeType);
        Assert.Equal(snap.Int("qe_svn"), quote.Header.QeSvn);
        Assert.Equal(snap.Int("pce_svn"), quote.Header.PceSvn);
        Assert.Equal(snap.Bytes("qe_vendor_id"), quote.Header.QeVendorId);
        Assert.Equal(snap.Bytes("user_data"), quote.Header.UserData);
        Assert.Equal(snap.Bytes("cpu_svn"), quote.SgxBody!.CpuSvn);
        Assert.Equal(snap.Bytes("mr_enclave"), quote.SgxBody.MrEnclave);
        Assert.Equal(snap.Bytes("mr_signer"), quote.SgxBody.MrSigner);
        Assert.Equal(snap.Bytes("report_data"), quote.SgxBody.ReportData);
        Assert.Equal(ReportBodyType.Sgx, quote.BodyType);
        Assert.Equal(0, quote.TrailingByteCount);
        Assert.Equal(CertificationData.PckCertChain, quote.CertificationData.Type);
    }

    [SkippableFact]
    public void Parse_reads_the_tdx_v4_quote_like_the_dcap_qvl_snapshot()
    {
        var quote = QuoteParser.Parse(Quote("phala-dcap-qvl/tdx_quote"));
        var snap = Snapshot.Load("phala-dcap-qvl/verify_quote__could_parse_tdx_quote.snap");
        Assert.Equal(snap.Int("version"), quote.Version);
        Assert.Equal(snap.Int("tee_type"), (int)quote.TeeType);
        Assert.Equal(snap.Bytes("qe_vendor_id"), quote.Header.QeVendorId);
        Assert.Equal(snap.Bytes("user_data"), quote.Header.UserData);
        var td = quote.TdBody!;
        Assert.Equal(snap.Bytes("tee_tcb_svn"), td.TeeTcbSvn);
        Assert.Equal(snap.Bytes("mr_td"), td.MrTd);
        Assert.Equal(snap.Bytes("mr_seam"), td.MrSeam);
        Assert.Equal(snap.Bytes("rt_mr3"), td.Rtmrs[3]);
        Assert.Equal(snap.Bytes("report_data"), td.ReportData);
        Assert.Equal(ReportBodyType.Td10, quote.BodyType);
        Assert.Equal(CertificationData.QeReportCertificationData, quote.CertificationData.Type);
    }

    /// <summary>SOURCES.md 1.1: tdx_quote is followed by 70 zero bytes of buffer padding, which are not part of the quote.</summary>
    [SkippableFact]
    public void Parse_ignores_and_counts_padding_after_the_signature_data()
    {
        var bytes = Quote("phala-dcap-qvl/tdx_quote");
        var quote = QuoteParser.Parse(bytes);
        Assert.Equal(70, quote.TrailingByteCount);
        Assert.Equal(bytes.Length - 70, quote.Length);
        Assert.All(bytes[quote.Length..], b => Assert.Equal(0, b));
    }

    [SkippableFact]
    public void Trailing_bytes_do_not_change_the_verdict()
    {
        var c = DcapVectorCases.FirstOk("0x0");
        var padded = c.QuoteBytes.Concat(new byte[] { 0xde, 0xad, 0xbe, 0xef }).ToArray();
        var plain = Verifier.Verify(c.QuoteBytes, c.Collateral, c.Now, new VerifierOptions { TrustAnchor = c.Root });
        var withTail = Verifier.Verify(padded, c.Collateral, c.Now, new VerifierOptions { TrustAnchor = c.Root });
        Assert.True(withTail.IsVerified);
        Assert.Equal(plain.TcbStatus, withTail.TcbStatus);
        Assert.Equal(4, withTail.Quote!.TrailingByteCount);
    }

    [SkippableTheory]
    [InlineData("phala-dcap-qvl/tdx-quote.hex")]
    [InlineData("phala-dcap-qvl/quote-from-tappd.hex")]
    public void Parse_reads_the_parse_only_tdx_hex_quotes(string file)
    {
        var quote = QuoteParser.Parse(Quote(file, hex: true));
        Assert.Equal(4, quote.Version);
        Assert.Equal(TeeType.Tdx, quote.TeeType);
        Assert.Equal(ReportBodyType.Td10, quote.BodyType);
        Assert.Equal(QuoteHeader.IntelQeVendorId.ToArray(), quote.Header.QeVendorId);
        Assert.Equal(3, Citrine.Attestation.Dcap.Collateral.PemText.DecodeAll(quote.PckChainPem, "CERTIFICATE", "pck").Count);
        // Same platform as tdx_quote (SOURCES.md 1.1): same QE MRSIGNER.
        Assert.Equal(QuoteParser.Parse(Quote("phala-dcap-qvl/tdx_quote")).QeReport.MrSigner, quote.QeReport.MrSigner);
    }

    [SkippableFact]
    public void Parse_reads_the_v5_td15_body()
    {
        var quote = QuoteParser.Parse(Quote("phala-dcap-qvl/tdx_quote_outdated"));
        Assert.Equal(5, quote.Version);
        Assert.Equal(ReportBodyType.Td15, quote.BodyType);
        Assert.NotNull(quote.TdBody!.MrServiceTd);
        Assert.Equal(48 + 6 + TdReportBody.Td15Size, quote.SignedBytes.Length);
    }

    [SkippableFact]
    public void Parse_rejects_every_truncation_with_a_quote_format_exception()
    {
        var bytes = Quote("phala-dcap-qvl/sgx_quote");
        var length = QuoteParser.Parse(bytes).Length;
        for (var n = 0; n < length; n++)
        {
            var e = Assert.Throws<QuoteFormatException>(() => QuoteParser.Parse(bytes.AsSpan(0, n)));
            Assert.False(string.IsNullOrEmpty(e.Field));
        }
    }

    [SkippableFact]
    public void Parse_rejects_unknown_version_key_type_and_tee_type_naming_the_field()
    {
        var bytes = Quote("phala-dcap-qvl/sgx_quote");
        Assert.Equal("header.version", Mutated(bytes, b => BinaryPrimitives.WriteUInt16LittleEndian(b, 6)).Field);
        Assert.Equal("header.att_key_type", Mutated(bytes, b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), 3)).Field);
        Assert.Equal("header.tee_type", Mutated(bytes, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 0x80)).Field);
        // v3 is SGX only.
        Assert.Equal("header.tee_type", Mutated(bytes, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 0x81)).Field);
    }

    [SkippableFact]
    public void Parse_rejects_a_v5_body_size_that_disagrees_with_the_body_type()
    {
        var bytes = Quote("phala-dcap-qvl/tdx_quote_outdated");
        var e = Mutated(bytes, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(50), TdReportBody.Td10Size));
        Assert.Equal("body.size", e.Field);
        Assert.Equal(50, e.Offset);
        Assert.Equal("body.type", Mutated(bytes, b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(48), 9)).Field);
    }

    [SkippableFact]
    public void Parse_rejects_a_signature_data_length_beyond_the_buffer_and_slack_inside_it()
    {
        var bytes = Quote("phala-dcap-qvl/sgx_quote");
        var at = 48 + 384;
        var declared = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at));
        Assert.Equal("signature_data", Mutated(bytes, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), uint.MaxValue)).Field);
        // One more byte declared than the certification data uses: the extra byte is slack inside a signed-data container.
        var longer = bytes.Concat(new byte[] { 0 }).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(longer.AsSpan(at), declared + 1);
        Assert.Equal("signature_data", Assert.Throws<QuoteFormatException>(() => QuoteParser.Parse(longer)).Field);
    }

    [SkippableFact]
    public void Parse_rejects_certification_data_of_another_type()
    {
        var bytes = Quote("phala-dcap-qvl/tdx_quote");
        var at = 48 + TdReportBody.Td10Size + 4 + 128;
        Assert.Equal("certification_data.type", Mutated(bytes, b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), 5)).Field);
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool Parse_either_succeeds_or_throws_a_quote_format_exception(byte[] data, ushort version, bool tdx)
    {
        // Steer some inputs past the header checks so the deeper readers are exercised too.
        var bytes = new byte[48 + (data?.Length ?? 0)];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)(3 + (version % 3)));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), tdx ? 0x81u : 0u);
        data?.CopyTo(bytes, 48);
        try
        {
            var q = QuoteParser.Parse(bytes);
            return q.Length + q.TrailingByteCount == bytes.Length;
        }
        catch (QuoteFormatException e)
        {
            return e.Offset >= 0 && e.Offset <= bytes.Length;
        }
    }

    private static QuoteFormatException Mutated(byte[] original, Action<byte[]> change)
    {
        var copy = (byte[])original.Clone();
        change(copy);
        return Assert.Throws<QuoteFormatException>(() => QuoteParser.Parse(copy));
    }

    /// <summary>Reads fields out of a Rust Debug dump (insta .snap): first occurrence of a name.</summary>
    private sealed class Snapshot(string text)
    {
        public static Snapshot Load(string relative) => new(System.Text.Encoding.UTF8.GetString(DcapVectorCases.ReadFile(relative)));

        public int Int(string name)
        {
            var m = Regex.Match(text, $@"\b{name}: (\d+),");
            Assert.True(m.Success, $"{name} not in snapshot");
            return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        public byte[] Bytes(string name)
        {
            var m = Regex.Match(text, $@"\b{name}: \[([\d,\s]*)\]");
            Assert.True(m.Success, $"{name} not in snapshot");
            return [.. m.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => byte.Parse(s, System.Globalization.CultureInfo.InvariantCulture))];
        }
    }

    [SkippableFact]
    public void Hex_helper_round_trips_the_report_data_of_the_manifest()
    {
        Vectors.Require(DcapVectorCases.Manifest);
        var c = DcapVectorCases.FirstOk("0x81");
        Assert.Equal(c.Manifest.GetProperty("report_data").GetString(), Hex.Encode(QuoteParser.Parse(c.QuoteBytes).ReportData));
    }
}
