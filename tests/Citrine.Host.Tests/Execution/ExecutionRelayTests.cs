using Citrine.Contracts.Session;
using Citrine.Host.Enclave;
using Citrine.Host.Execution;
using Citrine.Host.Tests.Handshake;

namespace Citrine.Host.Tests.Execution;

public sealed class ExecutionRelayTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citrine-relay-").FullName;
    private readonly FakeExecutionChain _chain = new();
    private readonly FakeExecutionEnclave _enclave = new();
    private readonly List<RelayProgress> _progress = [];

    private static SessionTrustRoot Root => new()
    {
        ChainId = FakeExecutionChain.ChainId,
        TrustedHeight = 2,
        TrustedHash = new byte[32],
        TrustingPeriodSeconds = 1_209_600,
        TrustThresholdNumerator = 1,
        TrustThresholdDenominator = 3,
        MaxClockDriftSeconds = 10,
        MaxBlockLag = 10,
    };

    private ExecutionRelay Relay(int maxBatch = 1024, IExecutionEnclave? enclave = null) =>
        new(_chain, enclave ?? _enclave, _chain, FakeExecutionChain.Contract, Root, _dir, new SynchronousProgress<RelayProgress>(_progress.Add),
            new RelayOptions { MaxBatch = maxBatch, PollInterval = TimeSpan.Zero }, proofs: _chain);

    private void AssertEveryRequestAppliedOnce(int count)
    {
        Assert.Equal((ulong)count, _chain.Head);
        Assert.Equal((ulong)count, _chain.Next);
        Assert.Equal(Enumerable.Range(0, count).Select(i => ((ulong)i, 1)), _chain.Applied.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value)));
    }

    [Fact]
    public async Task An_empty_queue_sends_nothing_and_reports_idle()
    {
        await Relay().DrainAsync();

        Assert.Empty(_chain.Outputs);
        Assert.Equal(0, _enclave.Executions);
        Assert.Contains(_progress, p => p.Event == RelayEvent.Idle);
    }

    [Fact]
    public async Task Requests_are_taken_in_batches_of_at_most_the_limit_from_the_queue_head()
    {
        _chain.Enqueue(10);
        var relay = Relay(maxBatch: 4);

        await relay.DrainAsync();

        Assert.Equal([(0UL, 4UL, 0U), (4UL, 8UL, 0U), (8UL, 10UL, 0U)], _chain.Outputs);
        AssertEveryRequestAppliedOnce(10);
        Assert.Equal(new RelayTotals(3, 10, 0), relay.Totals);
        var applied = _progress.Where(p => p.Event == RelayEvent.BatchApplied).ToList();
        Assert.Equal(10, applied.Sum(p => p.Latencies.Count));
        Assert.All(applied.SelectMany(p => p.Latencies), l =>
        {
            Assert.True(l.AppliedHeight > l.QueuedHeight);
            Assert.Equal(TimeSpan.FromSeconds(5 * l.Blocks), l.WallTime); // the synthetic chain's block interval
        });
    }

    [Fact]
    public async Task A_full_batch_is_1024_requests()
    {
        _chain.Enqueue(1030);

        await Relay().DrainAsync();

        Assert.Equal([(0UL, 1024UL, 0U), (1024UL, 1030UL, 0U)], _chain.Outputs);
        AssertEveryRequestAppliedOnce(1030);
    }

    [Fact]
    public async Task An_output_that_runs_out_of_gas_is_redone_at_half_the_batch_until_it_fits()
    {
        _chain.Enqueue(1030);
        _chain.GasFitsRequests = 300;

        await Relay().DrainAsync();

        // 1,024 and 512 run out of gas (nothing applied); 256 fits, and the relay keeps that size.
        Assert.Equal(
            [(0UL, 1024UL, 11U), (0UL, 512UL, 11U), (0UL, 256UL, 0U), (256UL, 512UL, 0U), (512UL, 768UL, 0U), (768UL, 1024UL, 0U), (1024UL, 1030UL, 0U)],
            _chain.Outputs);
        AssertEveryRequestAppliedOnce(1030);
        Assert.Equal(2, _progress.Count(p => p.Event == RelayEvent.BatchShrunk));
    }

    [Fact]
    public async Task A_single_request_whose_output_runs_out_of_gas_stops_the_relay()
    {
        _chain.Enqueue(3);
        _chain.GasFitsRequests = 0;

        var error = await Assert.ThrowsAsync<RelayException>(() => Relay().DrainAsync());

        Assert.Equal(RelayError.ChainRefused, error.Error);
        Assert.Contains("no tx can carry it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_queued_while_the_relay_follows_the_chain_are_all_applied()
    {
        var relay = Relay(maxBatch: 3);
        await relay.DrainAsync();
        for (var round = 1; round <= 4; round++)
        {
            _chain.Enqueue(round);
            await relay.RunAsync(Notifications(new Citrine.Host.Chain.NewBlockNotification(_chain.Height)));
        }

        AssertEveryRequestAppliedOnce(10);
        Assert.All(_chain.Outputs, o => Assert.Equal(0U, o.Code));
    }

    public static TheoryData<string> KillPoints => new() { "enclave", "before-broadcast", "after-commit", "second-before-broadcast", "second-after-commit" };

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task A_relay_killed_at_any_point_resumes_from_the_chains_queue_and_applies_each_request_once(string point)
    {
        _chain.Enqueue(7);
        switch (point)
        {
            case "enclave": _enclave.CrashOnExecute = 1; break;
            case "before-broadcast": _chain.CrashBeforeBroadcast = 1; break;
            case "after-commit": _chain.CrashAfterCommit = 1; break;
            case "second-before-broadcast": _chain.CrashBeforeBroadcast = 2; break;
            case "second-after-commit": _chain.CrashAfterCommit = 2; break;
        }
        var killed = await Assert.ThrowsAnyAsync<Exception>(() => Relay(maxBatch: 3).DrainAsync());
        Assert.True(killed is SimulatedCrash or EnclaveClientException { Kind: EnclaveErrorKind.Unreachable }, killed.ToString());

        // A new host process, a restarted enclave: only the data dir and the chain carry over.
        await Relay(maxBatch: 3, enclave: new FakeExecutionEnclave()).DrainAsync();

        AssertEveryRequestAppliedOnce(7);
        Assert.All(_chain.Outputs, o => Assert.Equal(0U, o.Code));
        Assert.Null(new ExecutionStateFile(_dir).Load()!.Pending);
    }

    [Fact]
    public async Task The_output_in_flight_at_a_kill_is_sent_again_as_the_same_bytes_not_recomputed()
    {
        _chain.Enqueue(2);
        _chain.CrashBeforeBroadcast = 1;
        await Assert.ThrowsAsync<SimulatedCrash>(() => Relay().DrainAsync());
        var pending = new ExecutionStateFile(_dir).Load()!.Pending!;
        var executions = _enclave.Executions;

        await Relay().DrainAsync();

        Assert.Equal(executions, _enclave.Executions);
        Assert.Equal([(0UL, 2UL, 0U)], _chain.Outputs);
        Assert.Equal((0UL, 2UL), (pending.FirstSeq, pending.EndSeq));
        Assert.Contains(_progress, p => p.Event == RelayEvent.BatchApplied && p.Detail.Contains(pending.Hash, StringComparison.Ordinal) && p.Latencies.Count == 2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_race_lost_to_another_relay_is_reread_and_the_relay_goes_on(bool sameBatch)
    {
        _chain.Enqueue(sameBatch ? 1 : 5);
        _chain.Rival = () => new FakeExecutionEnclave();
        var relay = Relay(maxBatch: 2);

        await relay.DrainAsync();

        AssertEveryRequestAppliedOnce(sameBatch ? 1 : 5);
        var lost = Assert.Single(_progress, p => p.Event == RelayEvent.LostRace);
        // The rival consumed request 0, so the relay's output starting at 0 is a replay.
        Assert.Contains("[OutputReplayed]", lost.Detail, StringComparison.Ordinal);
        Assert.Equal(1, relay.Totals.LostRaces);
        Assert.Contains(_chain.Outputs, o => o.Code != 0);
    }

    [Fact]
    public async Task Any_other_refusal_stops_the_relay_with_the_contracts_code_and_is_not_retried()
    {
        _chain.Enqueue(3);
        _chain.Refuse = "contract failed: ExecutionException: [OutputOverspends] sends 900 > balance 10";

        var e = await Assert.ThrowsAsync<RelayException>(() => Relay().DrainAsync());

        Assert.Equal(RelayError.ChainRefused, e.Error);
        Assert.Equal("OutputOverspends", e.ChainCode);
        Assert.Contains("[OutputOverspends] sends 900 > balance 10", e.ChainLog, StringComparison.Ordinal);
        Assert.Single(_chain.Outputs);
        Assert.Equal(0UL, _chain.Head);
        Assert.Null(new ExecutionStateFile(_dir).Load()!.Pending);
    }

    [Fact]
    public async Task An_enclave_refusal_stops_the_relay_with_the_enclaves_reason_and_sends_nothing()
    {
        _chain.Enqueue(1);
        _enclave.Refuse = "FailedPrecondition: ProofRefused: light block 0 is for another chain";

        var e = await Assert.ThrowsAsync<RelayException>(() => Relay().DrainAsync());

        Assert.Equal(RelayError.EnclaveRefused, e.Error);
        Assert.Contains("ProofRefused", e.Message, StringComparison.Ordinal);
        Assert.Empty(_chain.Outputs);
    }

    [Fact]
    public async Task A_data_dir_of_another_contract_is_refused()
    {
        new ExecutionStateFile(_dir).Save(new RelayState { Contract = new string('D', 40) });

        var e = await Assert.ThrowsAsync<RelayException>(() => Relay().DrainAsync());

        Assert.Equal(RelayError.StateUnreadable, e.Error);
    }

    [Theory]
    [InlineData("contract failed: ExecutionException: [OutputStale] state moved", "OutputStale")]
    [InlineData("[QueueFull] 65536 waiting", "QueueFull")]
    [InlineData("out of gas", null)]
    public void Refusal_code_is_read_from_the_contracts_log(string log, string? code) =>
        Assert.Equal(code, ExecutionRelay.RefusalCode(log));

    private static async IAsyncEnumerable<Citrine.Host.Chain.ChainNotification> Notifications(params Citrine.Host.Chain.ChainNotification[] notes)
    {
        foreach (var note in notes)
        {
            await Task.Yield();
            yield return note;
        }
    }

    public void Dispose()
    {
        _chain.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
