using Citrine.Host.Chain;

namespace Citrine.Host.Tests.Chain;

public sealed class ChainSubscriptionTests
{
    private static string Describe(ChainNotification n) => n switch
    {
        NewBlockNotification b => $"block {b.Height}",
        TxNotification t => $"tx {t.Height}",
        _ => n.ToString(),
    };

    private static async Task<List<string>> Take(IAsyncEnumerator<ChainNotification> events, int count)
    {
        var taken = new List<string>();
        while (taken.Count < count)
        {
            Assert.True(await events.MoveNextAsync());
            taken.Add(Describe(events.Current));
        }
        return taken;
    }

    [Fact]
    public async Task Events_arrive_live_and_after_a_dropped_connection_the_missed_ones_are_caught_up_once()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce();
        var recipient = devnet.Genesis.Bech32(devnet.Address(2));
        using var subscription = new ChainSubscription(devnet.Client, $"transfer.recipient='{recipient}'", fromHeight: 1);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = subscription.ReadAllAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        try
        {
            // Block 2 carries a matching tx and one that does not match.
            devnet.Submit(devnet.SendTx(0, 2, 1, 0));
            devnet.Submit(devnet.SendTx(0, 1, 1, 1));
            devnet.Produce();
            Assert.Equal(["block 2", "tx 2"], await Take(events, 2));

            subscription.Drop();
            devnet.Submit(devnet.SendTx(0, 2, 3, 2));
            devnet.Produce();
            devnet.Submit(devnet.SendTx(0, 2, 4, 3));
            devnet.Produce();
            Assert.Equal(["block 3", "tx 3", "block 4", "tx 4"], await Take(events, 4));
            Assert.Equal(2, subscription.Connections);

            // Live again on the new connection, with no repeat of what the catch-up reported.
            devnet.Submit(devnet.SendTx(0, 2, 5, 4));
            devnet.Produce();
            Assert.Equal(["block 5", "tx 5"], await Take(events, 2));
            Assert.Equal(5, subscription.LastHeight);
        }
        finally
        {
            await events.DisposeAsync();
        }
    }

    [Fact]
    public async Task Subscription_starting_behind_the_node_catches_up_from_its_height()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Submit(devnet.SendTx(0, 2, 1, 0));
        devnet.Produce(3);
        var recipient = devnet.Genesis.Bech32(devnet.Address(2));
        using var subscription = new ChainSubscription(devnet.Client, $"transfer.recipient='{recipient}'", fromHeight: 0);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = subscription.ReadAllAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        try
        {
            Assert.Equal(["block 1", "tx 1", "block 2", "block 3"], await Take(events, 4));
        }
        finally
        {
            await events.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_node_without_a_websocket_is_unreachable_after_the_bounded_attempts()
    {
        using var server = new FakeHttpServer(404, "");
        using var http = new HttpClient();
        var client = new CometRpcClient(server.Uri, http);
        using var subscription = new ChainSubscription(client, "a.b='c'", 0, new SubscriptionOptions { MaxReconnectAttempts = 2, ReconnectDelay = TimeSpan.Zero });
        var e = await Assert.ThrowsAsync<ChainClientException>(async () =>
        {
            await foreach (var _ in subscription.ReadAllAsync())
            {
            }
        });
        Assert.Equal(ChainErrorKind.Unreachable, e.Kind);
    }
}
