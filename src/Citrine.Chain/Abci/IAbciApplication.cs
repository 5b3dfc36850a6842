using Citrine.Chain.Abci.Wire;

namespace Citrine.Chain.Abci;

/// <summary>
/// An ABCI 2.0 application as CometBFT v0.38 drives it (spec/abci/abci++_methods.md). The socket
/// server and the gRPC service both call this; neither holds application logic.
/// <para>
/// Connections (spec/abci/abci++_basic_concepts.md): CometBFT opens four and each one's requests
/// arrive in order, but the connections run concurrently — consensus (InitChain, PrepareProposal,
/// ProcessProposal, ExtendVote, VerifyVoteExtension, FinalizeBlock, Commit), mempool (CheckTx),
/// info (Info, Query) and snapshot (ListSnapshots, OfferSnapshot, LoadSnapshotChunk,
/// ApplySnapshotChunk). An implementation must be safe to call from all four at once.
/// </para>
/// <para>
/// Failures: a method throws <see cref="AbciException"/> (or any exception) only when it cannot
/// answer at all; the server sends <c>ResponseException</c> with the message and CometBFT stops.
/// A refused transaction or query is a normal response with a non-zero code.
/// </para>
/// </summary>
public interface IAbciApplication
{
    ResponseEcho Echo(RequestEcho request) => new() { Message = request.Message };

    ResponseInfo Info(RequestInfo request);

    ResponseInitChain InitChain(RequestInitChain request);

    ResponseQuery Query(RequestQuery request);

    ResponseCheckTx CheckTx(RequestCheckTx request);

    ResponsePrepareProposal PrepareProposal(RequestPrepareProposal request);

    ResponseProcessProposal ProcessProposal(RequestProcessProposal request);

    ResponseExtendVote ExtendVote(RequestExtendVote request);

    ResponseVerifyVoteExtension VerifyVoteExtension(RequestVerifyVoteExtension request);

    ResponseFinalizeBlock FinalizeBlock(RequestFinalizeBlock request);

    ResponseCommit Commit(RequestCommit request);

    ResponseListSnapshots ListSnapshots(RequestListSnapshots request);

    ResponseOfferSnapshot OfferSnapshot(RequestOfferSnapshot request);

    ResponseLoadSnapshotChunk LoadSnapshotChunk(RequestLoadSnapshotChunk request);

    ResponseApplySnapshotChunk ApplySnapshotChunk(RequestApplySnapshotChunk request);
}

/// <summary>The application cannot answer a request (out of order, inconsistent with its state); CometBFT receives <c>ResponseException</c>.</summary>
public sealed class AbciException : Exception
{
    public AbciException()
    {
    }

    public AbciException(string message)
        : base(message)
    {
    }

    public AbciException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
