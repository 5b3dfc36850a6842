using System.Collections.Concurrent;
using Citrine.Chain.Abci;
using Citrine.Chain.Abci.Wire;
using Google.Protobuf;

namespace Citrine.Chain.Tests.Abci.Server;

/// <summary>
/// A fake application that records every call (method name and, for CheckTx, its type) and answers
/// with a response that carries a marker of the request, so a test can see which method ran on what.
/// <see cref="FailOn"/> makes a method throw.
/// </summary>
internal sealed class RecordingAbciApplication : IAbciApplication
{
    private readonly ConcurrentQueue<string> _calls = new();

    public IReadOnlyList<string> Calls => [.. _calls];

    /// <summary>Method name that throws <see cref="AbciException"/> with <see cref="FailureMessage"/>.</summary>
    public string? FailOn { get; set; }

    public string FailureMessage { get; set; } = "the fake application refuses";

    /// <summary>Called on every method after it is recorded (tests use it to observe order across connections).</summary>
    public Action<string>? OnCall { get; set; }

    public ResponseEcho Echo(RequestEcho request) => Record(nameof(Echo), () => new ResponseEcho { Message = request.Message });

    public ResponseInfo Info(RequestInfo request) => Record(nameof(Info), () => new ResponseInfo { Data = "fake", Version = request.Version, LastBlockHeight = 7 });

    public ResponseInitChain InitChain(RequestInitChain request) => Record(nameof(InitChain), () => new ResponseInitChain { AppHash = ByteString.CopyFromUtf8(request.ChainId) });

    public ResponseQuery Query(RequestQuery request) => Record(nameof(Query), () => new ResponseQuery { Key = request.Data, Height = request.Height, Log = request.Path });

    public ResponseCheckTx CheckTx(RequestCheckTx request) => Record(
        request.Type == CheckTxType.Recheck ? "CheckTx:RECHECK" : "CheckTx:NEW",
        () => new ResponseCheckTx { Code = 0, GasWanted = request.Tx.Length, Data = request.Tx });

    public ResponsePrepareProposal PrepareProposal(RequestPrepareProposal request) => Record(nameof(PrepareProposal), () => new ResponsePrepareProposal { Txs = { request.Txs } });

    public ResponseProcessProposal ProcessProposal(RequestProcessProposal request) => Record(nameof(ProcessProposal), () => new ResponseProcessProposal { Status = ResponseProcessProposal.Types.ProposalStatus.Accept });

    public ResponseExtendVote ExtendVote(RequestExtendVote request) => Record(nameof(ExtendVote), () => new ResponseExtendVote { VoteExtension = request.Hash });

    public ResponseVerifyVoteExtension VerifyVoteExtension(RequestVerifyVoteExtension request) => Record(nameof(VerifyVoteExtension), () => new ResponseVerifyVoteExtension { Status = ResponseVerifyVoteExtension.Types.VerifyStatus.Accept });

    public ResponseFinalizeBlock FinalizeBlock(RequestFinalizeBlock request) => Record(nameof(FinalizeBlock), () =>
    {
        var response = new ResponseFinalizeBlock { AppHash = request.Hash };
        foreach (var tx in request.Txs)
        {
            response.TxResults.Add(new ExecTxResult { Code = 0, Data = tx });
        }
        return response;
    });

    public ResponseCommit Commit(RequestCommit request) => Record(nameof(Commit), () => new ResponseCommit { RetainHeight = 1 });

    public ResponseListSnapshots ListSnapshots(RequestListSnapshots request) => Record(nameof(ListSnapshots), () => new ResponseListSnapshots { Snapshots = { new Snapshot { Height = 5, Format = 1 } } });

    public ResponseOfferSnapshot OfferSnapshot(RequestOfferSnapshot request) => Record(nameof(OfferSnapshot), () => new ResponseOfferSnapshot { Result = ResponseOfferSnapshot.Types.Result.Accept });

    public ResponseLoadSnapshotChunk LoadSnapshotChunk(RequestLoadSnapshotChunk request) => Record(nameof(LoadSnapshotChunk), () => new ResponseLoadSnapshotChunk { Chunk = ByteString.CopyFrom((byte)request.Chunk) });

    public ResponseApplySnapshotChunk ApplySnapshotChunk(RequestApplySnapshotChunk request) => Record(nameof(ApplySnapshotChunk), () => new ResponseApplySnapshotChunk { Result = ResponseApplySnapshotChunk.Types.Result.Accept });

    private T Record<T>(string name, Func<T> answer)
    {
        _calls.Enqueue(name);
        OnCall?.Invoke(name);
        if (FailOn is { } failOn && name.StartsWith(failOn, StringComparison.Ordinal))
        {
            throw new AbciException(FailureMessage);
        }
        return answer();
    }
}
