using Citrine.CometBft.Json;
using Citrine.CometBft.Testing;
using Citrine.CometBft.Types;
using FsCheck.Xunit;

namespace Citrine.CometBft.Tests.Json;

public sealed class TimestampAndJsonTests
{
    [Theory]
    [InlineData("2023-05-17T14:12:53.088875124Z", 1684332773L, 88875124)]
    [InlineData("1970-01-01T00:00:01Z", 1L, 0)]
    [InlineData("0001-01-01T00:00:00Z", -62135596800L, 0)]
    [InlineData("2020-09-14T16:33:54.21191421Z", 1600101234L, 211914210)]
    [InlineData("2020-09-14T18:33:54.5+02:00", 1600101234L, 500000000)]
    public void Timestamp_parses_rfc3339_with_nanoseconds(string text, long seconds, int nanos)
    {
        Assert.True(Timestamp.TryParse(text, out var t));
        Assert.Equal(new Timestamp(seconds, nanos), t);
    }

    [Theory]
    [InlineData("2023-05-17 14:12:53Z")]
    [InlineData("2023-02-30T00:00:00Z")]
    [InlineData("2023-05-17T14:12:53.1234567891Z")]
    [InlineData("2023-05-17T14:12:53")]
    [InlineData("2023-05-17T24:00:00Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("")]
    public void Timestamp_rejects_malformed_times(string text) => Assert.False(Timestamp.TryParse(text, out _));

    [Property(MaxTest = 300)]
    public bool Timestamp_formats_and_parses_back(long seconds, int nanos)
    {
        var t = new Timestamp(Timestamp.MinSeconds + (long)((ulong)seconds % (ulong)(Timestamp.MaxSeconds - Timestamp.MinSeconds)), (int)((uint)nanos % 1_000_000_000));
        return Timestamp.TryParse(t.ToString(), out var back) && back == t;
    }

    [Property(MaxTest = 10)]
    public bool Light_block_json_round_trip_keeps_every_hash_and_signature(byte validators, bool varied)
    {
        using var chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 3, Validators = 1 + (validators % 20), VariedPower = varied });
        var block = chain.LightBlockAt(2);
        var back = CometJson.ParseLightBlock(CometJson.ToUtf8(w => CometJson.WriteLightBlock(w, block)));
        return back.Header.Hash().AsSpan().SequenceEqual(block.Header.Hash())
            && back.Validators.Hash().AsSpan().SequenceEqual(block.Validators.Hash())
            && back.NextValidators.Hash().AsSpan().SequenceEqual(block.NextValidators.Hash())
            && back.Commit.Signatures.Select(s => Convert.ToHexString(s.Signature)).SequenceEqual(block.Commit.Signatures.Select(s => Convert.ToHexString(s.Signature)))
            && back.Commit.Signatures.Select(s => s.Timestamp).SequenceEqual(block.Commit.Signatures.Select(s => s.Timestamp));
    }

    [Fact]
    public void Commit_in_v0_34_form_with_numbers_and_part_set_header_decodes()
    {
        // 0.34 nodes and tendermint-rs write the same fields; accept numbers for int fields and both part-set names.
        const string json = """
        {"jsonrpc":"2.0","id":1,"result":{"canonical":true,"signed_header":{
          "header":{"version":{"block":"11"},"chain_id":"c","height":"7","time":"2021-01-01T00:00:00Z",
            "last_block_id":{"hash":"","part_set_header":{"total":0,"hash":""}},
            "last_commit_hash":"","data_hash":"","validators_hash":"","next_validators_hash":"",
            "consensus_hash":"","app_hash":"","last_results_hash":"","evidence_hash":"",
            "proposer_address":"0000000000000000000000000000000000000000"},
          "commit":{"height":7,"round":"0","block_id":{"hash":"","parts":{"total":"1","hash":""}},
            "signatures":[{"block_id_flag":1,"validator_address":"","timestamp":"0001-01-01T00:00:00Z","signature":null}]}}}}
        """;
        var response = RpcResponses.ParseCommit(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.True(response.Canonical);
        Assert.Equal(7, response.SignedHeader.Commit.Height);
        Assert.Equal(0UL, response.SignedHeader.Header.Version.App);
        Assert.Equal(1U, response.SignedHeader.Commit.BlockId.PartSetHeader.Total);
        Assert.Equal(BlockIdFlag.Absent, response.SignedHeader.Commit.Signatures[0].Flag);
        Assert.Equal(Timestamp.GoZero, response.SignedHeader.Commit.Signatures[0].Timestamp);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"Internal error","data":"height 9 too high"}}""", "error")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"block_height":"x","validators":[]}}""", "$.result.block_height")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"block_height":"1","validators":[],"count":"2"}}""", "$.result.count")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"block_height":"1","validators":[{"address":"00","pub_key":{"type":"tendermint/PubKeySecp256k1","value":"AA=="},"voting_power":"1"}]}}""", "$.result.validators[0].pub_key")]
    [InlineData("""[1,2]""", "$")]
    [InlineData("""{"result":""", "$")]
    public void Validators_decoder_names_where_the_response_is_wrong(string json, string path)
    {
        var e = Assert.ThrowsAny<CometJsonException>(() => RpcResponses.ParseValidators(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Equal(path, e.Path);
    }
}
