using System.Text.Json;
using Transfers.Web;

namespace Citrine.Transfers.Tests.Web;

/// <summary>
/// The Transfers page in headless chromium (Debian's package, driven by playwright-core), used as a
/// person does — choose an account, deposit, transfer, read the balances — served by
/// <see cref="TransfersWebHost"/> over <see cref="InProcessTransfers"/>. Skipped when chromium,
/// node or scripts/web-setup's packages are missing, except under CI=true, where that fails.
/// </summary>
[Trait("Category", "Web")]
public sealed class PageTests
{
    [SkippableFact]
    public async Task A_person_deposits_and_transfers_and_both_balances_show_it()
    {
        var (node, chromium) = WebTools.RequireBrowser();
        using var backend = new InProcessTransfers();
        await using var host = await TransfersWebHost.StartAsync(backend, backend, WebTools.WebRoot, 0, null, CancellationToken.None);

        var scenario = JsonSerializer.Serialize(new { from = "alice", to = "bob", recipientDeposit = 5, deposit = 1000, transfer = 250, timeoutMs = 60_000 });
        var (exit, stdout, stderr) = await WebTools.RunAsync(node, WebTools.WebTests, ["page.mjs", host.Address.ToString(), chromium, scenario],
            new Dictionary<string, string>(), TimeSpan.FromMinutes(3));

        Assert.True(exit == 0, $"page.mjs exited {exit}\n{stdout}\n{stderr}");
        var steps = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(steps[^1].GetProperty("ok").GetBoolean(), stdout);
        Assert.Equal("750", steps.Single(s => s.TryGetProperty("step", out var n) && n.GetString() == "transfer").GetProperty("balance").GetString());
        Assert.Equal("255", steps.Single(s => s.TryGetProperty("step", out var n) && n.GetString() == "recipient").GetProperty("balance").GetString());
        // The chain side saw the deposit leave alice's bank balance.
        var alice = (await backend.GetAccountsAsync(CancellationToken.None)).Single(a => a.Name == "alice");
        Assert.Equal(1_000_000ul - 1000, alice.BankBalance);
        var bob = (await backend.GetAccountsAsync(CancellationToken.None)).Single(a => a.Name == "bob");
        Assert.Equal(1_000_000ul - 5, bob.BankBalance);
    }
}
