using System.Net.Sockets;
using Citrine.Chain.Abci.Wire;

namespace Citrine.Chain.Abci.Server;

/// <summary>
/// A client of the ABCI socket protocol that behaves like CometBFT's socket client: each
/// synchronous request is followed by a <c>Flush</c>, and pipelined requests by one <c>Flush</c>.
/// Calls on one client are serialized (a connection is a sequence); open one client per
/// concurrent stream, as CometBFT opens one connection per role. A call that fails other than by
/// <see cref="AbciRemoteException"/> (cancelled, connection lost) leaves the client unusable.
/// </summary>
public sealed class AbciSocketClient : IAsyncDisposable
{
    private static readonly Request FlushRequest = new() { Flush = new RequestFlush() };

    private readonly AbciStream _stream;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private bool _outOfStep;

    private AbciSocketClient(AbciStream stream, AbciAddress address)
    {
        _stream = stream;
        Address = address;
    }

    public AbciAddress Address { get; }

    /// <summary>Connects to a <c>tcp://</c> or <c>unix://</c> address.</summary>
    public static async Task<AbciSocketClient> ConnectAsync(AbciAddress address, int maxMessageSize = AbciFraming.DefaultMaxMessageSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Transport == AbciTransport.Grpc)
        {
            throw new ArgumentException($"{address} is a gRPC address; use a gRPC channel", nameof(address));
        }
        var endPoint = await address.ResolveAsync(cancellationToken).ConfigureAwait(false);
        var socket = address.Transport == AbciTransport.Unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new AbciSocketClient(new AbciStream(socket, maxMessageSize), address);
    }

    /// <summary>Sends <paramref name="request"/> and a <c>Flush</c>; returns the response of the request's kind.</summary>
    /// <exception cref="AbciRemoteException">the server answered with <c>ResponseException</c>.</exception>
    /// <exception cref="AbciProtocolException">the server answered out of turn or closed the connection.</exception>
    public async Task<Response> RequestAsync(Request request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        Response response;
        try
        {
            _stream.Write(request);
            _stream.Write(FlushRequest);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            response = await ReadAsync(cancellationToken).ConfigureAwait(false);
            await ReadFlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _outOfStep = true;
            throw;
        }
        finally
        {
            _turn.Release();
        }
        return Check(request, response);
    }

    /// <summary>
    /// Sends all <paramref name="requests"/> and then one <c>Flush</c>, and returns their responses in
    /// order. Every response is read before a <c>ResponseException</c> among them is thrown, so the
    /// connection stays in step. Write-then-read: keep a batch within what the socket buffers hold.
    /// </summary>
    /// <exception cref="AbciRemoteException">the server answered one of the requests with <c>ResponseException</c>.</exception>
    public async Task<IReadOnlyList<Response>> RequestManyAsync(IEnumerable<Request> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var sent = requests as IReadOnlyList<Request> ?? [.. requests];
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        var responses = new Response[sent.Count];
        try
        {
            for (var i = 0; i < sent.Count; i++)
            {
                if (_stream.Write(sent[i] ?? throw new ArgumentException("a request is null", nameof(requests))))
                {
                    await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            _stream.Write(FlushRequest);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < responses.Length; i++)
            {
                responses[i] = await ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            await ReadFlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _outOfStep = true;
            throw;
        }
        finally
        {
            _turn.Release();
        }
        for (var i = 0; i < responses.Length; i++)
        {
            Check(sent[i], responses[i]);
        }
        return responses;
    }

    public async Task<ResponseEcho> EchoAsync(string message, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { Echo = new RequestEcho { Message = message } }, cancellationToken).ConfigureAwait(false)).Echo;

    /// <summary>A <c>Flush</c> on its own (the server writes out anything buffered).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _stream.Write(FlushRequest);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            await ReadFlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _outOfStep = true;
            throw;
        }
        finally
        {
            _turn.Release();
        }
    }

    public async Task<ResponseInfo> InfoAsync(RequestInfo request, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { Info = request }, cancellationToken).ConfigureAwait(false)).Info;

    public async Task<ResponseInitChain> InitChainAsync(RequestInitChain request, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { InitChain = request }, cancellationToken).ConfigureAwait(false)).InitChain;

    public async Task<ResponseQuery> QueryAsync(RequestQuery request, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { Query = request }, cancellationToken).ConfigureAwait(false)).Query;

    public async Task<ResponseCheckTx> CheckTxAsync(RequestCheckTx request, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { CheckTx = request }, cancellationToken).ConfigureAwait(false)).CheckTx;

    public async Task<ResponsePrepareProposal> PrepareProposalAsync(RequestPrepareProposal request, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { PrepareProposal = request }, cancellationToken).ConfigureAwait(false)).PrepareProposal;

    public async Task<ResponseProcessProposal> ProcessProposalAsync(RequestProcessProposal request, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { ProcessProposal = request }, cancellationToken).ConfigureAwait(false)).ProcessProposal;

    public async Task<ResponseExtendVote> ExtendVoteAsync(RequestExtendVote request, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { ExtendVote = request }, cancellationToken).ConfigureAwait(false)).ExtendVote;

    public async Task<ResponseVerifyVoteExtension> VerifyVoteExtensionAsync(RequestVerifyVoteExtension request, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { VerifyVoteExtension = request }, cancellationToken).ConfigureAwait(false)).VerifyVoteExtension;

    public async Task<ResponseFinalizeBlock> FinalizeBlockAsync(RequestFinalizeBlock request, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { FinalizeBlock = request }, cancellationToken).ConfigureAwait(false)).FinalizeBlock;

    public async Task<ResponseCommit> CommitAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { Commit = new RequestCommit() }, cancellationToken).ConfigureAwait(false)).Commit;

    public async Task<ResponseListSnapshots> ListSnapshotsAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { ListSnapshots = new RequestListSnapshots() }, cancellationToken).ConfigureAwait(false)).ListSnapshots;

    public async Task<ResponseOfferSnapshot> OfferSnapshotAsync(RequestOfferSnapshot request, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { OfferSnapshot = request }, cancellationToken).ConfigureAwait(false)).OfferSnapshot;

    public async Task<ResponseLoadSnapshotChunk> LoadSnapshotChunkAsync(RequestLoadSnapshotChunk request, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { LoadSnapshotChunk = request }, cancellationToken).ConfigureAwait(false)).LoadSnapshotChunk;

    public async Task<ResponseApplySnapshotChunk> ApplySnapshotChunkAsync(RequestApplySnapshotChunk request, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { ApplySnapshotChunk = request }, cancellationToken).ConfigureAwait(false)).ApplySnapshotChunk;

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _turn.Dispose();
    }

    // A call cut short (cancelled, connection lost, bad frame) leaves responses unread or requests
    // half written: the connection can no longer pair responses with requests, so it is not used again.
    private async Task EnterAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_outOfStep)
        {
            _turn.Release();
            throw new AbciProtocolException($"the connection to {Address} is out of step after an earlier failed call; open a new client");
        }
    }

    private async ValueTask<Response> ReadAsync(CancellationToken cancellationToken) =>
        await _stream.ReadAsync(Response.Parser, cancellationToken).ConfigureAwait(false)
        ?? throw new AbciProtocolException($"the server at {Address} closed the connection before answering");

    private async ValueTask ReadFlushAsync(CancellationToken cancellationToken)
    {
        var flush = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (flush.ValueCase != Response.ValueOneofCase.Flush)
        {
            throw new AbciProtocolException($"the server at {Address} answered Flush with {flush.ValueCase}");
        }
    }

    private Response Check(Request request, Response response)
    {
        if (response.ValueCase == Response.ValueOneofCase.Exception)
        {
            throw new AbciRemoteException(response.Exception.Error);
        }
        var expected = AbciDispatcher.ResponseKindFor(request.ValueCase);
        if (response.ValueCase != expected)
        {
            throw new AbciProtocolException($"the server at {Address} answered {request.ValueCase} with {response.ValueCase}");
        }
        return response;
    }
}

/// <summary>The ABCI server answered with <c>ResponseException</c>; <see cref="Exception.Message"/> is its error text.</summary>
public sealed class AbciRemoteException : Exception
{
    public AbciRemoteException()
    {
    }

    public AbciRemoteException(string message)
        : base(message)
    {
    }

    public AbciRemoteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The ABCI peer broke the protocol: a response of the wrong kind, or no response.</summary>
public sealed class AbciProtocolException : IOException
{
    public AbciProtocolException()
    {
    }

    public AbciProtocolException(string message)
        : base(message)
    {
    }

    public AbciProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
