using Citrine.Attestation.Testing;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Contracts.Session;
using Citrine.Host.Chain;
using Citrine.Host.Enclave;
using Citrine.Host.Execution;
using Citrine.Host.Handshake;

namespace Citrine.Cli.Dev;

/// <summary>
/// The host relay as the CLI runs it: the node's RPC client, the enclave's gRPC client, a tx
/// signer over a devnet account key (the host's own account) and the handshake driver with its
/// state under a data directory. The CLI is the composition root, so this is where the chain's tx
/// codec meets the host library that may not reference it.
/// </summary>
internal sealed class HostWiring : IDisposable
{
    /// <summary>The session sample contract's type: the contract <c>citrine dev</c> instantiates.</summary>
    public const string SessionContractType = "Citrine.Samples.Session.SessionContract";

    /// <summary>The private-transfers contract's type (examples/Transfers/Transfers.Contract): the contract <c>citrine dev --app transfers</c> instantiates.</summary>
    public const string TransfersContractType = "Transfers.Contract.TransfersContract";

    private readonly HttpClient _http;

    private HostWiring(HttpClient http, CometRpcClient chain, IEnclaveClient enclave, ChainTxClient submitter, string dataDirectory, GenesisDoc genesis)
    {
        _http = http;
        Chain = chain;
        Enclave = enclave;
        Submitter = submitter;
        DataDirectory = dataDirectory;
        Genesis = genesis;
    }

    public CometRpcClient Chain { get; }

    public IEnclaveClient Enclave { get; }

    public ChainTxClient Submitter { get; }

    public string DataDirectory { get; }

    public GenesisDoc Genesis { get; }

    public static HostWiring Create(DevnetHome home, Uri node, Uri enclave, string keyName, string? dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(home);
        GenesisDoc genesis;
        AccountKey key;
        try
        {
            genesis = home.LoadGenesis();
            key = home.LoadAccountKey(keyName);
        }
        catch (Exception e) when (e is DevnetHomeException or GenesisException)
        {
            throw new CliInputException(e.Message, e);
        }
        var http = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) };
        var data = dataDirectory ?? Path.Combine(home.Root, "host");
        Directory.CreateDirectory(data);
        return new HostWiring(http, new CometRpcClient(node, http), EnclaveClient.Connect(enclave), new ChainTxClient(http, key, genesis.ChainId, HostGasLimit(genesis)), data, genesis);
    }

    /// <summary>
    /// The gas the host's txs may use: half the block's gas limit (an output of a full batch of
    /// 1,024 small requests needs about 6.8 M); the relay halves its batch when an output still
    /// runs out (ExecutionRelay, BatchShrunk).
    /// </summary>
    private static ulong HostGasLimit(GenesisDoc genesis) =>
        genesis.ConsensusParams.BlockMaxGas > 0 ? (ulong)(genesis.ConsensusParams.BlockMaxGas / 2) : 50_000_000;

    public HandshakeDriver Driver(IProgress<HandshakeProgress>? progress, HandshakeOptions? options = null) =>
        new(Chain, Enclave, Submitter, DataDirectory, progress, options);

    /// <summary>The execution relay for <paramref name="contract"/>, under the trust root of this data dir's deployed config.</summary>
    public ExecutionRelay Relay(byte[] contract, IProgress<RelayProgress>? progress, RelayOptions? options = null)
    {
        var state = new HandshakeStateFile(DataDirectory).Load() ?? throw new CliFailureException($"no handshake state in {DataDirectory}");
        if (!SessionConfig.TryParse(Convert.FromBase64String(state.Config), out var config, out var error))
        {
            throw new CliFailureException($"the deployed config does not parse: {error}");
        }
        var enclave = Enclave as IExecutionEnclave ?? throw new CliFailureException("the enclave client cannot Execute");
        return new ExecutionRelay(Chain, enclave, Submitter, contract, config!.TrustRoot, DataDirectory, progress, options);
    }

    /// <summary>Waits (bounded, polling <c>status</c>) for the node's first committed block: the trust root and the collateral are dated by it.</summary>
    public async Task<Citrine.CometBft.Json.NodeStatus> FirstBlockAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var status = await Chain.StatusAsync(cancellationToken).ConfigureAwait(false);
            if (status.LatestBlockHeight >= 1)
            {
                return status;
            }
            if (waited.Elapsed > timeout)
            {
                throw new CliFailureException($"the node committed no block within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The config of this data dir's deployment: the one its handshake state records (a resumed
    /// deployment keeps its config), or a new one trusting the node's latest header and the
    /// measurement <paramref name="measurement"/> (null: what the enclave's mode reports).
    /// </summary>
    public async Task<byte[]> ConfigAsync(Measurement? measurement, CancellationToken cancellationToken)
    {
        if (new HandshakeStateFile(DataDirectory).Load() is { } state)
        {
            return Convert.FromBase64String(state.Config);
        }
        await FirstBlockAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        var status = await Enclave.StatusAsync(cancellationToken).ConfigureAwait(false);
        return await DevConfig.BuildAsync(Chain, status, new DevConfigOptions { Admin = Submitter.Sender.ToArray() }, measurement, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// SIMULATION — the measurement the simulated-DCAP enclave's quotes carry (the simulator's
    /// default report body), as a deployer knows the MRENCLAVE of the build it signed.
    /// </summary>
    public static Measurement SimulatedMeasurement(string tee)
    {
        var defaults = new SimulatedQuoteRequest { Now = DateTimeOffset.UnixEpoch };
        if (tee == "tdx")
        {
            var rtmrs = defaults.Rtmrs.ToArray();
            return Measurement.Tdx(defaults.MrTd.Span, [rtmrs[..48], rtmrs[48..96], rtmrs[96..144], rtmrs[144..]]);
        }
        return Measurement.Sgx(defaults.MrEnclave.Span, defaults.MrSigner.Span, defaults.IsvProdId, defaults.IsvSvn);
    }

    public void Dispose()
    {
        Submitter.Dispose();
        (Enclave as IDisposable)?.Dispose();
        _http.Dispose();
    }
}
