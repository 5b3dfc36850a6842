using Citrine.Contracts.Session;
using Citrine.Host.Handshake;

namespace Citrine.Host.Tests.Handshake;

public sealed class HandshakeDriverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citrine-host-").FullName;
    private readonly FakeChain _chain = new();
    private readonly FakeEnclave _enclave = new();
    private readonly List<HandshakeProgress> _progress = [];

    private byte[] Config() => SessionConfig.Write(
        [FakeEnclave.MeasurementValue],
        new SessionPolicy { AcceptMock = true, MaxAttestationAgeSeconds = 86_400 },
        new SessionTrustRoot
        {
            ChainId = "citrine-fake",
            TrustedHeight = 2,
            TrustedHash = _chain.Synthetic.LightBlockAt(2).Header.Hash(),
            TrustingPeriodSeconds = 1_209_600,
            TrustThresholdNumerator = 1,
            TrustThresholdDenominator = 3,
            MaxClockDriftSeconds = 10,
            MaxBlockLag = 10,
        },
        default);

    private HandshakeDriver Driver() =>
        new(_chain, _enclave, _chain, _dir, new SynchronousProgress(_progress.Add), new HandshakeOptions { PollInterval = TimeSpan.Zero }, proofs: _chain);

    [Fact]
    public async Task Handshake_runs_the_three_steps_once_and_reports_the_established_session()
    {
        var summary = await Driver().RunAsync("session-counter", Config());

        Assert.Equal(["instantiate", "session_create", "session_set_pub_key"], _chain.Executed);
        Assert.Equal(_chain.Contract, summary.Contract);
        Assert.Equal("mock", summary.Mode);
        Assert.Equal(FakeEnclave.SigningKey, summary.SigningKey);
        Assert.Equal(FakeEnclave.EncryptionKey, summary.EncryptionKey);
        Assert.Equal(1UL, summary.SessionId);
        Assert.True(summary.VerifiedHeight > summary.SessionCreateHeight);
        Assert.True(summary.SessionCreateHeight > summary.InstantiateHeight);
        Assert.Contains(_progress, p => p is { Step: HandshakeStep.WaitForBlock, Status: StepStatus.Completed });
        Assert.All(new[] { HandshakeStep.Instantiate, HandshakeStep.SessionCreate, HandshakeStep.SessionSetPubKey },
            step => Assert.Contains(_progress, p => p.Step == step && p.Status == StepStatus.Completed && p.Height > 0));
    }

    [Fact]
    public async Task A_second_run_after_success_repeats_nothing()
    {
        await Driver().RunAsync("session-counter", Config());
        _progress.Clear();
        var again = await Driver().RunAsync("session-counter", Config());

        Assert.Equal(3, _chain.Executed.Count);
        Assert.Equal(_chain.Contract, again.Contract);
        Assert.Contains(_progress, p => p is { Step: HandshakeStep.Instantiate, Status: StepStatus.Skipped });
        Assert.Contains(_progress, p => p is { Step: HandshakeStep.SessionCreate, Status: StepStatus.Skipped });
    }

    [Theory]
    [InlineData("instantiate", true)]
    [InlineData("instantiate", false)]
    [InlineData("session_create", true)]
    [InlineData("session_create", false)]
    [InlineData("session_set_pub_key", true)]
    [InlineData("session_set_pub_key", false)]
    public async Task Kill_at_a_step_and_a_new_driver_finishes_without_repeating_a_landed_tx(string step, bool afterCommit)
    {
        if (afterCommit)
        {
            _chain.CrashAfterCommit = step;
        }
        else
        {
            _chain.CrashBeforeBroadcast = step;
        }
        await Assert.ThrowsAsync<SimulatedCrash>(() => Driver().RunAsync("session-counter", Config()));

        var summary = await Driver().RunAsync("session-counter", Config());

        Assert.Equal(["instantiate", "session_create", "session_set_pub_key"], _chain.Executed);
        Assert.Equal(_chain.Contract, summary.Contract);
        Assert.Equal(SessionPhase.Established, _chain.Record!.Phase);
        Assert.Equal(1UL, _chain.Record.Id);
    }

    [Fact]
    public async Task An_enclave_that_lost_its_state_is_reinstantiated_and_opens_a_new_session()
    {
        _chain.CrashAfterCommit = "session_create";
        await Assert.ThrowsAsync<SimulatedCrash>(() => Driver().RunAsync("session-counter", Config()));
        _enclave.LoseState();

        var summary = await Driver().RunAsync("session-counter", Config());

        // The Created record holds a nonce the enclave no longer has: a new session replaces it; the contract stays.
        Assert.Equal(["instantiate", "session_create", "session_create", "session_set_pub_key"], _chain.Executed);
        Assert.Equal(2UL, summary.SessionId);
        Assert.Equal(2, _enclave.Calls["Instantiate"]);
    }

    [Fact]
    public async Task A_chain_refusal_surfaces_with_the_contracts_log_and_is_not_retried()
    {
        _chain.Refuse = ("session_create", "[QuoteRefused] measurement not in the config");
        var e = await Assert.ThrowsAsync<HandshakeException>(() => Driver().RunAsync("session-counter", Config()));

        Assert.Equal(HandshakeError.ChainRefused, e.Error);
        Assert.Equal("[QuoteRefused] measurement not in the config", e.ChainLog);
        Assert.Equal(["instantiate", "session_create"], _chain.Executed);
    }

    [Fact]
    public async Task Another_config_in_the_same_data_dir_is_refused()
    {
        await Driver().RunAsync("session-counter", Config());
        var other = Config().ToArray();
        other = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(other).Replace("\"max_block_lag\":10", "\"max_block_lag\":11", StringComparison.Ordinal));
        var e = await Assert.ThrowsAsync<HandshakeException>(() => Driver().RunAsync("session-counter", other));
        Assert.Equal(HandshakeError.ConfigMismatch, e.Error);
    }

    [Fact]
    public async Task A_trust_root_the_node_does_not_have_is_refused_before_the_enclave_attests()
    {
        var config = SessionConfig.Write(
            [FakeEnclave.MeasurementValue],
            new SessionPolicy { AcceptMock = true, MaxAttestationAgeSeconds = 86_400 },
            new SessionTrustRoot { ChainId = "citrine-fake", TrustedHeight = 2, TrustedHash = new byte[32], TrustingPeriodSeconds = 100, TrustThresholdNumerator = 1, TrustThresholdDenominator = 3, MaxClockDriftSeconds = 10, MaxBlockLag = 10 },
            default);
        var e = await Assert.ThrowsAsync<HandshakeException>(() => Driver().RunAsync("session-counter", config));
        Assert.Equal(HandshakeError.TrustRootMismatch, e.Error);
        Assert.False(_enclave.Calls.ContainsKey("Instantiate"));
        Assert.Empty(_chain.Executed);
    }

    [Fact]
    public async Task Reattest_proves_the_established_record_and_sends_session_reattest()
    {
        await Driver().RunAsync("session-counter", Config());
        var summary = await Driver().ReattestAsync();

        Assert.Equal("session_reattest", _chain.Executed[^1]);
        Assert.Equal(1, _enclave.Calls["SessionReattest"]);
        Assert.Equal(1UL, summary.SessionId);
    }

    [Fact]
    public async Task Reattest_before_the_handshake_is_not_ready()
    {
        var e = await Assert.ThrowsAsync<HandshakeException>(() => Driver().ReattestAsync());
        Assert.Equal(HandshakeError.NotReady, e.Error);
    }

    [Fact]
    public void State_file_is_written_whole_and_read_back()
    {
        var file = new HandshakeStateFile(_dir);
        Assert.Null(file.Load());
        file.Save(new HandshakeState { Code = "c", Config = "e30=", Contract = "AB", Pending = new PendingTx("instantiate", "00", "AA==") });
        Assert.Equal("AB", file.Load()!.Contract);
        Assert.False(File.Exists(file.Path + ".tmp"));
        File.WriteAllText(file.Path, "{ torn");
        Assert.Equal(HandshakeError.StateUnreadable, Assert.Throws<HandshakeException>(file.Load).Error);
    }

    public void Dispose()
    {
        _chain.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<HandshakeProgress> report) : IProgress<HandshakeProgress>
    {
        public void Report(HandshakeProgress value) => report(value);
    }
}
