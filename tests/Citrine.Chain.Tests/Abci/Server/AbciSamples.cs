using Citrine.Chain.Abci.Wire;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Citrine.Chain.Tests.Abci.Server;

/// <summary>One request of every kind CometBFT v0.38 sends, with the fake application method it must reach.</summary>
internal static class AbciSamples
{
    public static IReadOnlyList<(string Method, Request Request)> EveryKind { get; } =
    [
        ("Echo", new Request { Echo = new RequestEcho { Message = "hello" } }),
        ("Info", new Request { Info = new RequestInfo { Version = "0.38.17", BlockVersion = 11, P2PVersion = 8, AbciVersion = "2.0.0" } }),
        ("InitChain", new Request { InitChain = new RequestInitChain { ChainId = "citrine-test", InitialHeight = 1, Time = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)) } }),
        ("Query", new Request { Query = new RequestQuery { Path = "/store/key", Data = ByteString.CopyFromUtf8("k"), Height = 3 } }),
        ("CheckTx:NEW", new Request { CheckTx = new RequestCheckTx { Tx = ByteString.CopyFromUtf8("tx-1"), Type = CheckTxType.New } }),
        ("CheckTx:RECHECK", new Request { CheckTx = new RequestCheckTx { Tx = ByteString.CopyFromUtf8("tx-1"), Type = CheckTxType.Recheck } }),
        ("Commit", new Request { Commit = new RequestCommit() }),
        ("ListSnapshots", new Request { ListSnapshots = new RequestListSnapshots() }),
        ("OfferSnapshot", new Request { OfferSnapshot = new RequestOfferSnapshot { Snapshot = new Snapshot { Height = 5, Format = 1 }, AppHash = ByteString.CopyFrom(1, 2, 3) } }),
        ("LoadSnapshotChunk", new Request { LoadSnapshotChunk = new RequestLoadSnapshotChunk { Height = 5, Format = 1, Chunk = 2 } }),
        ("ApplySnapshotChunk", new Request { ApplySnapshotChunk = new RequestApplySnapshotChunk { Index = 2, Chunk = ByteString.CopyFrom(9) } }),
        ("PrepareProposal", new Request { PrepareProposal = new RequestPrepareProposal { Height = 2, MaxTxBytes = 1024, Txs = { ByteString.CopyFromUtf8("tx-1") } } }),
        ("ProcessProposal", new Request { ProcessProposal = new RequestProcessProposal { Height = 2, Txs = { ByteString.CopyFromUtf8("tx-1") } } }),
        ("ExtendVote", new Request { ExtendVote = new RequestExtendVote { Height = 2, Hash = ByteString.CopyFrom(7, 7) } }),
        ("VerifyVoteExtension", new Request { VerifyVoteExtension = new RequestVerifyVoteExtension { Height = 2, VoteExtension = ByteString.CopyFrom(7, 7) } }),
        ("FinalizeBlock", new Request { FinalizeBlock = new RequestFinalizeBlock { Height = 2, Hash = ByteString.CopyFrom(4, 2), Txs = { ByteString.CopyFromUtf8("tx-1"), ByteString.CopyFromUtf8("tx-2") } } }),
    ];

    public static Request Echo(string message) => new() { Echo = new RequestEcho { Message = message } };

    public static Request CheckTx(string tx, CheckTxType type = CheckTxType.New) => new() { CheckTx = new RequestCheckTx { Tx = ByteString.CopyFromUtf8(tx), Type = type } };
}
