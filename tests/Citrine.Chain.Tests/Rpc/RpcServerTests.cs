using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Citrine.Chain.App;
using Citrine.Chain.Rpc;
using Citrine.CometBft.Json;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;
using Citrine.Ics23.Abci;

namespace Citrine.Chain.Tests.Rpc;

public sealed class RpcServerTests : IAsyncLifetime, IDisposable
{
    private readonly TestChain _chain = new(validators: 2);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private RpcServer? _server;

    public async Task InitializeAsync()
    {
        _server = await RpcServer.StartAsync(_chain.Node, "127.0.0.1:0", 64 * 1024);
        _http.BaseAddress = _server.Address;
        _chain.Produce(2);
    }

    public async Task DisposeAsync() => await _server!.DisposeAsync();

    public void Dispose()
    {
        _http.Dispose();
        _chain.Dispose();
    }

    private async Task<byte[]> Call(string method, object? parameters = null)
    {
        using var response = await _http.PostAsJsonAsync("", new { jsonrpc = "2.0", id = 7, method, @params = parameters ?? new { } });
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static JsonElement Result(byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        Assert.False(doc.RootElement.TryGetProperty("error", out var error), error.ToString());
        return doc.RootElement.GetProperty("result").Clone();
    }

    [Fact]
    public async Task Status_commit_and_validators_parse_with_the_CometBft_codecs_and_verify()
    {
        var status = RpcResponses.ParseStatus(await Call("status"));
        Assert.Equal("citrine-test", status.Network);
        Assert.Equal(2, status.LatestBlockHeight);
        var c1 = RpcResponses.ParseCommit(await Call("commit", new { height = "1" }));
        var c2 = RpcResponses.ParseCommit(await Call("commit", new { height = "2" }));
        Assert.True(c1.Canonical);
        Assert.False(c2.Canonical);
        var v1 = RpcResponses.ParseValidators(await Call("validators", new { height = "1" }));
        var v2 = RpcResponses.ParseValidators(await Call("validators", new { height = "2" }));
        var v3 = _chain.Node.ValidatorsAt(3)!;
        var trusted = new LightBlock(c1.SignedHeader, new ValidatorSet(v1.Validators), new ValidatorSet(v2.Validators));
        var untrusted = new LightBlock(c2.SignedHeader, new ValidatorSet(v2.Validators), v3);
        var verdict = Verifier.Verify(trusted, untrusted, TrustOptions.Create("citrine-test", TimeSpan.FromDays(1)), _chain.Clock.Now());
        Assert.True(verdict.IsSuccess, verdict.ToString());
        var block = RpcResponses.ParseBlock(await Call("block", new { height = "2" }));
        Assert.Equal(c2.SignedHeader.Header.Hash(), block.BlockId.Hash);
        var genesis = RpcResponses.ParseGenesis(await Call("genesis"));
        Assert.Equal("citrine-test", genesis.ChainId);
        Assert.Equal(2, genesis.Validators.Count);
    }

    [Fact]
    public async Task Broadcast_then_tx_and_abci_query_with_a_proof_that_verifies_against_the_next_header()
    {
        var tx = _chain.Send(0, 1, 42, 0);
        var sync = Result(await Call("broadcast_tx_sync", new { tx = Convert.ToBase64String(tx) }));
        Assert.Equal(0, sync.GetProperty("code").GetInt32());
        var hash = sync.GetProperty("hash").GetString()!;
        Assert.Equal(Convert.ToHexString(Txs.Tx.HashOf(tx)), hash);
        _chain.Produce(2);
        var found = Result(await Call("tx", new { hash = Convert.ToBase64String(Convert.FromHexString(hash)) }));
        Assert.Equal("3", found.GetProperty("height").GetString());
        Assert.Equal(0, found.GetProperty("tx_result").GetProperty("code").GetInt32());

        var address = _chain.Address(1);
        var query = RpcResponses.ParseAbciQuery(await Call("abci_query", new { path = "/store/bank/key", data = Convert.ToHexString(address), height = "3", prove = true }));
        Assert.Equal(0u, query.Code);
        Assert.Equal(3, query.Height);
        var header4 = RpcResponses.ParseCommit(await Call("commit", new { height = "4" })).SignedHeader.Header;
        var ops = query.ProofOps.Select(o => new Ics23.Abci.ProofOp(o.Type, o.Key, o.Data)).ToList();
        var verdict = ProofOps.VerifyMembership(ops, header4.AppHash, [System.Text.Encoding.UTF8.GetBytes("bank"), address], query.Value);
        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.Equal(1_000_042UL, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(query.Value));
        // The same proof does not verify against another height's app hash.
        var header3 = RpcResponses.ParseCommit(await Call("commit", new { height = "3" })).SignedHeader.Header;
        Assert.False(ProofOps.VerifyMembership(ops, header3.AppHash, [System.Text.Encoding.UTF8.GetBytes("bank"), address], query.Value).IsValid);
    }

    [Fact]
    public async Task Broadcast_tx_commit_waits_for_the_block()
    {
        var tx = _chain.Send(0, 2, 5, 0);
        var pending = Call("broadcast_tx_commit", new { tx = Convert.ToBase64String(tx) });
        while (_chain.Node.MempoolSize == 0)
        {
            await Task.Delay(10);
        }
        _chain.Produce();
        var result = Result(await pending);
        Assert.Equal("3", result.GetProperty("height").GetString());
        Assert.Equal(0, result.GetProperty("tx_result").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Uri_get_requests_work()
    {
        using var response = await _http.GetAsync("block?height=1");
        var result = Result(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("1", result.GetProperty("block").GetProperty("header").GetProperty("height").GetString());
        using var health = await _http.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static (int Code, string Message) Error(byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        var error = doc.RootElement.GetProperty("error");
        return (error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString()!);
    }

    [Fact]
    public async Task Malformed_json_gets_a_parse_error()
    {
        using var response = await _http.PostAsync("", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal((RpcException.ParseError, "Parse error. Invalid JSON"), Error(await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task Unknown_method_gets_method_not_found()
    {
        Assert.Equal(RpcException.MethodNotFound, Error(await Call("no_such_method")).Code);
    }

    [Fact]
    public async Task Bad_params_get_invalid_params_and_future_heights_an_internal_error()
    {
        Assert.Equal(RpcException.InvalidParams, Error(await Call("block", new { height = "abc" })).Code);
        Assert.Equal(RpcException.InvalidParams, Error(await Call("broadcast_tx_sync", new { tx = "%%%" })).Code);
        var (code, message) = Error(await Call("block", new { height = "99" }));
        Assert.Equal((RpcException.InternalError, "Internal error"), (code, message));
    }

    [Fact]
    public async Task Validators_serves_the_next_height_and_defaults_to_it_as_CometBft_does()
    {
        var latest = _chain.Node.Height;
        var next = RpcResponses.ParseValidators(await Call("validators", new { height = (latest + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.Equal(latest + 1, next.BlockHeight);
        Assert.Equal(_chain.Node.ValidatorsAt(latest + 1)!.Hash(), new ValidatorSet(next.Validators).Hash());
        Assert.Equal(
            _chain.Node.ValidatorsAt(latest + 1)!.Validators.Select(v => v.ProposerPriority),
            next.Validators.Select(v => v.ProposerPriority));
        Assert.Equal(latest + 1, RpcResponses.ParseValidators(await Call("validators")).BlockHeight);
        var (code, _) = Error(await Call("validators", new { height = (latest + 2).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.Equal(RpcException.InternalError, code);
    }

    [Fact]
    public async Task Request_without_jsonrpc_version_is_invalid()
    {
        using var response = await _http.PostAsync("", new StringContent("{\"method\":\"status\",\"id\":1}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(RpcException.InvalidRequest, Error(await response.Content.ReadAsByteArrayAsync()).Code);
    }

    [Fact]
    public async Task Oversized_request_is_refused()
    {
        var big = new string('a', 100 * 1024);
        using var response = await _http.PostAsync("", new StringContent($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"broadcast_tx_sync\",\"params\":{{\"tx\":\"{big}\"}}}}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_query_path_is_a_response_code_not_a_crash()
    {
        var query = RpcResponses.ParseAbciQuery(await Call("abci_query", new { path = "/nope", data = "00" }));
        Assert.Equal(TxCodes.UnknownRequest, query.Code);
    }

    [Fact]
    public void Non_loopback_addresses_are_refused()
    {
        Assert.Throws<ArgumentException>(() => RpcServer.ParseLoopback("0.0.0.0:26657"));
        Assert.Throws<ArgumentException>(() => RpcServer.ParseLoopback("10.0.0.1:26657"));
        Assert.Throws<ArgumentException>(() => RpcServer.ParseLoopback("localhost:26657"));
        Assert.Equal(26657, RpcServer.ParseLoopback("127.0.0.1:26657").Port);
    }
}
