using Citrine.Chain.Contracts;
using Citrine.Contracts.Session;
using static Citrine.Contracts.Tests.Session.SessionFixtures;

namespace Citrine.Contracts.Tests.Session;

public sealed class MeasurementTests
{
    [Fact]
    public void Canonical_ids_are_the_documented_bytes()
    {
        Assert.Equal("01" + Hex(1, 32) + Hex(2, 32) + "0007" + "0003", Convert.ToHexStringLower(Sgx().CanonicalId));
        Assert.Equal(69, Sgx().CanonicalId.Length);
        Assert.Equal("02" + Hex(0x40, 48) + Hex(0x41, 48) + Hex(0x42, 48) + Hex(0x43, 48) + Hex(0x44, 48), Convert.ToHexStringLower(Tdx().CanonicalId));
        Assert.Equal(241, Tdx().CanonicalId.Length);
        Assert.Equal("03" + Hex(0x77, 32), Convert.ToHexStringLower(Mock().CanonicalId));
    }

    [Fact]
    public void Canonical_ids_read_back_and_refuse_unknown_kinds_and_lengths()
    {
        foreach (var measurement in new[] { Sgx(), Tdx(), Mock() })
        {
            Assert.True(Measurement.TryFromCanonicalId(measurement.CanonicalId, out var back, out _));
            Assert.Equal(measurement, back);
            Assert.False(Measurement.TryFromCanonicalId(measurement.CanonicalId.AsSpan(0, measurement.CanonicalId.Length - 1), out _, out var error));
            Assert.Contains("bytes", error, StringComparison.Ordinal);
        }
        Assert.False(Measurement.TryFromCanonicalId([0x04, .. Bytes(0, 32)], out _, out var kind));
        Assert.Contains("unknown measurement kind 0x04", kind, StringComparison.Ordinal);
        Assert.False(Measurement.TryFromCanonicalId([], out _, out _));
    }

    [Fact]
    public void Json_entries_round_trip()
    {
        foreach (var measurement in new[] { Sgx(), Tdx(), Mock() })
        {
            Assert.Equal(measurement, Measurement.ParseJson(measurement.ToJson()));
        }
        Assert.Equal("$.sgx.mr_enclave", Assert.Throws<SessionConfigException>(() => Measurement.ParseJson("{\"sgx\":{}}"u8)).Field);
    }

    private static QuoteVerification SgxVerdict(byte[] mrEnclave, byte[] mrSigner, ushort prodId, ushort svn, QuoteTee tee = QuoteTee.Sgx) => new()
    {
        Accepted = true, Reason = "None", Detail = "", Tee = tee, Root = "intel",
        MrEnclave = mrEnclave, MrSigner = mrSigner, IsvProdId = prodId, IsvSvn = svn,
    };

    [Fact]
    public void Sgx_matches_equal_identity_and_an_svn_at_or_above_the_floor()
    {
        var m = Sgx(prodId: 7, minSvn: 3);
        Assert.True(m.Matches(SgxVerdict(Bytes(1, 32), Bytes(2, 32), 7, 3)));
        Assert.True(m.Matches(SgxVerdict(Bytes(1, 32), Bytes(2, 32), 7, 9)));
        Assert.False(m.Matches(SgxVerdict(Bytes(1, 32), Bytes(2, 32), 7, 2)));
        Assert.False(m.Matches(SgxVerdict(Bytes(1, 32), Bytes(2, 32), 8, 3)));
        Assert.False(m.Matches(SgxVerdict(Bytes(9, 32), Bytes(2, 32), 7, 3)));
        Assert.False(m.Matches(SgxVerdict(Bytes(1, 32), Bytes(9, 32), 7, 3)));
        Assert.False(m.Matches(SgxVerdict(Bytes(1, 32), Bytes(2, 32), 7, 3, QuoteTee.Mock)));
        Assert.False(m.Matches(SgxVerdict(null!, Bytes(2, 32), 7, 3)));
    }

    [Fact]
    public void Tdx_matches_only_equal_mrtd_and_all_four_rtmrs()
    {
        var m = Tdx();
        QuoteVerification Verdict(byte[] mrTd, IReadOnlyList<byte[]>? rtmrs) => new()
        {
            Accepted = true, Reason = "None", Detail = "", Tee = QuoteTee.Tdx, Root = "intel", MrTd = mrTd, Rtmrs = rtmrs,
        };
        var rtmrs = m.Rtmrs!;
        Assert.True(m.Matches(Verdict(Bytes(0x40, 48), rtmrs)));
        Assert.False(m.Matches(Verdict(Bytes(0x41, 48), rtmrs)));
        for (var i = 0; i < 4; i++)
        {
            var changed = rtmrs.Select(r => (byte[])r.Clone()).ToList();
            changed[i][47] ^= 1;
            Assert.False(m.Matches(Verdict(Bytes(0x40, 48), changed)));
        }
        Assert.False(m.Matches(Verdict(Bytes(0x40, 48), rtmrs.Take(3).ToList())));
        Assert.False(m.Matches(Verdict(Bytes(0x40, 48), null)));
    }

    [Fact]
    public void Mock_matches_only_mock_evidence_of_the_same_measurement()
    {
        var m = Mock();
        Assert.True(m.Matches(SgxVerdict(Bytes(0x77, 32), null!, 0, 0, QuoteTee.Mock)));
        Assert.False(m.Matches(SgxVerdict(Bytes(0x78, 32), null!, 0, 0, QuoteTee.Mock)));
        Assert.False(m.Matches(SgxVerdict(Bytes(0x77, 32), Bytes(0, 32), 0, 0, QuoteTee.Sgx)));
    }
}
