using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Host.Chain;
using Citrine.Host.Enclave;
using Transfers.Web;

namespace Citrine.Cli.Dev;

/// <summary>
/// The Transfers page as <c>citrine dev --app transfers</c> serves it: <see cref="TransfersWebHost"/>
/// on 127.0.0.1 over the chain (<see cref="ChainTransfersView"/>) and the dev home's user keys
/// (<see cref="DevAccountsSubmitter"/>), with the page's files shipped beside this citrine under
/// <c>web/transfers/</c>. The admin key is left out: it is the host's account, which sends the outputs.
/// </summary>
internal sealed class TransfersWebServer : IAsyncDisposable
{
    private readonly TransfersWebHost _host;
    private readonly DevAccountsSubmitter _submitter;
    private readonly HttpClient _http;

    private TransfersWebServer(TransfersWebHost host, DevAccountsSubmitter submitter, HttpClient http)
    {
        _host = host;
        _submitter = submitter;
        _http = http;
    }

    /// <summary>The page's files as the CLI build ships them (examples/Transfers/web, with vendor/ from scripts/web-setup).</summary>
    public static string DefaultRoot => Path.Combine(Path.GetDirectoryName(typeof(CliApp).Assembly.Location)!, "web", "transfers");

    public Uri Address => _host.Address;

    /// <exception cref="CliFailureException">the page's files are missing or incomplete, or the port is taken.</exception>
    public static async Task<TransfersWebServer> StartAsync(
        DevnetHome home, GenesisDoc genesis, Uri rpc, IEnclaveClient enclave, byte[] contract, int port, string webRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(genesis);
        var users = Users(home);
        var http = new HttpClient { BaseAddress = rpc, Timeout = TimeSpan.FromSeconds(30) };
        var chain = new CometRpcClient(rpc, http);
        var submitter = new DevAccountsSubmitter(chain, http, genesis.ChainId, contract, users);
        try
        {
            var view = new ChainTransfersView(chain, enclave, genesis, contract, users);
            var host = await TransfersWebHost.StartAsync(view, submitter, webRoot, port, null, cancellationToken).ConfigureAwait(false);
            return new TransfersWebServer(host, submitter, http);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            submitter.Dispose();
            http.Dispose();
            throw new CliFailureException(
                $"the Transfers page cannot be served: {e.Message} This citrine serves the copy of examples/Transfers/web its build shipped ({webRoot}): run scripts/web-setup, then build src/Citrine.Cli again (scripts/dev --app transfers does both).", e);
        }
        catch (IOException e)
        {
            submitter.Dispose();
            http.Dispose();
            throw new CliFailureException($"the Transfers page cannot listen on 127.0.0.1:{port}: {e.Message}", e);
        }
        catch
        {
            submitter.Dispose();
            http.Dispose();
            throw;
        }
    }

    /// <summary>The dev home's user keys (every key but the admin's), by name.</summary>
    internal static IReadOnlyList<AccountKey> Users(DevnetHome home)
    {
        try
        {
            return Directory.EnumerateFiles(home.KeysDir, "*.json")
                .Select(Path.GetFileNameWithoutExtension)
                .Where(name => name is not null && name != DevnetHome.AdminKeyName)
                .Order(StringComparer.Ordinal)
                .Select(name => home.LoadAccountKey(name!))
                .ToList();
        }
        catch (Exception e) when (e is DevnetHomeException or IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"the dev home's keys ({home.KeysDir}): {e.Message}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync().ConfigureAwait(false);
        _submitter.Dispose();
        _http.Dispose();
    }
}
