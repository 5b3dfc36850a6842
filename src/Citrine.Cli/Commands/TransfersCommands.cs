using System.CommandLine;
using System.Globalization;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Cli.Dev;
using Citrine.Contracts.Execution;
using Citrine.Crypto.Hpke;
using Citrine.Host.Chain;
using Citrine.Host.Execution;
using Citrine.Host.Handshake;
using Transfers.Protocol;

namespace Citrine.Cli.Commands;

/// <summary>
/// <c>citrine transfers deposit|transfer|withdraw|balance</c>: a user of the private-transfers app
/// (docs/transfers.md). Each seals its plaintext with HPKE to the session's encryption key (read
/// from the contract's session record) under the request AAD, sends the <c>request</c> tx from the
/// user's key (<c>--from</c>), waits for the response the enclave's output stores under
/// <c>response/&lt;seq&gt;</c>, and prints it. <c>balance</c> makes a one-time X25519 key, puts its
/// public key in the request and opens the sealed report with it. Exit 0: answered ok; 1: refused
/// (by the contract or the app); 2: bad input.
/// </summary>
internal static class TransfersCommands
{
    public static Command Create()
    {
        var transfers = new Command("transfers", "Private transfers (examples/Transfers): deposit, transfer, withdraw, balance.");
        var amount = new Option<string>("--amount") { Description = "Amount of devnet tokens.", Required = true };
        var to = new Option<string>("--to") { Description = "Recipient account (bech32).", Required = true };
        transfers.Subcommands.Add(Build("deposit", "Deposit tokens into the app (sent in the clear with the request).", [amount],
            (p, chain) => (TransfersKind.Deposit, [], Amount(p.GetValue(amount)!))));
        transfers.Subcommands.Add(Build("transfer", "Transfer hidden tokens to another account.", [to, amount],
            (p, chain) => (TransfersKind.Transfer, new TransferRequest(TxCommands.Address(p.GetValue(to)!, chain.Prefix), Amount(p.GetValue(amount)!)).Encode(), 0)));
        transfers.Subcommands.Add(Build("withdraw", "Withdraw hidden tokens back to your account.", [amount],
            (p, chain) => (TransfersKind.Withdraw, new WithdrawRequest(Amount(p.GetValue(amount)!)).Encode(), 0)));
        transfers.Subcommands.Add(Build("balance", "Read your hidden balance and history (sealed to a one-time key).", [], (p, chain) => (TransfersKind.Balance, [], 0)));
        return transfers;
    }

    private delegate (string Kind, byte[] Plaintext, ulong Funds) RequestBuilder(System.CommandLine.ParseResult parsed, TxCommands.ChainInfo chain);

    private static Command Build(string kind, string description, Option[] extra, RequestBuilder build)
    {
        var home = CommonOptions.Optional("--home", "The dev home (keys, genesis and the host's handshake state; default ~/.citrine/dev).");
        var node = CommonOptions.Optional("--node", "The node's RPC URL (default http://127.0.0.1:26657).");
        var from = CommonOptions.Optional("--from", "The key name in <home>/keys (default admin).");
        var contract = CommonOptions.Optional("--contract", "The transfers contract (bech32; default: the one <home>/host/handshake.json deployed).");
        var wait = CommonOptions.Optional("--wait", "How long to wait for the response (default 60s).");
        var json = CommonOptions.Json();
        var cmd = new Command(kind, description) { home, node, from, contract, wait, json };
        foreach (var option in extra)
        {
            cmd.Options.Add(option);
        }
        cmd.SetAction(async (parsed, cancellationToken) =>
        {
            var dir = new DevnetHome(parsed.GetValue(home) ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".citrine", "dev"));
            GenesisDoc genesis;
            AccountKey key;
            try
            {
                genesis = dir.LoadGenesis();
                key = dir.LoadAccountKey(parsed.GetValue(from) ?? DevnetHome.AdminKeyName);
            }
            catch (Exception e) when (e is DevnetHomeException or GenesisException)
            {
                throw new CliInputException(e.Message, e);
            }
            var chainInfo = new TxCommands.ChainInfo(genesis.ChainId, genesis.AddressPrefix);
            var address = parsed.GetValue(contract) is { } text ? TxCommands.Address(text, genesis.AddressPrefix) : DeployedContract(dir);
            var (requestKind, plaintext, funds) = build(parsed, chainInfo);
            var timeout = parsed.GetValue(wait) is { } w ? DevnetCommands.ParseDuration(w, "--wait") : TimeSpan.FromSeconds(60);

            using var http = QueryCommands.Client(parsed.GetValue(node));
            var chain = new CometRpcClient(http.BaseAddress!, http);
            using var user = new ChainTxClient(http, key, genesis.ChainId);
            var client = new RequestClient(chain, user, genesis.ChainId, address);
            using var responseKey = requestKind == TransfersKind.Balance ? RequestClient.Suite.GenerateKeyPair() : null;
            if (responseKey is not null)
            {
                plaintext = new BalanceRequest(responseKey.PublicKey).Encode();
            }
            var (queued, session) = await Guard(() => client.SendAsync(requestKind, plaintext, funds, cancellationToken)).ConfigureAwait(false);
            var response = await Guard(() => client.WaitForResponseAsync(queued.Seq, timeout, TimeSpan.FromMilliseconds(200), cancellationToken)).ConfigureAwait(false);
            var latest = (await chain.StatusAsync(cancellationToken).ConfigureAwait(false)).LatestBlockHeight;
            BalanceReport? report = null;
            if (responseKey is not null && response.Status == ResponseStatus.Ok)
            {
                report = Open(responseKey, genesis.ChainId, address, session.Id, queued.Seq, key.Address, response.Payload);
            }
            Write(parsed.InvocationConfiguration.Output, parsed.GetValue(json), requestKind, genesis, queued, latest, response, report);
            return response.Status == ResponseStatus.Ok ? CliApp.Ok : CliApp.Failed;
        });
        return cmd;
    }

    /// <summary>Opens the sealed balance report (docs/transfers.md, "Balance report") with the one-time key.</summary>
    private static BalanceReport Open(HpkePrivateKey key, string chainId, byte[] contract, ulong sessionId, ulong seq, byte[] owner, byte[] payload)
    {
        try
        {
            var (enc, ciphertext) = BalanceSeal.Split(payload);
            using var recipient = RequestClient.Suite.SetupBaseRecipient(enc.Span, key, BalanceSeal.Info);
            return BalanceReport.Decode(recipient.Open(BalanceSeal.Aad(chainId, contract, sessionId, seq, owner), ciphertext.Span));
        }
        catch (Exception e) when (e is TransfersFormatException or Citrine.Crypto.CryptoException)
        {
            throw new CliFailureException($"the balance report for request {seq} does not open: {e.Message}", e);
        }
    }

    private static void Write(TextWriter output, bool json, string kind, GenesisDoc genesis, QueuedRequest queued, long latest, OutputResponse response, BalanceReport? report)
    {
        var refused = response.Status != ResponseStatus.Ok;
        var reason = refused ? System.Text.Encoding.UTF8.GetString(response.Payload) : null;
        if (json)
        {
            CliOutput.WriteJson(output, w =>
            {
                w.WriteString("kind", kind);
                w.WriteNumber("seq", queued.Seq);
                w.WriteString("tx", queued.TxHash);
                w.WriteNumber("queued_height", queued.Height);
                w.WriteNumber("answered_by_height", latest);
                w.WriteString("status", refused ? "refused" : "ok");
                if (reason is not null)
                {
                    w.WriteString("reason", reason);
                }
                if (report is not null)
                {
                    w.WriteNumber("balance", report.Balance);
                    w.WriteStartArray("history");
                    foreach (var entry in report.History)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("seq", entry.Seq);
                        w.WriteString("kind", entry.Kind.ToString().ToLowerInvariant());
                        w.WriteString("counterparty", entry.Counterparty.ToArray().All(b => b == 0) ? "" : genesis.Bech32(entry.Counterparty.ToArray()));
                        w.WriteNumber("amount", entry.Amount);
                        w.WriteString("direction", entry.Direction.ToString().ToLowerInvariant());
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
            });
            return;
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind} request {queued.Seq} (tx {queued.TxHash}, height {queued.Height}): {(refused ? "refused: " + reason : "ok")}"));
        if (report is not null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"balance {report.Balance}"));
            foreach (var entry in report.History)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  #{entry.Seq} {entry.Kind} {entry.Direction} {entry.Amount}"));
            }
        }
    }

    /// <summary>The contract the dev home's handshake deployed.</summary>
    private static byte[] DeployedContract(DevnetHome home)
    {
        var state = new HandshakeStateFile(Path.Combine(home.Root, "host")).Load();
        return state?.Contract is { } hex
            ? Convert.FromHexString(hex)
            : throw new CliInputException($"no deployed contract in {Path.Combine(home.Root, "host", HandshakeStateFile.FileName)}; pass --contract");
    }

    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RequestClientException or Citrine.Host.Transactions.TxSubmitException or ChainClientException)
        {
            throw new CliFailureException(e.Message, e);
        }
    }

    private static ulong Amount(string text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : throw new CliInputException($"'{text}' is not a positive integer");
}
