using Citrine.Chain.Abci;
using Citrine.Chain.Abci.App;
using Citrine.Chain.Abci.Snapshots;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.App;
using Citrine.Chain.Contracts;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Chain.Tests.Contracts;
using Citrine.Chain.Txs;
using Citrine.Crypto;
using Citrine.Crypto.Signatures;
using Google.Protobuf;

namespace Citrine.Chain.Tests.Abci.App;

public sealed class CitrineAbciAppTests
{
    private static AbciTestApp Started(AbciAppOptions? options = null, ContractHost? contracts = null, IStateSync? stateSync = null, GenesisDoc? genesis = null)
    {
        var t = new AbciTestApp(options: options, contracts: contracts, stateSync: stateSync, genesis: genesis);
        t.InitChain();
        return t;
    }

    private static ContractHost CounterHost()
    {
        var host = new ContractHost();
        host.Register(new ContractCode("counter", new byte[32], () => new CounterContract()));
        return host;
    }

    // ---- Info ----

    [Fact]
    public void Info_of_an_empty_app_is_height_0_with_an_empty_app_hash()
    {
        using var t = new AbciTestApp(options: new AbciAppOptions { Version = "9.9.9" });
        var info = t.App.Info(new RequestInfo());
        Assert.Equal(0, info.LastBlockHeight);
        Assert.True(info.LastBlockAppHash.IsEmpty);
        Assert.Equal("citrine", info.Data);
        Assert.Equal("9.9.9", info.Version);
        Assert.Equal(0UL, info.AppVersion);
    }

    [Fact]
    public void Info_reports_the_last_committed_height_and_its_app_hash_not_a_finalized_one()
    {
        using var t = Started();
        var first = t.Block(t.Send(1, 2, 10, 0));
        t.Finalize(2, t.Send(1, 2, 10, 1));
        var info = t.App.Info(new RequestInfo());
        Assert.Equal(1, info.LastBlockHeight);
        Assert.Equal(first.AppHash, info.LastBlockAppHash);
    }

    // ---- InitChain ----

    [Fact]
    public void InitChain_answers_the_genesis_validators_and_the_devnet_genesis_app_hash()
    {
        using var t = new AbciTestApp();
        var response = t.InitChain();
        using var devnet = new TestChain();
        Assert.Equal(devnet.Node.LatestAppHash, response.AppHash.ToByteArray());
        var v = Assert.Single(response.Validators);
        Assert.Equal(t.Genesis.Validators[0].PublicKey, v.PubKey.Ed25519.ToByteArray());
        Assert.Equal(10, v.Power);
    }

    [Fact]
    public void InitChain_is_refused_once_a_height_is_committed()
    {
        using var t = Started();
        t.Block();
        var e = Assert.Throws<AbciException>(() => t.InitChain());
        Assert.Equal("InitChain on an app that has committed height 1: InitChain is only for an empty app", e.Message);
    }

    [Fact]
    public void InitChain_twice_before_the_first_commit_starts_over_without_writing_genesis_twice()
    {
        using var t = new AbciTestApp();
        var first = t.InitChain();
        t.Finalize(1, t.Send(1, 2, 10, 0));
        var second = t.InitChain();
        Assert.Equal(first.AppHash, second.AppHash);
        // Account numbers would shift if genesis accounts were created twice: account 1 signs with number 1.
        var block = t.Block(t.Send(1, 2, 10, 0));
        Assert.Equal(0u, block.TxResults[0].Code);
        Assert.Equal(1_000_000UL - 10, t.Balance(1));
        Assert.Equal(1_000_000UL + 10, t.Balance(2));
    }

    // ---- CheckTx ----

    [Fact]
    public void CheckTx_accepts_a_valid_send_and_reports_its_gas()
    {
        using var t = Started();
        var r = t.CheckTx(t.Send(1, 2, 5, 0));
        Assert.Equal(0u, r.Code);
        Assert.Equal(200_000, r.GasWanted);
        Assert.True(r.GasUsed > 0);
    }

    [Fact]
    public void CheckTx_NEW_continues_the_sequences_admitted_since_the_last_commit()
    {
        using var t = Started();
        Assert.Equal(0u, t.CheckTx(t.Send(1, 2, 5, 0)).Code);
        var again = t.CheckTx(t.Send(1, 2, 6, 0));
        Assert.Equal(TxCodes.InvalidSequence, again.Code);
        Assert.Equal("account sequence mismatch, expected 1, got 0", again.Log);
        Assert.Equal("sdk", again.Codespace);
        Assert.Equal(0u, t.CheckTx(t.Send(1, 2, 5, 1)).Code);
    }

    [Fact]
    public void CheckTx_RECHECK_after_commit_checks_against_the_new_state_in_mempool_order()
    {
        using var t = Started();
        var tx0 = t.Send(1, 2, 5, 0);
        var tx1 = t.Send(1, 2, 5, 1);
        Assert.Equal(0u, t.CheckTx(tx0).Code);
        Assert.Equal(0u, t.CheckTx(tx1).Code);
        t.Block(tx0);
        var stale = t.CheckTx(tx0, CheckTxType.Recheck);
        Assert.Equal(TxCodes.InvalidSequence, stale.Code);
        Assert.Equal("account sequence mismatch, expected 1, got 0", stale.Log);
        Assert.Equal(0u, t.CheckTx(tx1, CheckTxType.Recheck).Code);
        Assert.Equal(0u, t.CheckTx(t.Send(1, 2, 5, 2)).Code);
    }

    [Fact]
    public void CheckTx_checks_against_the_committed_state_while_a_block_is_finalized_but_not_committed()
    {
        using var t = Started();
        t.Block();
        t.Finalize(2, t.Send(1, 2, 5, 0));
        Assert.Equal(0u, t.CheckTx(t.Send(1, 2, 5, 0)).Code);
    }

    [Fact]
    public void CheckTx_of_garbage_bytes_is_a_decode_failure_not_an_exception()
    {
        using var t = Started();
        foreach (var garbage in new[] { Array.Empty<byte>(), [0xff], [0x0a, 0x05, 1], Hashing.Sha256("garbage"u8) })
        {
            var r = t.CheckTx(garbage);
            Assert.Equal(TxCodes.TxDecode, r.Code);
            Assert.StartsWith("tx parse error:", r.Log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CheckTx_refuses_a_signature_for_another_chain()
    {
        using var t = Started();
        var r = t.CheckTx(t.Sign(1, new MsgSend(t.Address(1), t.Address(2), 5), 0, chainId: "other-chain"));
        Assert.Equal(TxCodes.Unauthorized, r.Code);
        Assert.StartsWith("signature verification failed", r.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckTx_refuses_an_unknown_type()
    {
        using var t = Started();
        var r = t.CheckTx(t.Send(1, 2, 5, 0), (CheckTxType)7);
        Assert.Equal(TxCodes.UnknownRequest, r.Code);
        Assert.Equal("unknown CheckTx type 7", r.Log);
    }

    [Fact]
    public void CheckTx_before_InitChain_finds_no_account()
    {
        using var t = new AbciTestApp();
        var r = t.CheckTx(t.Send(1, 2, 5, 0));
        Assert.Equal(TxCodes.UnknownAddress, r.Code);
    }

    [Fact]
    public async Task CheckTx_from_many_threads_while_blocks_commit_never_throws()
    {
        using var t = Started();
        var txs = Enumerable.Range(0, 40).Select(i => t.Send(i % 2 == 0 ? 1 : 2, 0, 1, (ulong)(i / 2))).ToArray();
        var checks = Task.Run(() => Parallel.ForEach(txs, tx => t.CheckTx(tx)));
        for (var i = 0; i < 5; i++)
        {
            t.Block(t.Send(0, 1, 1, (ulong)i));
            t.App.Query(new RequestQuery { Path = "/store/bank/key", Data = ByteString.CopyFrom(t.Address(0)), Prove = true });
        }
        await checks;
        Assert.Equal(5, t.App.Height);
    }

    // ---- PrepareProposal / ProcessProposal ----

    private static RequestPrepareProposal Prepare(long maxTxBytes, params byte[][] txs)
    {
        var r = new RequestPrepareProposal { MaxTxBytes = maxTxBytes, Height = 1 };
        r.Txs.Add(txs.Select(ByteString.CopyFrom));
        return r;
    }

    private static RequestProcessProposal Process(params byte[][] txs)
    {
        var r = new RequestProcessProposal { Height = 1 };
        r.Txs.Add(txs.Select(ByteString.CopyFrom));
        return r;
    }

    [Fact]
    public void PrepareProposal_keeps_the_order_and_drops_txs_that_do_not_decode()
    {
        using var t = Started();
        var a = t.Send(1, 2, 1, 0);
        var b = t.Send(2, 1, 1, 0);
        var response = t.App.PrepareProposal(Prepare(1 << 20, b, [0xff, 0x01], a));
        Assert.Equal([b, a], response.Txs.Select(x => x.ToByteArray()));
    }

    [Fact]
    public void PrepareProposal_stops_before_max_tx_bytes_would_be_exceeded()
    {
        using var t = Started();
        var txs = Enumerable.Range(0, 3).Select(i => t.Send(1, 2, 1, (ulong)i)).ToArray();
        var two = txs.Take(2).Sum(x => 1 + CodedOutputStream.ComputeLengthSize(x.Length) + x.Length);
        Assert.Equal(2, t.App.PrepareProposal(Prepare(two, txs)).Txs.Count);
        Assert.Single(t.App.PrepareProposal(Prepare(two - 1, txs)).Txs);
    }

    [Fact]
    public void PrepareProposal_stops_before_the_block_max_gas_would_be_exceeded()
    {
        using var t = Started(genesis: AbciTestApp.NewGenesis(1) with { ConsensusParams = new Chain.Genesis.ConsensusParams(4 << 20, 500_000) });
        var txs = Enumerable.Range(0, 3).Select(i => t.Send(1, 2, 1, (ulong)i, gas: 200_000)).ToArray();
        Assert.Equal(2, t.App.PrepareProposal(Prepare(1 << 20, txs)).Txs.Count);
    }

    [Fact]
    public void ProcessProposal_accepts_txs_that_will_fail_in_execution()
    {
        using var t = Started();
        var response = t.App.ProcessProposal(Process(t.Send(1, 2, 1, 0), t.Send(1, 2, 1, 7), t.Send(1, 2, 1_000_000_000, 1)));
        Assert.Equal(ResponseProcessProposal.Types.ProposalStatus.Accept, response.Status);
    }

    [Fact]
    public void ProcessProposal_rejects_a_tx_that_does_not_decode()
    {
        using var t = Started();
        Assert.Equal(ResponseProcessProposal.Types.ProposalStatus.Reject, t.App.ProcessProposal(Process(t.Send(1, 2, 1, 0), [0xff])).Status);
    }

    [Fact]
    public void ProcessProposal_rejects_gas_wanted_above_the_block_max_gas()
    {
        using var t = Started(genesis: AbciTestApp.NewGenesis(1) with { ConsensusParams = new Chain.Genesis.ConsensusParams(4 << 20, 500_000) });
        var txs = Enumerable.Range(0, 3).Select(i => t.Send(1, 2, 1, (ulong)i, gas: 200_000)).ToArray();
        Assert.Equal(ResponseProcessProposal.Types.ProposalStatus.Accept, t.App.ProcessProposal(Process(txs[..2])).Status);
        Assert.Equal(ResponseProcessProposal.Types.ProposalStatus.Reject, t.App.ProcessProposal(Process(txs)).Status);
    }

    [Fact]
    public void ProcessProposal_rejects_txs_above_the_block_max_bytes()
    {
        using var probe = new AbciTestApp();
        var txs = Enumerable.Range(0, 3).Select(i => probe.Send(1, 2, 1, (ulong)i)).ToArray();
        var size = txs[..2].Sum(tx => 1 + CodedOutputStream.ComputeLengthSize(tx.Length) + tx.Length);
        using var t = Started(genesis: AbciTestApp.NewGenesis(1) with { ConsensusParams = new Chain.Genesis.ConsensusParams(size, 100_000_000) });
        Assert.Equal(ResponseProcessProposal.Types.ProposalStatus.Accept, t.App.ProcessProposal(Process(txs[..2])).Status);
        Assert.Equal(ResponseProcessProposal.Types.ProposalStatus.Reject, t.App.ProcessProposal(Process(txs)).Status);
    }

    // ---- Vote extensions ----

    [Fact]
    public void ExtendVote_answers_an_empty_extension()
    {
        using var t = Started();
        Assert.True(t.App.ExtendVote(new RequestExtendVote { Height = 1 }).VoteExtension.IsEmpty);
    }

    [Fact]
    public void VerifyVoteExtension_accepts_only_an_empty_extension()
    {
        using var t = Started();
        Assert.Equal(ResponseVerifyVoteExtension.Types.VerifyStatus.Accept, t.App.VerifyVoteExtension(new RequestVerifyVoteExtension { Height = 1 }).Status);
        Assert.Equal(ResponseVerifyVoteExtension.Types.VerifyStatus.Reject,
            t.App.VerifyVoteExtension(new RequestVerifyVoteExtension { Height = 1, VoteExtension = ByteString.CopyFrom(1) }).Status);
    }

    // ---- FinalizeBlock ----

    [Fact]
    public void FinalizeBlock_before_InitChain_is_refused()
    {
        using var t = new AbciTestApp();
        var e = Assert.Throws<AbciException>(() => t.Finalize(1));
        Assert.Equal("FinalizeBlock at height 1 before InitChain: the app holds no genesis state", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(1)]
    public void FinalizeBlock_at_a_height_other_than_committed_plus_one_is_refused(long height)
    {
        using var t = Started();
        t.Block();
        var e = Assert.Throws<AbciException>(() => t.Finalize(height));
        Assert.Equal($"FinalizeBlock at height {height}, but the last committed height is 1: expected height 2", e.Message);
    }

    [Fact]
    public void FinalizeBlock_without_a_time_is_refused()
    {
        using var t = Started();
        var e = Assert.Throws<AbciException>(() => t.App.FinalizeBlock(new RequestFinalizeBlock { Height = 1 }));
        Assert.Equal("FinalizeBlock at height 1 has no time", e.Message);
    }

    [Fact]
    public void FinalizeBlock_answers_results_with_indexed_events_and_the_working_app_hash()
    {
        using var t = Started();
        var response = t.Finalize(1, t.Send(1, 2, 7, 0), t.Send(1, 2, 7, 5), [0x01, 0x02]);
        Assert.Equal(3, response.TxResults.Count);
        var ok = response.TxResults[0];
        Assert.Equal(0u, ok.Code);
        Assert.Equal("", ok.Codespace);
        Assert.Contains(ok.Events, e => e.Type == "transfer" && e.Attributes.Any(a => a.Key == "amount" && a.Value == "7ucit"));
        Assert.All(ok.Events.SelectMany(e => e.Attributes), a => Assert.True(a.Index));
        Assert.Equal(TxCodes.InvalidSequence, response.TxResults[1].Code);
        Assert.Equal("sdk", response.TxResults[1].Codespace);
        Assert.Equal(TxCodes.TxDecode, response.TxResults[2].Code);
        Assert.Equal(32, response.AppHash.Length);
        t.App.Commit(new RequestCommit());
        Assert.Equal(response.AppHash, t.App.Info(new RequestInfo()).LastBlockAppHash);
    }

    [Fact]
    public void FinalizeBlock_of_garbage_txs_gives_failed_results()
    {
        using var t = Started();
        var garbage = Enumerable.Range(0, 20).Select(i => Hashing.Sha256([(byte)i])[..(i + 1)]).ToArray();
        var response = t.Finalize(1, garbage);
        Assert.All(response.TxResults, r => Assert.NotEqual(0u, r.Code));
    }

    [Fact]
    public void FinalizeBlock_again_at_the_uncommitted_height_discards_the_first_execution()
    {
        using var t = Started();
        t.Block();
        t.Finalize(2, t.Send(1, 2, 100, 0));
        var again = t.Finalize(2, t.Send(2, 1, 3, 0));
        using var fresh = Started();
        fresh.Block();
        Assert.Equal(fresh.Finalize(2, fresh.Send(2, 1, 3, 0)).AppHash, again.AppHash);
        t.App.Commit(new RequestCommit());
        Assert.Equal(1_000_003UL, t.Balance(1));
    }

    [Fact]
    public void FinalizeBlock_again_at_height_1_keeps_the_genesis_state()
    {
        using var t = Started();
        var first = t.Finalize(1, t.Send(1, 2, 100, 0));
        var again = t.Finalize(1, t.Send(1, 2, 100, 0));
        Assert.Equal(first.AppHash, again.AppHash);
        Assert.Equal(0u, again.TxResults[0].Code);
    }

    [Fact]
    public void FinalizeBlock_answers_validator_updates_with_Ed25519_keys_one_per_key()
    {
        using var t = Started();
        var newKey = Ed25519.PublicKeyFromSeed(t.ValidatorSeeds[1]);
        var response = t.Finalize(1,
            t.Sign(0, new MsgSetValidator(t.Address(0), newKey, 5), 0),
            t.Sign(0, new MsgSetValidator(t.Address(0), newKey, 6), 1));
        var update = Assert.Single(response.ValidatorUpdates);
        Assert.Equal(newKey, update.PubKey.Ed25519.ToByteArray());
        Assert.Equal(6, update.Power);
    }

    [Fact]
    public void FinalizeBlock_drops_the_removal_of_a_key_added_in_the_same_block()
    {
        using var t = Started();
        var newKey = Ed25519.PublicKeyFromSeed(t.ValidatorSeeds[1]);
        var response = t.Finalize(1,
            t.Sign(0, new MsgSetValidator(t.Address(0), newKey, 5), 0),
            t.Sign(0, new MsgSetValidator(t.Address(0), newKey, 0), 1));
        Assert.All(response.TxResults, r => Assert.Equal(0u, r.Code));
        Assert.Empty(response.ValidatorUpdates);
        t.App.Commit(new RequestCommit());
        var added = t.Block(t.Sign(0, new MsgSetValidator(t.Address(0), newKey, 5), 2));
        Assert.Single(added.ValidatorUpdates);
        var removed = t.Block(t.Sign(0, new MsgSetValidator(t.Address(0), newKey, 0), 3));
        Assert.Equal(0, Assert.Single(removed.ValidatorUpdates).Power);
    }

    // ---- Commit ----

    [Fact]
    public void Commit_without_FinalizeBlock_is_refused()
    {
        using var t = Started();
        var e = Assert.Throws<AbciException>(() => t.App.Commit(new RequestCommit()));
        Assert.Equal("Commit without FinalizeBlock: no block is executed after the last committed height 0", e.Message);
    }

    [Fact]
    public void Commit_twice_is_refused()
    {
        using var t = Started();
        t.Block();
        var e = Assert.Throws<AbciException>(() => t.App.Commit(new RequestCommit()));
        Assert.Equal("Commit without FinalizeBlock: no block is executed after the last committed height 1", e.Message);
    }

    [Fact]
    public void Commit_answers_retain_height_0_unless_min_retain_blocks_is_set()
    {
        using var keepAll = Started();
        keepAll.Finalize(1);
        Assert.Equal(0, keepAll.App.Commit(new RequestCommit()).RetainHeight);
        using var t = Started(new AbciAppOptions { MinRetainBlocks = 2 });
        var retain = new List<long>();
        for (long h = 1; h <= 4; h++)
        {
            t.Finalize(h);
            retain.Add(t.App.Commit(new RequestCommit()).RetainHeight);
        }
        Assert.Equal([0, 0, 2, 3], retain);
    }

    [Fact]
    public void Commit_prunes_state_versions_beyond_keep_recent()
    {
        using var t = Started(new AbciAppOptions { KeepRecent = 1 });
        for (var i = 0; i < 4; i++)
        {
            t.Block(t.Send(1, 2, 1, (ulong)i));
        }
        var pruned = t.App.Query(new RequestQuery { Path = "/store/bank/key", Data = ByteString.CopyFrom(t.Address(1)), Height = 2 });
        Assert.Equal(AppQuery.InvalidHeight, pruned.Code);
        Assert.Equal(0u, t.App.Query(new RequestQuery { Path = "/store/bank/key", Data = ByteString.CopyFrom(t.Address(1)), Height = 3 }).Code);
    }

    [Fact]
    public void Commit_tells_state_sync_each_committed_height()
    {
        var sync = new FakeStateSync();
        using var t = Started(stateSync: sync);
        t.Block();
        t.Block();
        Assert.Equal([1, 2], sync.Committed);
    }

    // ---- Snapshots ----

    [Fact]
    public void Without_state_sync_there_are_no_snapshots_and_restores_abort()
    {
        using var t = Started();
        Assert.Empty(t.App.ListSnapshots(new RequestListSnapshots()).Snapshots);
        Assert.True(t.App.LoadSnapshotChunk(new RequestLoadSnapshotChunk { Height = 1 }).Chunk.IsEmpty);
        Assert.Equal(ResponseOfferSnapshot.Types.Result.Abort, t.App.OfferSnapshot(new RequestOfferSnapshot()).Result);
        Assert.Equal(ResponseApplySnapshotChunk.Types.Result.Abort, t.App.ApplySnapshotChunk(new RequestApplySnapshotChunk()).Result);
    }

    [Fact]
    public void Snapshot_methods_are_delegated_to_state_sync()
    {
        var sync = new FakeStateSync();
        using var t = new AbciTestApp(stateSync: sync);
        Assert.Equal(7UL, Assert.Single(t.App.ListSnapshots(new RequestListSnapshots()).Snapshots).Height);
        Assert.Equal([9], t.App.LoadSnapshotChunk(new RequestLoadSnapshotChunk()).Chunk.ToByteArray());
        Assert.Equal(ResponseOfferSnapshot.Types.Result.Accept, t.App.OfferSnapshot(new RequestOfferSnapshot()).Result);
        Assert.Equal(ResponseApplySnapshotChunk.Types.Result.Retry, t.App.ApplySnapshotChunk(new RequestApplySnapshotChunk()).Result);
    }

    [Fact]
    public void After_a_restore_the_app_continues_from_the_restored_version()
    {
        var state = MultiStoreState.InMemory(ChainApp.StoreNames);
        using var source = Started();
        for (var i = 0; i < 3; i++)
        {
            source.Block(source.Send(1, 2, 1, (ulong)i));
        }
        var sync = new FakeStateSync
        {
            // Stands for a restore of version 3: the same blocks executed straight into the store.
            OnApply = () =>
            {
                var app = new ChainApp(state, source.Genesis);
                app.InitGenesis();
                for (long h = 1; h <= 3; h++)
                {
                    app.ExecuteBlock(h, AbciTestApp.BlockTime(h), [source.Send(1, 2, 1, (ulong)(h - 1))]);
                    app.Commit();
                }
            },
        };
        using var t = new AbciTestApp(state: state, stateSync: sync);
        Assert.Equal(ResponseApplySnapshotChunk.Types.Result.Accept, t.App.ApplySnapshotChunk(new RequestApplySnapshotChunk()).Result);
        var info = t.App.Info(new RequestInfo());
        Assert.Equal(3, info.LastBlockHeight);
        Assert.Equal(source.App.Info(new RequestInfo()).LastBlockAppHash, info.LastBlockAppHash);
        Assert.Throws<AbciException>(() => t.Finalize(1));
        var next = t.Finalize(4, t.Send(1, 2, 1, 3));
        Assert.Equal(source.Finalize(4, source.Send(1, 2, 1, 3)).AppHash, next.AppHash);
    }

    private sealed class FakeStateSync : IStateSync
    {
        public List<long> Committed { get; } = [];

        public Action? OnApply { get; init; }

        public bool Restored { get; private set; }

        public ResponseListSnapshots ListSnapshots(RequestListSnapshots request) => new() { Snapshots = { new Snapshot { Height = 7, Format = 1 } } };

        public ResponseLoadSnapshotChunk LoadSnapshotChunk(RequestLoadSnapshotChunk request) => new() { Chunk = ByteString.CopyFrom(9) };

        public ResponseOfferSnapshot OfferSnapshot(RequestOfferSnapshot request) => new() { Result = ResponseOfferSnapshot.Types.Result.Accept };

        public ResponseApplySnapshotChunk ApplySnapshotChunk(RequestApplySnapshotChunk request)
        {
            if (OnApply is null)
            {
                return new() { Result = ResponseApplySnapshotChunk.Types.Result.Retry };
            }
            OnApply();
            Restored = true;
            return new() { Result = ResponseApplySnapshotChunk.Types.Result.Accept };
        }

        void IStateSync.Committed(long height) => Committed.Add(height);

        public void Dispose()
        {
        }
    }

    // ---- Query ----

    private static ResponseQuery Bank(AbciTestApp t, int account, long height, bool prove = true) =>
        t.App.Query(new RequestQuery { Path = "/store/bank/key", Data = ByteString.CopyFrom(t.Address(account)), Height = height, Prove = prove });

    private static bool Verifies(ResponseQuery q, ByteString appHash, byte[] key) =>
        Ics23.Abci.ProofOps.VerifyMembership([.. q.ProofOps.Ops.Select(o => new Ics23.Abci.ProofOp(o.Type, o.Key.ToByteArray(), o.Data.ToByteArray()))],
            appHash.Span, [System.Text.Encoding.UTF8.GetBytes("bank"), key], q.Value.Span).IsValid;

    [Fact]
    public void Query_proofs_at_height_H_verify_against_the_app_hash_committed_at_H()
    {
        using var t = Started();
        var h1 = t.Block(t.Send(1, 2, 5, 0));
        var h2 = t.Block(t.Send(1, 2, 5, 1));
        var q = Bank(t, 1, 1);
        Assert.Equal(0u, q.Code);
        Assert.Equal(1, q.Height);
        Assert.True(Verifies(q, h1.AppHash, t.Address(1)));
        Assert.False(Verifies(q, h2.AppHash, t.Address(1)));
        var latest = Bank(t, 1, 0);
        Assert.Equal(2, latest.Height);
        Assert.True(Verifies(latest, h2.AppHash, t.Address(1)));
    }

    [Fact]
    public void Query_at_height_0_before_block_1_commits_reads_the_genesis_state_with_proofs_to_the_InitChain_app_hash()
    {
        using var t = new AbciTestApp();
        var init = t.InitChain();
        t.Finalize(1, t.Send(1, 2, 5, 0));
        var q = Bank(t, 1, 0);
        Assert.Equal(0u, q.Code);
        Assert.Equal(0, q.Height);
        Assert.True(Verifies(q, init.AppHash, t.Address(1)));
        Assert.Equal(1_000_000UL, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(q.Value.Span));
    }

    [Fact]
    public void Query_above_the_committed_height_is_an_invalid_height()
    {
        using var t = Started();
        t.Block();
        t.Finalize(2);
        var q = Bank(t, 1, 2);
        Assert.Equal(AppQuery.InvalidHeight, q.Code);
        Assert.Equal("height 2 is not committed yet (latest committed height is 1)", q.Log);
        Assert.Equal("sdk", q.Codespace);
    }

    [Fact]
    public void Query_at_a_negative_height_is_an_invalid_height()
    {
        using var t = Started();
        var q = Bank(t, 1, -1);
        Assert.Equal(AppQuery.InvalidHeight, q.Code);
        Assert.Equal("cannot query with height -1 < 0", q.Log);
    }

    [Fact]
    public void Query_before_InitChain_is_an_invalid_height()
    {
        using var t = new AbciTestApp();
        var q = Bank(t, 1, 0);
        Assert.Equal(AppQuery.InvalidHeight, q.Code);
        Assert.Equal("nothing is committed and InitChain has not run", q.Log);
    }

    [Fact]
    public void Query_of_an_unknown_path_is_an_unknown_request()
    {
        using var t = Started();
        var q = t.App.Query(new RequestQuery { Path = "/store/nope/key" });
        Assert.Equal(TxCodes.UnknownRequest, q.Code);
        Assert.StartsWith("unknown query path '/store/nope/key'", q.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_of_the_attestation_registry_answers_its_json_and_refuses_a_bad_fmspc()
    {
        using var t = Started();
        t.Block();
        var q = t.App.Query(new RequestQuery { Path = "/attestation/registry" });
        Assert.Equal(0u, q.Code);
        Assert.Equal(1, q.Height);
        using (System.Text.Json.JsonDocument.Parse(q.Value.Memory))
        {
        }
        var bad = t.App.Query(new RequestQuery { Path = "/attestation/registry", Data = ByteString.CopyFrom(1, 2, 3) });
        Assert.Equal(TxCodes.InvalidRequest, bad.Code);
        Assert.Equal("data must be empty or a 6-byte FMSPC", bad.Log);
    }

    [Fact]
    public void Query_of_a_contract_reads_the_committed_state_not_a_finalized_block()
    {
        using var t = Started(contracts: CounterHost());
        var instantiate = t.Block(t.Sign(0, new MsgInstantiate(t.Address(0), "counter", "5"u8.ToArray(), 0, "c"), 0, 1_000_000));
        Assert.Equal(0u, instantiate.TxResults[0].Code);
        var contract = instantiate.TxResults[0].Data.ToByteArray();
        var path = "/wasm/smart/" + Convert.ToHexString(contract);
        t.Finalize(2, t.Sign(0, new MsgExecute(t.Address(0), contract, "inc"u8.ToArray(), 0), 1, 1_000_000));
        var q = t.App.Query(new RequestQuery { Path = path });
        Assert.Equal(0u, q.Code);
        Assert.Equal("5", q.Value.ToStringUtf8());
        Assert.Equal(1, q.Height);
        t.App.Commit(new RequestCommit());
        Assert.Equal("6", t.App.Query(new RequestQuery { Path = path }).Value.ToStringUtf8());
        var bad = t.App.Query(new RequestQuery { Path = "/wasm/smart/zz" });
        Assert.Equal(TxCodes.InvalidRequest, bad.Code);
    }

    [Fact]
    public void Query_of_a_contract_without_a_runtime_is_an_unknown_path()
    {
        using var t = Started();
        Assert.Equal(TxCodes.UnknownRequest, t.App.Query(new RequestQuery { Path = "/wasm/smart/00" }).Code);
    }

    // ---- Open ----

    [Fact]
    public void Open_reads_the_home_genesis_and_keeps_its_state_apart_from_the_devnet()
    {
        var root = Directory.CreateTempSubdirectory("citrine-abci-home-").FullName;
        try
        {
            var home = new Devnet.DevnetHome(root);
            var seed = 0;
            var genesis = home.Initialize("abci-home", 1, AbciTestApp.GenesisTime, random: b => b.Fill((byte)Interlocked.Increment(ref seed)));
            using (var app = CitrineAbciApp.Open(root, new AbciAppOptions()))
            {
                var init = app.InitChain(AbciTestApp.InitChainRequest(genesis));
                Assert.Equal(32, init.AppHash.Length);
                app.FinalizeBlock(AbciTestApp.FinalizeRequest(1, []));
                app.Commit(new RequestCommit());
            }
            Assert.True(Directory.Exists(Path.Combine(root, "data", "abci-state")));
            Assert.False(Directory.Exists(Path.Combine(root, "data", "state")));
            using var reopened = CitrineAbciApp.Open(root, new AbciAppOptions());
            Assert.Equal(1, reopened.Info(new RequestInfo()).LastBlockHeight);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
