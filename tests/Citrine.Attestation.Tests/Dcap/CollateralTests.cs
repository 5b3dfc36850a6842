using System.Text;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Crypto.Encoding;

namespace Citrine.Attestation.Tests.Dcap;

public sealed class CollateralTests
{
    private const string TcbInfoV2 = """
        {"version":2,"issueDate":"2020-01-01T00:00:00Z","nextUpdate":"2020-02-01T00:00:00Z","fmspc":"00906EA10000","pceId":"0000","tcbType":0,"tcbEvaluationDataNumber":5,
         "tcbLevels":[{"tcb":{"sgxtcbcomp01svn":2,"sgxtcbcomp02svn":2,"sgxtcbcomp03svn":0,"sgxtcbcomp04svn":0,"sgxtcbcomp05svn":0,"sgxtcbcomp06svn":0,"sgxtcbcomp07svn":0,"sgxtcbcomp08svn":0,"sgxtcbcomp09svn":0,"sgxtcbcomp10svn":0,"sgxtcbcomp11svn":0,"sgxtcbcomp12svn":0,"sgxtcbcomp13svn":0,"sgxtcbcomp14svn":0,"sgxtcbcomp15svn":0,"sgxtcbcomp16svn":9,"pcesvn":10},
                      "tcbDate":"2019-11-13T00:00:00Z","tcbStatus":"OutOfDate","advisoryIDs":["INTEL-SA-00001"]}]}
        """;

    [Fact]
    public void Tcb_info_v2_reads_flat_component_fields_as_sgx()
    {
        var info = TcbInfo.Parse(Encoding.UTF8.GetBytes(TcbInfoV2));
        Assert.Equal(TcbInfo.SgxId, info.Id);
        Assert.Equal(2, info.Version);
        Assert.Equal("00906ea10000", Hex.Encode(info.Fmspc));
        var level = Assert.Single(info.TcbLevels);
        Assert.Equal(2, level.SgxComponents[0]);
        Assert.Equal(9, level.SgxComponents[15]);
        Assert.Equal(10, level.PceSvn);
        Assert.Null(level.TdxComponents);
        Assert.Equal(TcbStatus.OutOfDate, level.Status);
        Assert.Equal(["INTEL-SA-00001"], level.AdvisoryIds);
    }

    [Theory]
    [InlineData("\"tcbStatus\":\"OutOfDate\"", "\"tcbStatus\":\"Fine\"", "tcbStatus")]
    [InlineData("\"fmspc\":\"00906EA10000\"", "\"fmspc\":\"00906EA100\"", "fmspc")]
    [InlineData("\"sgxtcbcomp16svn\":9", "\"sgxtcbcomp16svn\":300", "sgxtcbcomp16svn")]
    [InlineData("\"version\":2", "\"version\":4", "version")]
    [InlineData("\"nextUpdate\":\"2020-02-01T00:00:00Z\"", "\"nextUpdate\":\"soon\"", "nextUpdate")]
    public void Tcb_info_errors_name_the_item(string from, string to, string item)
    {
        var json = TcbInfoV2.Replace(from, to, StringComparison.Ordinal);
        var e = Assert.Throws<CollateralFormatException>(() => TcbInfo.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(item, e.Item, StringComparison.Ordinal);
    }

    [Fact]
    public void Pcs_response_body_is_the_exact_inner_object_bytes()
    {
        var json = "{ \"tcbInfo\" :{\"a\": 1,  \"b\":[1, 2]} , \"signature\":\"" + new string('a', 128) + "\"}";
        var doc = SignedDocument.FromPcsResponse(Encoding.UTF8.GetBytes(json), "tcbInfo");
        Assert.Equal("{\"a\": 1,  \"b\":[1, 2]}", Encoding.UTF8.GetString(doc.Body));
        Assert.Equal(64, doc.Signature.Length);
    }

    [Theory]
    [InlineData("{\"signature\":\"00\"}")]
    [InlineData("{\"tcbInfo\":{},\"signature\":\"zz\"}")]
    [InlineData("{\"tcbInfo\":[],\"signature\":\"00\"}")]
    [InlineData("{\"tcbInfo\":{},\"tcbInfo\":{},\"signature\":\"00\"}")]
    [InlineData("{\"tcbInfo\":{}}")]
    [InlineData("{\"tcbInfo\":{},\"signature\":\"00\"} trailing")]
    [InlineData("[")]
    public void Pcs_response_errors_are_collateral_format_exceptions(string json) =>
        Assert.Throws<CollateralFormatException>(() => SignedDocument.FromPcsResponse(Encoding.UTF8.GetBytes(json), "tcbInfo"));

    [SkippableFact]
    public void Crl_reads_pem_and_der_forms_alike()
    {
        var der = Crl.Parse(DcapVectorCases.ReadFile("quartz-tee-ra/processor_crl.der"));
        var pem = Crl.Parse(DcapVectorCases.ReadFile("mobilecoin-attestation/processor_crl.pem"));
        Assert.Equal(der.Der, pem.Der);
        // SOURCES.md 1.1: processor_crl.der is valid 2023-04-21..2023-05-21.
        Assert.Equal(new DateTime(2023, 4, 21), der.ThisUpdate.UtcDateTime.Date);
        Assert.Equal(new DateTime(2023, 5, 21), der.NextUpdate!.Value.UtcDateTime.Date);
    }

    [SkippableFact]
    public void Basic_constraints_mark_the_pck_ca_and_not_the_leaf()
    {
        static Citrine.Attestation.Dcap.Pck.DcapCertificate Load(string file) =>
            Citrine.Attestation.Dcap.Pck.DcapCertificate.Parse(PemText.DecodeAll(DcapVectorCases.ReadFile(file), "CERTIFICATE", file)[0]);
        Assert.True(Load("quartz-tee-ra/processor_ca.pem").IsCa);
        Assert.True(Load("quartz-tee-ra/root_ca.pem").IsCa);
        Assert.False(Load("quartz-tee-ra/leaf_cert.pem").IsCa);
        Assert.False(Load("quartz-tee-ra/tcb_signer.pem").IsCa);
    }

    [SkippableFact]
    public void Qvl_collateral_holds_the_signed_strings_byte_for_byte()
    {
        var bytes = DcapVectorCases.ReadFile("phala-dcap-qvl/sgx_quote_collateral.json");
        var c = QuoteCollateral.FromQvlJson(bytes);
        using var doc = System.Text.Json.JsonDocument.Parse(bytes);
        Assert.Equal(doc.RootElement.GetProperty("tcb_info").GetString(), Encoding.UTF8.GetString(c.TcbInfo.Body));
        Assert.Equal(2, c.TcbInfoIssuerChain.Count);
        Assert.Equal(32, c.Digest.Length);
        Assert.Equal(c.Digest, QuoteCollateral.FromQvlJson(bytes).Digest);
    }
}
