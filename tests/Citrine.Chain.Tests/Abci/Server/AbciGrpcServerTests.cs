using Citrine.Chain.Abci.Server;
using Citrine.Chain.Abci.Wire;
using Grpc.Core;
using Grpc.Net.Client;

namespace Citrine.Chain.Tests.Abci.Server;

public sealed class AbciGrpcServerTests
{
    private readonly RecordingAbciApplication _app = new();

    [Fact]
    public async Task Every_method_reaches_the_application_over_grpc()
    {
        await using var grpc = await Served.StartAsync(_app);
        var samples = AbciSamples.EveryKind.ToDictionary(s => s.Method, s => s.Request);

        Assert.Equal("hello", (await grpc.Client.EchoAsync(samples["Echo"].Echo)).Message);
        Assert.NotNull(await grpc.Client.FlushAsync(new RequestFlush()));
        Assert.Equal("0.38.17", (await grpc.Client.InfoAsync(samples["Info"].Info)).Version);
        Assert.Equal("citrine-test", (await grpc.Client.InitChainAsync(samples["InitChain"].InitChain)).AppHash.ToStringUtf8());
        Assert.Equal("/store/key", (await grpc.Client.QueryAsync(samples["Query"].Query)).Log);
        Assert.Equal(4, (await grpc.Client.CheckTxAsync(samples["CheckTx:NEW"].CheckTx)).GasWanted);
        Assert.Equal(4, (await grpc.Client.CheckTxAsync(samples["CheckTx:RECHECK"].CheckTx)).GasWanted);
        Assert.Equal(1, (await grpc.Client.CommitAsync(new RequestCommit())).RetainHeight);
        Assert.Single((await grpc.Client.ListSnapshotsAsync(new RequestListSnapshots())).Snapshots);
        Assert.Equal(ResponseOfferSnapshot.Types.Result.Accept, (await grpc.Client.OfferSnapshotAsync(samples["OfferSnapshot"].OfferSnapshot)).Result);
        Assert.Equal([2], (await grpc.Client.LoadSnapshotChunkAsync(samples["LoadSnapshotChunk"].LoadSnapshotChunk)).Chunk.ToByteArray());
        Assert.Equal(ResponseApplySnapshotChunk.Types.Result.Accept, (await grpc.Client.ApplySnapshotChunkAsync(samples["ApplySnapshotChunk"].ApplySnapshotChunk)).Result);
        Assert.Single((await grpc.Client.PrepareProposalAsync(samples["PrepareProposal"].PrepareProposal)).Txs);
        Assert.Equal(ResponseProcessProposal.Types.ProposalStatus.Accept, (await grpc.Client.ProcessProposalAsync(samples["ProcessProposal"].ProcessProposal)).Status);
        Assert.Equal([7, 7], (await grpc.Client.ExtendVoteAsync(samples["ExtendVote"].ExtendVote)).VoteExtension.ToByteArray());
        Assert.Equal(ResponseVerifyVoteExtension.Types.VerifyStatus.Accept, (await grpc.Client.VerifyVoteExtensionAsync(samples["VerifyVoteExtension"].VerifyVoteExtension)).Status);
        Assert.Equal(2, (await grpc.Client.FinalizeBlockAsync(samples["FinalizeBlock"].FinalizeBlock)).TxResults.Count);

        Assert.Equal(AbciSamples.EveryKind.Select(s => s.Method), _app.Calls);
    }

    [Fact]
    public async Task An_application_that_throws_gives_status_internal_with_its_message()
    {
        _app.FailOn = "FinalizeBlock";
        _app.FailureMessage = "block 2 does not follow block 7";
        await using var grpc = await Served.StartAsync(_app);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await grpc.Client.FinalizeBlockAsync(new RequestFinalizeBlock { Height = 2 }));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("block 2 does not follow block 7", error.Status.Detail);
        Assert.Equal("next", (await grpc.Client.EchoAsync(new RequestEcho { Message = "next" })).Message);
    }

    [Fact]
    public async Task Stopping_frees_the_port()
    {
        await using var grpc = await Served.StartAsync(_app);
        var bound = grpc.Server.BoundAddress!;
        Assert.NotEqual(0, bound.Port);

        await grpc.Server.StopAsync();

        await using var again = new AbciGrpcServer(_app, bound);
        await again.StartAsync();
        using var channel = GrpcChannel.ForAddress(again.Uri!);
        Assert.Equal("again", (await new ABCI.ABCIClient(channel).EchoAsync(new RequestEcho { Message = "again" })).Message);
    }

    [Fact]
    public async Task A_busy_port_is_refused()
    {
        await using var grpc = await Served.StartAsync(_app);
        await using var second = new AbciGrpcServer(_app, grpc.Server.BoundAddress!);

        await Assert.ThrowsAsync<IOException>(() => second.StartAsync());
    }

    [Fact]
    public void A_socket_address_is_refused_by_the_grpc_server()
    {
        Assert.Throws<ArgumentException>(() => new AbciGrpcServer(_app, AbciAddress.Tcp("127.0.0.1", 0)));
    }

    private sealed class Served : IAsyncDisposable
    {
        private Served(AbciGrpcServer server)
        {
            Server = server;
            // An http:// address makes Grpc.Net.Client speak HTTP/2 with prior knowledge (h2c), as CometBFT's insecure dial does.
            Channel = GrpcChannel.ForAddress(server.Uri!);
            Client = new ABCI.ABCIClient(Channel);
        }

        public AbciGrpcServer Server { get; }

        public GrpcChannel Channel { get; }

        public ABCI.ABCIClient Client { get; }

        public static async Task<Served> StartAsync(RecordingAbciApplication app)
        {
            var server = new AbciGrpcServer(app, AbciAddress.Parse("grpc://127.0.0.1:0"));
            await server.StartAsync();
            return new Served(server);
        }

        public async ValueTask DisposeAsync()
        {
            Channel.Dispose();
            await Server.DisposeAsync();
        }
    }
}
