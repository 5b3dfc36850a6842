using System.Buffers.Binary;
using Citrine.Chain.Abci.Server;
using Citrine.Chain.Abci.Snapshots;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.App;
using Citrine.Chain.State;
using Citrine.Chain.Tests.Abci.App;
using Google.Protobuf;

namespace Citrine.Chain.Tests.Abci;

/// <summary>
/// The application behind the real socket server, driven over four real connections with the
/// message sequence a CometBFT v0.38 node sends (spec/abci/abci++_basic_concepts.md,
/// abci++_comet_expected_behavior.md): the handshake (Info on the query connection, InitChain on
/// the consensus connection at height 0), mempool admission (CheckTx NEW), the block cycle
/// (PrepareProposal, ProcessProposal, FinalizeBlock, then Commit while the mempool is locked and
/// flushed, then CheckTx RECHECK of what is left), queries with proofs, and state sync of a new
/// node (ListSnapshots / LoadSnapshotChunk on a serving node, OfferSnapshot / ApplySnapshotChunk
/// on the new one, then both continue with the same blocks).
/// </summary>
public sealed class CometBftFlowTests : IDisposable
{
    private const long MaxTxBytes = 4 * 1024 * 1024;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citrine-abci-flow-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>One app behind a socket server, with the four connections CometBFT opens.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private Node(AbciTestApp app, StateSync sync, AbciSocketServer server)
        {
            App = app;
            Sync = sync;
            Server = server;
        }

        public AbciTestApp App { get; }

        public StateSync Sync { get; }

        public AbciSocketServer Server { get; }

        public AbciSocketClient Consensus { get; private set; } = null!;

        public AbciSocketClient Mempool { get; private set; } = null!;

        public AbciSocketClient Query { get; private set; } = null!;

        public AbciSocketClient Snapshot { get; private set; } = null!;

        public static async Task<Node> StartAsync(string dir, AbciAddress address)
        {
            var state = MultiStoreState.InMemory(ChainApp.StoreNames);
            var sync = new StateSync(state, new StateSyncOptions { Directory = dir, Interval = 2, KeepRecent = 2, ChunkSize = 256 });
            var app = new AbciTestApp(state, stateSync: sync);
            var server = new AbciSocketServer(app.App, address);
            await server.StartAsync();
            var node = new Node(app, sync, server);
            var bound = server.BoundAddress!;
            node.Consensus = await AbciSocketClient.ConnectAsync(bound);
            node.Mempool = await AbciSocketClient.ConnectAsync(bound);
            node.Query = await AbciSocketClient.ConnectAsync(bound);
            node.Snapshot = await AbciSocketClient.ConnectAsync(bound);
            return node;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in new[] { Consensus, Mempool, Query, Snapshot })
            {
                await client.DisposeAsync();
            }
            await Server.DisposeAsync();
            await Sync.PendingSnapshots;
            App.Dispose();
        }
    }

    private static RequestInfo HandshakeInfo() => new() { Version = "0.38.17", BlockVersion = 11, P2PVersion = 8, AbciVersion = "2.0.0" };

    private static Google.Protobuf.WellKnownTypes.Timestamp Time(long height) =>
        new() { Seconds = AbciTestApp.BlockTime(height).Seconds, Nanos = AbciTestApp.BlockTime(height).Nanos };

    /// <summary>
    /// One height as CometBFT runs it on this node: when it proposes, PrepareProposal over its
    /// mempool (within <paramref name="maxTxBytes"/>); otherwise the block <paramref name="block"/>
    /// from another proposer. Then ProcessProposal, FinalizeBlock, the mempool flushed, Commit,
    /// and RECHECK of the mempool's txs the block did not carry. Returns FinalizeBlock's answer and
    /// the mempool after the recheck.
    /// </summary>
    private static async Task<(ResponseFinalizeBlock Finalized, List<byte[]> Mempool)> RunHeightAsync(Node node, long height, List<byte[]> mempool, List<byte[]>? block = null, long maxTxBytes = MaxTxBytes)
    {
        var proposer = ByteString.CopyFrom(new byte[20]);
        IReadOnlyList<ByteString> txs;
        if (block is null)
        {
            var prepare = new RequestPrepareProposal { MaxTxBytes = maxTxBytes, Height = height, Time = Time(height), ProposerAddress = proposer };
            prepare.Txs.Add(mempool.Select(ByteString.CopyFrom));
            txs = [.. (await node.Consensus.RequestAsync(new Request { PrepareProposal = prepare })).PrepareProposal.Txs];
        }
        else
        {
            txs = [.. block.Select(ByteString.CopyFrom)];
        }
        var process = new RequestProcessProposal { Height = height, Time = Time(height), Hash = ByteString.CopyFrom(new byte[32]), ProposerAddress = proposer };
        process.Txs.Add(txs);
        var processed = (await node.Consensus.RequestAsync(new Request { ProcessProposal = process })).ProcessProposal;
        Assert.Equal(ResponseProcessProposal.Types.ProposalStatus.Accept, processed.Status);
        var finalize = AbciTestApp.FinalizeRequest(height, txs.Select(t => t.ToByteArray()), AbciTestApp.BlockTime(height));
        finalize.Hash = process.Hash;
        var finalized = (await node.Consensus.RequestAsync(new Request { FinalizeBlock = finalize })).FinalizeBlock;
        // CometBFT: mempool.Lock(); mempool.FlushAppConn(); Commit; mempool.Update -> recheck the rest.
        await node.Mempool.RequestAsync(new Request { Flush = new RequestFlush() });
        await node.Consensus.RequestAsync(new Request { Commit = new RequestCommit() });
        var included = txs.Select(t => Convert.ToHexString(t.Span)).ToHashSet(StringComparer.Ordinal);
        var left = mempool.Where(t => !included.Contains(Convert.ToHexString(t))).ToList();
        var kept = new List<byte[]>();
        if (left.Count > 0)
        {
            var rechecks = await node.Mempool.RequestManyAsync(left.Select(t => new Request { CheckTx = new RequestCheckTx { Tx = ByteString.CopyFrom(t), Type = CheckTxType.Recheck } }));
            kept.AddRange(left.Where((_, i) => rechecks[i].CheckTx.Code == TxCodes.Ok));
        }
        return (finalized, kept);
    }

    /// <summary>A tx's share of max_tx_bytes as CometBFT counts it: the protobuf field it takes in Data (tag, length, bytes).</summary>
    private static long ProtoSize(byte[] tx) => 1 + CodedOutputStream.ComputeLengthSize(tx.Length) + tx.Length;

    private static async Task<List<byte[]>> AdmitAsync(Node node, params byte[][] txs)
    {
        foreach (var tx in txs)
        {
            var check = await node.Mempool.CheckTxAsync(new RequestCheckTx { Tx = ByteString.CopyFrom(tx), Type = CheckTxType.New });
            Assert.Equal(TxCodes.Ok, check.Code);
        }
        return [.. txs];
    }

    [Fact]
    public async Task A_cometbft_0_38_session_over_sockets_runs_handshake_blocks_rechecks_proofs_and_state_sync()
    {
        await using var source = await Node.StartAsync(Path.Combine(_dir, "source"), AbciAddress.Tcp("127.0.0.1", 0));
        var app = source.App;

        // Handshake: Info on the query connection; height 0 -> InitChain on the consensus connection.
        var info = (await source.Query.RequestAsync(new Request { Info = HandshakeInfo() })).Info;
        Assert.Equal(0, info.LastBlockHeight);
        Assert.True(info.LastBlockAppHash.IsEmpty);
        var init = (await source.Consensus.RequestAsync(new Request { InitChain = AbciTestApp.InitChainRequest(app.Genesis) })).InitChain;
        Assert.Equal(32, init.AppHash.Length);

        // Mempool: three sends of account 0 in sequence and one of account 1.
        var mempool = await AdmitAsync(source, app.Send(0, 1, 10, 0), app.Send(0, 2, 20, 1), app.Send(0, 1, 30, 2), app.Send(1, 2, 5, 0));
        var outOfOrder = (await source.Mempool.CheckTxAsync(new RequestCheckTx { Tx = ByteString.CopyFrom(app.Send(0, 1, 1, 9)) })).Code;
        Assert.Equal(TxCodes.InvalidSequence, outOfOrder);

        // Height 1, proposed here with room for three txs: PrepareProposal keeps CometBFT's order
        // and stops before max_tx_bytes; account 1's tx stays in the mempool and passes RECHECK.
        var (h1, left) = await RunHeightAsync(source, 1, mempool, maxTxBytes: mempool.Take(3).Sum(ProtoSize));
        Assert.Equal(3, h1.TxResults.Count);
        Assert.All(h1.TxResults, r => Assert.Equal(TxCodes.Ok, r.Code));
        Assert.Equal([mempool[3]], left);

        // Height 2, proposed by another validator: a different tx with account 1's sequence 0.
        // After Commit the mempool's copy is stale: RECHECK drops it.
        var (h2, afterRival) = await RunHeightAsync(source, 2, left, block: [app.Send(1, 0, 7, 0)]);
        Assert.Equal(TxCodes.Ok, h2.TxResults.Single().Code);
        Assert.Empty(afterRival);

        var (h3, _) = await RunHeightAsync(source, 3, await AdmitAsync(source, app.Send(2, 0, 1, 0)));
        var (h4, _) = await RunHeightAsync(source, 4, await AdmitAsync(source, app.Send(0, 2, 40, 3)));
        Assert.Equal(TxCodes.Ok, h3.TxResults.Single().Code);
        Assert.Equal(TxCodes.Ok, h4.TxResults.Single().Code);

        // Info after the cycle: the last committed height and the app hash FinalizeBlock announced.
        info = (await source.Query.InfoAsync(HandshakeInfo()));
        Assert.Equal(4, info.LastBlockHeight);
        Assert.Equal(h4.AppHash, info.LastBlockAppHash);

        // A query with proof at height 3 verifies against the app hash committed at 3 (header 4's).
        var query = await source.Query.QueryAsync(new RequestQuery { Path = "/store/bank/key", Data = ByteString.CopyFrom(app.Address(2)), Height = 3, Prove = true });
        Assert.Equal(0u, query.Code);
        Assert.Equal(3, query.Height);
        Assert.Equal(1_000_000UL + 20 - 1, BinaryPrimitives.ReadUInt64BigEndian(query.Value.Span));
        var ops = query.ProofOps.Ops.Select(o => new Citrine.Ics23.Abci.ProofOp(o.Type, o.Key.ToByteArray(), o.Data.ToByteArray())).ToList();
        Assert.Equal(["ics23:iavl", "ics23:simple"], ops.Select(o => o.Type));
        var keyPath = new List<ReadOnlyMemory<byte>> { "bank"u8.ToArray(), app.Address(2) };
        Assert.True(Citrine.Ics23.Abci.ProofOps.VerifyMembership(ops, h3.AppHash.Span, keyPath, query.Value.Span).IsValid);
        Assert.False(Citrine.Ics23.Abci.ProofOps.VerifyMembership(ops, h4.AppHash.Span, keyPath, query.Value.Span).IsValid);

        // State sync of a new node from the snapshot taken at height 4.
        await source.Sync.PendingSnapshots;
        var snapshots = (await source.Snapshot.ListSnapshotsAsync()).Snapshots;
        Assert.Equal([4UL, 2UL], snapshots.Select(s => s.Height));
        var snapshot = snapshots[0];
        Assert.True(snapshot.Chunks > 1, "the state spans several chunks of 256 bytes");
        await using var target = await Node.StartAsync(Path.Combine(_dir, "target"), AbciAddress.Unix(Path.Combine(_dir, "target.sock")));
        Assert.Equal(0, (await target.Query.InfoAsync(HandshakeInfo())).LastBlockHeight);
        var offer = await target.Snapshot.OfferSnapshotAsync(new RequestOfferSnapshot { Snapshot = snapshot, AppHash = h4.AppHash });
        Assert.Equal(ResponseOfferSnapshot.Types.Result.Accept, offer.Result);
        for (uint i = 0; i < snapshot.Chunks; i++)
        {
            var chunk = await source.Snapshot.LoadSnapshotChunkAsync(new RequestLoadSnapshotChunk { Height = snapshot.Height, Format = snapshot.Format, Chunk = i });
            var applied = await target.Snapshot.ApplySnapshotChunkAsync(new RequestApplySnapshotChunk { Index = i, Chunk = chunk.Chunk, Sender = "source" });
            Assert.Equal(ResponseApplySnapshotChunk.Types.Result.Accept, applied.Result);
        }
        var synced = await target.Query.InfoAsync(HandshakeInfo());
        Assert.Equal(4, synced.LastBlockHeight);
        Assert.Equal(h4.AppHash, synced.LastBlockAppHash);

        // Both nodes then run the same height 5 to the same app hash and results.
        var next = await AdmitAsync(target, app.Send(1, 0, 3, 1), app.Send(2, 1, 4, 1));
        await AdmitAsync(source, [.. next]);
        var (s5, _) = await RunHeightAsync(source, 5, next);
        var (t5, _) = await RunHeightAsync(target, 5, next);
        Assert.Equal(s5, t5);
        Assert.Equal(source.App.Balance(0), target.App.Balance(0));
    }
}
