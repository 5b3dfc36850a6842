using Citrine.Chain.Abci.Server;
using Citrine.Chain.Abci.Wire;
using Google.Protobuf;

namespace Citrine.Chain.Tests.Abci.Server;

/// <summary>
/// The message order CometBFT v0.38 produces over its four connections (spec/abci/abci++_basic_concepts.md,
/// abci++_comet_expected_behavior.md), played against one server: the info connection asks Info, the
/// consensus connection runs InitChain then PrepareProposal → ProcessProposal → FinalizeBlock → Commit for
/// each block while the mempool connection checks new transactions, and after each Commit the mempool
/// rechecks what is left; the snapshot connection lists snapshots.
/// </summary>
public sealed class AbciMessageOrderTests
{
    private const int Blocks = 3;

    [Theory]
    [InlineData("tcp")]
    [InlineData("unix")]
    public async Task CometBft_v038_message_order_over_four_connections(string transport)
    {
        var app = new RecordingAbciApplication();
        await using var server = await AbciTestAddresses.StartAsync(app, transport);
        await using var info = await AbciSocketClient.ConnectAsync(server.BoundAddress!);
        await using var consensus = await AbciSocketClient.ConnectAsync(server.BoundAddress!);
        await using var mempool = await AbciSocketClient.ConnectAsync(server.BoundAddress!);
        await using var snapshot = await AbciSocketClient.ConnectAsync(server.BoundAddress!);

        // Handshake (proxy/handshaker): Info on the info connection, then InitChain at height 0.
        var status = await info.InfoAsync(new RequestInfo { Version = "0.38.17", AbciVersion = "2.0.0" });
        Assert.Equal("fake", status.Data);
        await consensus.InitChainAsync(new RequestInitChain { ChainId = "citrine-test", InitialHeight = 1 });

        var pending = new List<ByteString>();
        for (var height = 1; height <= Blocks; height++)
        {
            // New transactions arrive on the mempool connection while consensus works on the block.
            var fresh = ByteString.CopyFromUtf8($"tx-{height}");
            var checkNew = mempool.CheckTxAsync(new RequestCheckTx { Tx = fresh, Type = CheckTxType.New });
            var block = RunBlockAsync(consensus, height, pending);
            await Task.WhenAll(checkNew, block);
            pending.Clear();
            pending.Add(fresh);

            // After Commit the mempool (Update) rechecks the transactions still waiting.
            foreach (var tx in pending)
            {
                var recheck = await mempool.CheckTxAsync(new RequestCheckTx { Tx = tx, Type = CheckTxType.Recheck });
                Assert.Equal(0u, recheck.Code);
            }
        }
        var snapshots = await snapshot.ListSnapshotsAsync();
        Assert.Single(snapshots.Snapshots);

        var calls = app.Calls;
        Assert.Equal("Info", calls[0]);
        Assert.Equal(
            ["InitChain", .. Enumerable.Repeat<string[]>(["PrepareProposal", "ProcessProposal", "FinalizeBlock", "Commit"], Blocks).SelectMany(b => b)],
            calls.Where(IsConsensus));
        Assert.Equal(
            Enumerable.Repeat<string[]>(["CheckTx:NEW", "CheckTx:RECHECK"], Blocks).SelectMany(b => b),
            calls.Where(c => c.StartsWith("CheckTx", StringComparison.Ordinal)));
        var commits = Positions(calls, "Commit");
        var rechecks = Positions(calls, "CheckTx:RECHECK");
        for (var h = 0; h < Blocks; h++)
        {
            Assert.True(rechecks[h] > commits[h], $"the recheck after block {h + 1} came before its Commit");
        }
        Assert.Equal("ListSnapshots", calls[^1]);
        Assert.Equal(4, server.ConnectionCount);
    }

    private static async Task RunBlockAsync(AbciSocketClient consensus, int height, IReadOnlyList<ByteString> txs)
    {
        var proposal = await consensus.PrepareProposalAsync(new RequestPrepareProposal { Height = height, MaxTxBytes = 1 << 20, Txs = { txs } });
        var hash = ByteString.CopyFrom((byte)height);
        var verdict = await consensus.ProcessProposalAsync(new RequestProcessProposal { Height = height, Hash = hash, Txs = { proposal.Txs } });
        Assert.Equal(ResponseProcessProposal.Types.ProposalStatus.Accept, verdict.Status);
        var finalized = await consensus.FinalizeBlockAsync(new RequestFinalizeBlock { Height = height, Hash = hash, Txs = { proposal.Txs } });
        Assert.Equal(proposal.Txs.Count, finalized.TxResults.Count);
        await consensus.CommitAsync();
    }

    private static bool IsConsensus(string call) => call is "InitChain" or "PrepareProposal" or "ProcessProposal" or "FinalizeBlock" or "Commit";

    private static List<int> Positions(IReadOnlyList<string> calls, string name) =>
        [.. calls.Select((c, i) => (c, i)).Where(x => x.c == name).Select(x => x.i)];
}
