using Citrine.CometBft.LightClient;
using Citrine.CometBft.Testing;
using Citrine.Testing;

namespace Citrine.CometBft.Tests.LightClient;

public sealed class HttpRpcProviderTests : IDisposable
{
    private readonly SyntheticChain _chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 40, Validators = 7, ChurnInterval = 10, ChurnFraction = 1 });
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _chain.Dispose();
        _http.Dispose();
    }

    private static HttpProviderOptions Fast => new() { RequestTimeout = TimeSpan.FromSeconds(5), Retries = 2, RetryDelay = TimeSpan.FromMilliseconds(10), ValidatorsPerPage = 3 };

    [Fact]
    public async Task Provider_fetches_light_blocks_with_paged_validators_and_bisection_verifies_them()
    {
        using var server = LoopbackRpcServer.ForChain(_chain, maxPerPage: 3);
        var provider = new HttpRpcProvider(server.Uri, _http, Fast);
        var block = await provider.GetLightBlockAsync(15);
        Assert.Equal(_chain.HeaderAt(15).Hash(), block.Header.Hash());
        Assert.Equal(7, block.Validators.Count);
        Assert.Equal(_chain.ValidatorsAt(16).Hash(), block.NextValidators.Hash());

        var options = new TrustOptions(_chain.ChainId, TimeSpan.FromDays(30), Fraction.OneThird, TimeSpan.FromSeconds(10));
        var now = _chain.HeaderAt(40).Time.ToDateTimeOffset().AddMinutes(1);
        var result = await Bisection.VerifyToHeightAsync(_chain.LightBlockAt(1), 0, provider, options, now);
        Assert.True(result.IsSuccess, result.Verdict.ToString());
        Assert.Equal(40, result.Verified!.Height);
    }

    private Citrine.CometBft.Types.LightClientAttackEvidence Evidence() =>
        Citrine.CometBft.Types.LightClientAttackEvidence.Create(_chain.LightBlockAt(5), _chain.LightBlockAt(5), _chain.LightBlockAt(3));

    [Fact]
    public async Task Provider_submits_evidence_with_broadcast_evidence_and_returns_the_node_hash()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        server.AcceptEvidence = true;
        var provider = new HttpRpcProvider(server.Uri, _http, Fast);
        var hash = await provider.ReportEvidenceAsync(Evidence());
        Assert.False(string.IsNullOrEmpty(hash));
        using var received = System.Text.Json.JsonDocument.Parse(Assert.Single(server.ReceivedEvidence));
        Assert.Equal("5", received.RootElement.GetProperty("value").GetProperty("CommonHeight").GetString());
    }

    [Fact]
    public async Task Provider_reports_a_node_without_broadcast_evidence_as_a_refusal()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        var provider = new HttpRpcProvider(server.Uri, _http, Fast);
        var e = await Assert.ThrowsAsync<ProviderException>(() => provider.ReportEvidenceAsync(Evidence()));
        Assert.Equal(ProviderErrorKind.Refused, e.Kind);
        Assert.Contains("Method not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provider_retries_after_server_errors()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        server.FailNext = 2;
        var provider = new HttpRpcProvider(server.Uri, _http, Fast);
        var status = await provider.StatusAsync();
        Assert.Equal(40, status.LatestBlockHeight);
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task Provider_gives_up_as_unavailable_after_its_retries()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        server.FailNext = 10;
        var provider = new HttpRpcProvider(server.Uri, _http, Fast);
        var e = await Assert.ThrowsAsync<ProviderException>(() => provider.StatusAsync());
        Assert.Equal(ProviderErrorKind.Unavailable, e.Kind);
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task Provider_times_out_a_slow_server()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        server.Delay = TimeSpan.FromSeconds(2);
        var provider = new HttpRpcProvider(server.Uri, _http, Fast with { RequestTimeout = TimeSpan.FromMilliseconds(100), Retries = 0 });
        var e = await Assert.ThrowsAsync<ProviderException>(() => provider.StatusAsync());
        Assert.Equal(ProviderErrorKind.Unavailable, e.Kind);
        Assert.IsType<TimeoutException>(e.InnerException);
    }

    [Fact]
    public async Task Provider_reports_an_unknown_height_as_not_found()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        var provider = new HttpRpcProvider(server.Uri, _http, Fast);
        var e = await Assert.ThrowsAsync<ProviderException>(() => provider.GetLightBlockAsync(99));
        Assert.Equal(ProviderErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task Provider_refuses_a_validator_set_larger_than_its_limit()
    {
        var page = LoopbackRpcServer.Result(w =>
        {
            w.WriteStartObject();
            w.WriteString("block_height", "5");
            w.WriteStartArray("validators");
            Citrine.CometBft.Json.CometJson.WriteValidator(w, _chain.ValidatorsAt(5).Validators[0]);
            w.WriteEndArray();
            w.WriteString("count", "1");
            w.WriteString("total", "2000000000");
            w.WriteEndObject();
        });
        using var server = new LoopbackRpcServer((_, _) => (200, page));
        var provider = new HttpRpcProvider(server.Uri, _http, Fast);
        var e = await Assert.ThrowsAsync<ProviderException>(() => provider.ValidatorsAsync(5));
        Assert.Equal(ProviderErrorKind.BadResponse, e.Kind);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task Provider_refuses_an_oversized_response()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        var provider = new HttpRpcProvider(server.Uri, _http, Fast with { MaxResponseBytes = 100 });
        var e = await Assert.ThrowsAsync<ProviderException>(() => provider.StatusAsync());
        Assert.Equal(ProviderErrorKind.BadResponse, e.Kind);
    }

    [Fact]
    public async Task Provider_honours_cancellation()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        server.Delay = TimeSpan.FromSeconds(5);
        var provider = new HttpRpcProvider(server.Uri, _http, Fast);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.StatusAsync(cts.Token));
    }

    [SkippableFact]
    [Trait("Category", "Conformance")]
    [Trait("Area", "CometBft")]
    public async Task Provider_decodes_real_fixture_responses_served_over_loopback()
    {
        var dir = Vectors.Require("cometbft/tendermint-rs-rpc-fixtures/kvstore_v0_38");
        var commit = File.ReadAllBytes(Path.Combine(dir, "commit_at_height_10.json"));
        var genesis = File.ReadAllBytes(Path.Combine(dir, "genesis.json"));
        var status = File.ReadAllBytes(Path.Combine(dir, "status.json"));
        using var server = new LoopbackRpcServer((method, _) => method switch
        {
            "commit" => (200, commit),
            "genesis" => (200, genesis),
            "status" => (200, status),
            _ => (404, LoopbackRpcServer.Error(-32601, "Method not found", method)),
        });
        var provider = new HttpRpcProvider(server.Uri, _http, Fast);
        Assert.Equal("dockerchain", (await provider.StatusAsync()).Network);
        var signed = (await provider.CommitAsync(10)).SignedHeader;
        var validators = new Citrine.CometBft.Types.ValidatorSet((await provider.GenesisAsync()).Validators);
        Assert.Equal(signed.Header.ValidatorsHash, validators.Hash());
        var root = Verifier.VerifyTrustRoot(new Citrine.CometBft.Types.LightBlock(signed, validators, validators), signed.Header.Hash(),
            new TrustOptions("dockerchain", TimeSpan.FromDays(1), Fraction.OneThird, TimeSpan.Zero), signed.Header.Time.AddNanoseconds(1_000_000_000));
        Assert.True(root.IsSuccess, root.ToString());
    }
}
