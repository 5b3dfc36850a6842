using Citrine.Chain.Devnet;
using Citrine.Chain.Node;
using Citrine.Chain.Rpc;

namespace Citrine.Cli.Tests;

/// <summary>
/// A devnet node of a home, in this process, serving RPC on a loopback port and producing a
/// block every 50 ms until disposed; the CLI under test talks to it over HTTP.
/// </summary>
internal sealed class InProcessNode : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producing;

    private InProcessNode(ChainNode node, RpcServer server)
    {
        Node = node;
        Server = server;
        _producing = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(50);
                node.ProduceBlock();
            }
        });
    }

    public ChainNode Node { get; }

    public RpcServer Server { get; }

    /// <summary>The RPC address as the CLI's <c>--node</c> takes it.</summary>
    public string Url => Server.Address.ToString();

    public static async Task<InProcessNode> StartAsync(DevnetHome home)
    {
        var node = ChainNode.Open(home, SystemNodeClock.Instance);
        try
        {
            return new InProcessNode(node, await RpcServer.StartAsync(node, "127.0.0.1:0", 1 << 20));
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            // A block that failed to produce surfaces here, failing the test that ran it.
            await _producing;
        }
        finally
        {
            await Server.DisposeAsync();
            Node.Dispose();
            _stop.Dispose();
        }
    }
}
