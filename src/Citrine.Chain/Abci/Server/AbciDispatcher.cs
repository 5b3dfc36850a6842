using Citrine.Chain.Abci.Wire;

namespace Citrine.Chain.Abci.Server;

/// <summary>Maps each socket-protocol <see cref="Request"/> to the application method of its kind.</summary>
public static class AbciDispatcher
{
    /// <summary>
    /// Calls the application method for <paramref name="request"/>'s kind and wraps the answer in a
    /// <see cref="Response"/> of the same kind. <c>Flush</c> is answered here. A request with no value
    /// (unset, or a kind this version does not know, which protobuf keeps as an unknown field) gets
    /// <c>ResponseException</c>. An exception from the application propagates: the transport decides
    /// how to report it.
    /// </summary>
    public static Response Dispatch(IAbciApplication app, Request request)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(request);
        return request.ValueCase switch
        {
            Request.ValueOneofCase.Echo => new Response { Echo = app.Echo(request.Echo) },
            Request.ValueOneofCase.Flush => new Response { Flush = new ResponseFlush() },
            Request.ValueOneofCase.Info => new Response { Info = app.Info(request.Info) },
            Request.ValueOneofCase.InitChain => new Response { InitChain = app.InitChain(request.InitChain) },
            Request.ValueOneofCase.Query => new Response { Query = app.Query(request.Query) },
            Request.ValueOneofCase.CheckTx => new Response { CheckTx = app.CheckTx(request.CheckTx) },
            Request.ValueOneofCase.Commit => new Response { Commit = app.Commit(request.Commit) },
            Request.ValueOneofCase.ListSnapshots => new Response { ListSnapshots = app.ListSnapshots(request.ListSnapshots) },
            Request.ValueOneofCase.OfferSnapshot => new Response { OfferSnapshot = app.OfferSnapshot(request.OfferSnapshot) },
            Request.ValueOneofCase.LoadSnapshotChunk => new Response { LoadSnapshotChunk = app.LoadSnapshotChunk(request.LoadSnapshotChunk) },
            Request.ValueOneofCase.ApplySnapshotChunk => new Response { ApplySnapshotChunk = app.ApplySnapshotChunk(request.ApplySnapshotChunk) },
            Request.ValueOneofCase.PrepareProposal => new Response { PrepareProposal = app.PrepareProposal(request.PrepareProposal) },
            Request.ValueOneofCase.ProcessProposal => new Response { ProcessProposal = app.ProcessProposal(request.ProcessProposal) },
            Request.ValueOneofCase.ExtendVote => new Response { ExtendVote = app.ExtendVote(request.ExtendVote) },
            Request.ValueOneofCase.VerifyVoteExtension => new Response { VerifyVoteExtension = app.VerifyVoteExtension(request.VerifyVoteExtension) },
            Request.ValueOneofCase.FinalizeBlock => new Response { FinalizeBlock = app.FinalizeBlock(request.FinalizeBlock) },
            _ => Exception("the request has no value set, or a kind this server does not know"),
        };
    }

    /// <summary>The response kind that answers a request kind (<see cref="Response.ValueOneofCase.None"/> for an unset request).</summary>
    public static Response.ValueOneofCase ResponseKindFor(Request.ValueOneofCase requestKind) => requestKind switch
    {
        Request.ValueOneofCase.Echo => Response.ValueOneofCase.Echo,
        Request.ValueOneofCase.Flush => Response.ValueOneofCase.Flush,
        Request.ValueOneofCase.Info => Response.ValueOneofCase.Info,
        Request.ValueOneofCase.InitChain => Response.ValueOneofCase.InitChain,
        Request.ValueOneofCase.Query => Response.ValueOneofCase.Query,
        Request.ValueOneofCase.CheckTx => Response.ValueOneofCase.CheckTx,
        Request.ValueOneofCase.Commit => Response.ValueOneofCase.Commit,
        Request.ValueOneofCase.ListSnapshots => Response.ValueOneofCase.ListSnapshots,
        Request.ValueOneofCase.OfferSnapshot => Response.ValueOneofCase.OfferSnapshot,
        Request.ValueOneofCase.LoadSnapshotChunk => Response.ValueOneofCase.LoadSnapshotChunk,
        Request.ValueOneofCase.ApplySnapshotChunk => Response.ValueOneofCase.ApplySnapshotChunk,
        Request.ValueOneofCase.PrepareProposal => Response.ValueOneofCase.PrepareProposal,
        Request.ValueOneofCase.ProcessProposal => Response.ValueOneofCase.ProcessProposal,
        Request.ValueOneofCase.ExtendVote => Response.ValueOneofCase.ExtendVote,
        Request.ValueOneofCase.VerifyVoteExtension => Response.ValueOneofCase.VerifyVoteExtension,
        Request.ValueOneofCase.FinalizeBlock => Response.ValueOneofCase.FinalizeBlock,
        _ => Response.ValueOneofCase.None,
    };

    internal static Response Exception(string error) => new() { Exception = new ResponseException { Error = error } };
}
