using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Citrine.Chain.Abci;
using Citrine.Chain.Abci.Server;
using Citrine.Chain.Abci.Wire;
using Google.Protobuf;

namespace Citrine.Benchmarks;

/// <summary>
/// The ABCI socket protocol's cost per message: a round trip as CometBFT's socket client makes it
/// (the request, a Flush, both responses) over TCP loopback and over a Unix socket, one at a time
/// and pipelined in batches of <see cref="Batch"/> with one Flush (per message: OperationsPerInvoke).
/// The application answers with constant responses, so only the transport is measured. Floors:
/// <c>Dispatch</c> called in process, and the same request and response through the codec
/// (frame, parse, dispatch, frame, parse) with no socket.
/// Quick run: --filter '*AbciSocket*' --job short.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AbciSocketBenchmarks
{
    private const int Batch = 100;

    private readonly ConstantApplication _app = new();
    private readonly Request _echo = new() { Echo = new RequestEcho { Message = "hello" } };
    private readonly Request _checkTx = new() { CheckTx = new RequestCheckTx { Tx = ByteString.CopyFrom(new byte[120]), Type = CheckTxType.New } };
    private Request[] _echoBatch = [];
    private Request[] _checkTxBatch = [];
    private AbciSocketServer _server = null!;
    private AbciSocketClient _client = null!;

    [Params("tcp", "unix")]
    public string Transport { get; set; } = "tcp";

    [GlobalSetup]
    public async Task Setup()
    {
        _echoBatch = [.. Enumerable.Repeat(_echo, Batch)];
        _checkTxBatch = [.. Enumerable.Repeat(_checkTx, Batch)];
        var address = Transport == "unix"
            ? AbciAddress.Unix(Path.Combine(Path.GetTempPath(), $"abci-bench-{Guid.NewGuid():N}.sock"))
            : AbciAddress.Tcp("127.0.0.1", 0);
        _server = new AbciSocketServer(_app, address);
        await _server.StartAsync();
        _client = await AbciSocketClient.ConnectAsync(_server.BoundAddress!);
        if ((await _client.CheckTxAsync(_checkTx.CheckTx)).Code != 0 || (await _client.RequestManyAsync(_echoBatch)).Count != Batch)
        {
            throw new InvalidOperationException("the server did not answer as the constant application does");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("echo")]
    public Response Echo_dispatch_in_process() => AbciDispatcher.Dispatch(_app, _echo);

    [Benchmark, BenchmarkCategory("echo")]
    public Response Echo_codec_in_process() => ThroughCodec(_echo);

    [Benchmark, BenchmarkCategory("echo")]
    public Task<Response> Echo_round_trip() => _client.RequestAsync(_echo);

    [Benchmark(OperationsPerInvoke = Batch), BenchmarkCategory("echo")]
    public Task<IReadOnlyList<Response>> Echo_pipelined_100() => _client.RequestManyAsync(_echoBatch);

    [Benchmark(Baseline = true), BenchmarkCategory("check_tx")]
    public Response CheckTx_dispatch_in_process() => AbciDispatcher.Dispatch(_app, _checkTx);

    [Benchmark, BenchmarkCategory("check_tx")]
    public Response CheckTx_codec_in_process() => ThroughCodec(_checkTx);

    [Benchmark, BenchmarkCategory("check_tx")]
    public Task<Response> CheckTx_round_trip() => _client.RequestAsync(_checkTx);

    [Benchmark(OperationsPerInvoke = Batch), BenchmarkCategory("check_tx")]
    public Task<IReadOnlyList<Response>> CheckTx_pipelined_100() => _client.RequestManyAsync(_checkTxBatch);

    private Response ThroughCodec(Request request)
    {
        var received = AbciFraming.ReadFrame(AbciFraming.ToFrame(request), Request.Parser, out _);
        return AbciFraming.ReadFrame(AbciFraming.ToFrame(AbciDispatcher.Dispatch(_app, received)), Response.Parser, out _);
    }

    private sealed class ConstantApplication : IAbciApplication
    {
        private static readonly ResponseCheckTx Accepted = new() { Code = 0, GasWanted = 1 };

        public ResponseInfo Info(RequestInfo request) => new();

        public ResponseInitChain InitChain(RequestInitChain request) => new();

        public ResponseQuery Query(RequestQuery request) => new();

        public ResponseCheckTx CheckTx(RequestCheckTx request) => Accepted;

        public ResponsePrepareProposal PrepareProposal(RequestPrepareProposal request) => new();

        public ResponseProcessProposal ProcessProposal(RequestProcessProposal request) => new();

        public ResponseExtendVote ExtendVote(RequestExtendVote request) => new();

        public ResponseVerifyVoteExtension VerifyVoteExtension(RequestVerifyVoteExtension request) => new();

        public ResponseFinalizeBlock FinalizeBlock(RequestFinalizeBlock request) => new();

        public ResponseCommit Commit(RequestCommit request) => new();

        public ResponseListSnapshots ListSnapshots(RequestListSnapshots request) => new();

        public ResponseOfferSnapshot OfferSnapshot(RequestOfferSnapshot request) => new();

        public ResponseLoadSnapshotChunk LoadSnapshotChunk(RequestLoadSnapshotChunk request) => new();

        public ResponseApplySnapshotChunk ApplySnapshotChunk(RequestApplySnapshotChunk request) => new();
    }
}
