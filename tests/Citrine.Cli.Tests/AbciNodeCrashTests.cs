using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Citrine.Chain.Abci.Server;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.App;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Chain.Txs;
using Google.Protobuf;
using Grpc.Net.Client;

namespace Citrine.Cli.Tests;

/// <summary>
/// Crash recovery as CometBFT expects it, with the real <c>citrine node start --abci</c> process
/// (RocksDB state) SIGKILLed where CometBFT's handshake must repair it (spec/abci/abci++_app_requirements.md,
/// "Crash recovery"): the test plays CometBFT over the socket — Info, InitChain, FinalizeBlock and
/// Commit — kills the app, restarts it, and replays what CometBFT would replay.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class AbciNodeCrashTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citrine-cli-abci-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>A <c>citrine node start --abci tcp://127.0.0.1:0</c> child process and a connection to it.</summary>
    private sealed class AppProcess : IAsyncDisposable
    {
        private readonly CliProcess _child;

        private AppProcess(CliProcess child, AbciSocketClient client)
        {
            _child = child;
            Client = client;
        }

        public AbciSocketClient Client { get; }

        public static async Task<AppProcess> StartAsync(string appHome)
        {
            var (child, address) = await CliProcess.StartAsync(["node", "start", "--abci", "tcp://127.0.0.1:0", "--home", appHome], "ABCI on ");
            try
            {
                return new AppProcess(child, await AbciSocketClient.ConnectAsync(AbciAddress.Parse(address)));
            }
            catch
            {
                child.KillQuietly();
                child.Process.Dispose();
                throw;
            }
        }

        /// <summary>SIGKILL: no code of the app runs after this.</summary>
        public void Kill()
        {
            _child.Process.Kill(entireProcessTree: true);
            _child.Process.WaitForExit();
            Assert.True(_child.Process.ExitCode != 0, $"a killed process does not exit cleanly: {_child.Errors}");
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            _child.KillQuietly();
            await _child.Process.WaitForExitAsync();
            _child.Process.Dispose();
        }
    }

    private static RequestInitChain InitChainOf(string genesisPath)
    {
        var genesis = GenesisDoc.Parse(File.ReadAllBytes(genesisPath));
        using var doc = JsonDocument.Parse(File.ReadAllBytes(genesisPath));
        var request = new RequestInitChain
        {
            ChainId = genesis.ChainId,
            InitialHeight = genesis.InitialHeight,
            Time = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = genesis.GenesisTime.Seconds, Nanos = genesis.GenesisTime.Nanos },
            AppStateBytes = ByteString.CopyFromUtf8(doc.RootElement.GetProperty("app_state").GetRawText()),
            ConsensusParams = new Chain.Abci.Wire.ConsensusParams { Block = new BlockParams { MaxBytes = genesis.ConsensusParams.BlockMaxBytes, MaxGas = genesis.ConsensusParams.BlockMaxGas } },
        };
        request.Validators.Add(genesis.Validators.Select(v => new ValidatorUpdate { PubKey = new PublicKey { Ed25519 = ByteString.CopyFrom(v.PublicKey) }, Power = v.Power }));
        return request;
    }

    private static RequestFinalizeBlock Block(long height, GenesisDoc genesis, params byte[][] txs)
    {
        var request = new RequestFinalizeBlock
        {
            Height = height,
            Time = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = genesis.GenesisTime.Seconds + height, Nanos = 0 },
            Hash = ByteString.CopyFrom(new byte[32]),
            ProposerAddress = ByteString.CopyFrom(genesis.Validators[0].Address),
        };
        request.Txs.Add(txs.Select(ByteString.CopyFrom));
        return request;
    }

    private static RequestInfo HandshakeInfo() => new() { Version = "0.38.17", BlockVersion = 11, P2PVersion = 8, AbciVersion = "2.0.0" };

    [Fact]
    public async Task After_a_kill_at_each_point_Info_reports_the_last_commit_and_the_replay_gives_the_same_app_hash()
    {
        var net = Path.Combine(_dir, "net");
        var init = CliRunner.Run("node", "init", "--cometbft", "--home", net, "--validators", "1", "--accounts", "1");
        Assert.True(init.ExitCode == 0, init.Error);
        var appHome = Path.Combine(net, "node0", "app");
        var genesisPath = Path.Combine(appHome, "config", "genesis.json");
        var genesis = GenesisDoc.Parse(File.ReadAllBytes(genesisPath));
        var keys = new DevnetHome(net);
        var admin = keys.LoadAccountKey(DevnetHome.AdminKeyName);
        var user = keys.LoadAccountKey("user0");
        ulong adminNumber = 0, sequence = 0;
        byte[] Send(ulong amount) =>
            Tx.Create([new MsgSend(admin.Address, user.Address, amount)], "", admin.PrivateKey, sequence++, 200_000, genesis.ChainId, adminNumber).Encode();

        // 1. Killed after InitChain and FinalizeBlock 1, before the first Commit: Info says 0, so
        //    CometBFT sends InitChain again, then block 1; both answers repeat exactly.
        ByteString genesisHash, hash1;
        await using (var app = await AppProcess.StartAsync(appHome))
        {
            Assert.Equal(0, (await app.Client.InfoAsync(HandshakeInfo())).LastBlockHeight);
            genesisHash = (await app.Client.InitChainAsync(InitChainOf(genesisPath))).AppHash;
            var account = await app.Client.QueryAsync(new RequestQuery { Path = "/store/acc/key", Data = ByteString.CopyFrom(admin.Address) });
            adminNumber = ChainApp.DecodeAccount(account.Value.Span).Number;
            hash1 = (await app.Client.FinalizeBlockAsync(Block(1, genesis, Send(1)))).AppHash;
            app.Kill();
        }
        sequence = 0;
        ByteString hash3, hash4;
        await using (var app = await AppProcess.StartAsync(appHome))
        {
            var info = await app.Client.InfoAsync(HandshakeInfo());
            Assert.Equal(0, info.LastBlockHeight);
            Assert.True(info.LastBlockAppHash.IsEmpty);
            Assert.Equal(genesisHash, (await app.Client.InitChainAsync(InitChainOf(genesisPath))).AppHash);
            Assert.Equal(hash1, (await app.Client.FinalizeBlockAsync(Block(1, genesis, Send(1)))).AppHash);
            await app.Client.CommitAsync();
            await app.Client.FinalizeBlockAsync(Block(2, genesis, Send(2)));
            await app.Client.CommitAsync();
            hash3 = (await app.Client.FinalizeBlockAsync(Block(3, genesis, Send(3)))).AppHash;
            await app.Client.CommitAsync();

            // 2. Killed between FinalizeBlock 4 and its Commit.
            hash4 = (await app.Client.FinalizeBlockAsync(Block(4, genesis, Send(4), Send(5)))).AppHash;
            app.Kill();
        }
        sequence -= 2;
        ByteString hash5;
        await using (var app = await AppProcess.StartAsync(appHome))
        {
            // CometBFT's handshake: the app is one block behind the block store -> replay block 4.
            var info = await app.Client.InfoAsync(HandshakeInfo());
            Assert.Equal(3, info.LastBlockHeight);
            Assert.Equal(hash3, info.LastBlockAppHash);
            Assert.Equal(hash4, (await app.Client.FinalizeBlockAsync(Block(4, genesis, Send(4), Send(5)))).AppHash);
            await app.Client.CommitAsync();

            // 3. Killed right after Commit 5: nothing is lost and nothing is replayed.
            hash5 = (await app.Client.FinalizeBlockAsync(Block(5, genesis, Send(6)))).AppHash;
            await app.Client.CommitAsync();
            app.Kill();
        }
        await using (var app = await AppProcess.StartAsync(appHome))
        {
            var info = await app.Client.InfoAsync(HandshakeInfo());
            Assert.Equal(5, info.LastBlockHeight);
            Assert.Equal(hash5, info.LastBlockAppHash);
            // The balance holds every send exactly once: 1+2+3+4+5+6.
            var balance = await app.Client.QueryAsync(new RequestQuery { Path = "/store/bank/key", Data = ByteString.CopyFrom(user.Address) });
            Assert.Equal(DevnetHome.DefaultBalance + 21, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(balance.Value.Span));
        }
    }

    [Theory]
    [InlineData("unix")]
    [InlineData("grpc")]
    public async Task Start_serves_Info_over_a_unix_socket_and_gRPC_and_stops_on_SIGTERM(string transport)
    {
        var net = Path.Combine(_dir, "net");
        var init = CliRunner.Run("node", "init", "--cometbft", "--home", net, "--validators", "1");
        Assert.True(init.ExitCode == 0, init.Error);
        var listen = transport == "unix" ? "unix://" + Path.Combine(_dir, "app.sock") : "grpc://127.0.0.1:0";
        var (child, bound) = await CliProcess.StartAsync(["node", "start", "--abci", listen, "--home", Path.Combine(net, "node0", "app")], "ABCI on ");
        var process = child.Process;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var address = AbciAddress.Parse(bound);
            ResponseInfo answer;
            if (address.Transport == AbciTransport.Grpc)
            {
                Assert.NotEqual(0, address.Port);
                using var channel = GrpcChannel.ForAddress(string.Create(CultureInfo.InvariantCulture, $"http://{address.Host}:{address.Port}"));
                answer = await new ABCI.ABCIClient(channel).InfoAsync(HandshakeInfo(), cancellationToken: timeout.Token);
            }
            else
            {
                Assert.Equal(AbciTransport.Unix, address.Transport);
                await using var client = await AbciSocketClient.ConnectAsync(address, cancellationToken: timeout.Token);
                answer = await client.InfoAsync(HandshakeInfo(), timeout.Token);
            }
            Assert.Equal(0, answer.LastBlockHeight);
            Assert.Equal("citrine", answer.Data);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(timeout.Token);
            }
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == CliApp.Ok, $"exit {process.ExitCode}: {child.Errors}");
            Assert.Contains("stopped at height 0", await process.StandardOutput.ReadToEndAsync(timeout.Token), StringComparison.Ordinal);
            if (address.Transport == AbciTransport.Unix)
            {
                Assert.False(File.Exists(address.Path), "the socket file is removed on stop");
            }
        }
        finally
        {
            child.KillQuietly();
            process.Dispose();
        }
    }
}
