using Citrine.Chain.Abci.Wire;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citrine.Chain.Abci.Server;

/// <summary>
/// The <c>tendermint.abci.ABCI</c> gRPC service (CometBFT's <c>abci = "grpc"</c> client): each
/// unary method calls the application method of the same name. <c>Flush</c> has nothing to write
/// out and answers at once. An exception from the application becomes
/// <see cref="StatusCode.Internal"/> with its message, gRPC's counterpart of <c>ResponseException</c>.
/// </summary>
public sealed class AbciGrpcService : ABCI.ABCIBase
{
    private static readonly Task<ResponseFlush> Flushed = Task.FromResult(new ResponseFlush());

    private readonly IAbciApplication _app;
    private readonly ILogger _logger;

    public AbciGrpcService(IAbciApplication app, ILogger<AbciGrpcService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        _app = app;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public override Task<ResponseEcho> Echo(RequestEcho request, ServerCallContext context) => Call(request, _app.Echo);

    public override Task<ResponseFlush> Flush(RequestFlush request, ServerCallContext context) => Flushed;

    public override Task<ResponseInfo> Info(RequestInfo request, ServerCallContext context) => Call(request, _app.Info);

    public override Task<ResponseCheckTx> CheckTx(RequestCheckTx request, ServerCallContext context) => Call(request, _app.CheckTx);

    public override Task<ResponseQuery> Query(RequestQuery request, ServerCallContext context) => Call(request, _app.Query);

    public override Task<ResponseCommit> Commit(RequestCommit request, ServerCallContext context) => Call(request, _app.Commit);

    public override Task<ResponseInitChain> InitChain(RequestInitChain request, ServerCallContext context) => Call(request, _app.InitChain);

    public override Task<ResponseListSnapshots> ListSnapshots(RequestListSnapshots request, ServerCallContext context) => Call(request, _app.ListSnapshots);

    public override Task<ResponseOfferSnapshot> OfferSnapshot(RequestOfferSnapshot request, ServerCallContext context) => Call(request, _app.OfferSnapshot);

    public override Task<ResponseLoadSnapshotChunk> LoadSnapshotChunk(RequestLoadSnapshotChunk request, ServerCallContext context) => Call(request, _app.LoadSnapshotChunk);

    public override Task<ResponseApplySnapshotChunk> ApplySnapshotChunk(RequestApplySnapshotChunk request, ServerCallContext context) => Call(request, _app.ApplySnapshotChunk);

    public override Task<ResponsePrepareProposal> PrepareProposal(RequestPrepareProposal request, ServerCallContext context) => Call(request, _app.PrepareProposal);

    public override Task<ResponseProcessProposal> ProcessProposal(RequestProcessProposal request, ServerCallContext context) => Call(request, _app.ProcessProposal);

    public override Task<ResponseExtendVote> ExtendVote(RequestExtendVote request, ServerCallContext context) => Call(request, _app.ExtendVote);

    public override Task<ResponseVerifyVoteExtension> VerifyVoteExtension(RequestVerifyVoteExtension request, ServerCallContext context) => Call(request, _app.VerifyVoteExtension);

    public override Task<ResponseFinalizeBlock> FinalizeBlock(RequestFinalizeBlock request, ServerCallContext context) => Call(request, _app.FinalizeBlock);

    private Task<TResponse> Call<TRequest, TResponse>(TRequest request, Func<TRequest, TResponse> method)
    {
        try
        {
            return Task.FromResult(method(request));
        }
        catch (Exception e) when (e is not RpcException)
        {
            _logger.LogError(e, "ABCI application failed on {Request} over gRPC", typeof(TRequest).Name);
            throw new RpcException(new Status(StatusCode.Internal, e.Message));
        }
    }
}
