using System.Text.Json.Nodes;
using Citrine.Contracts.Execution;
using Citrine.Crypto;
using Citrine.Crypto.Hpke;
using Citrine.Enclave.Execution;
using Citrine.Transfers.Tests.Enclave;
using Transfers.Enclave;
using Transfers.Protocol;

namespace Citrine.Transfers.Tests.Web;

/// <summary>
/// The page's protocol module (examples/Transfers/web/js/protocol.js with the pinned @hpke packages),
/// run in node, against Citrine's own codecs and HPKE: what the browser seals, the enclave's
/// HPKE opens under the AAD rebuilt from the request record; what the enclave app seals, the
/// browser opens. Skipped only when node (or scripts/web-setup's packages) is absent and not under CI.
/// </summary>
[Trait("Category", "Web")]
public sealed class HpkeInteropTests
{
    private const string ChainId = "citrine-devnet";
    private static readonly byte[] Contract = Convert.FromHexString("0102030405060708090a0b0c0d0e0f1011121314");
    private static readonly byte[] Alice = Enumerable.Repeat((byte)0xa1, 20).ToArray();
    private static readonly byte[] Bob = Enumerable.Repeat((byte)0xb0, 20).ToArray();
    private static readonly HpkeSuite Suite = HpkeSuite.X25519Sha256ChaCha20Poly1305;

    [SkippableFact]
    public async Task Browser_sealed_requests_open_in_csharp_under_the_record_aad_and_only_there()
    {
        using var peer = new NodePeer(WebTools.RequireNode());
        using var session = Suite.GenerateKeyPair();
        var responseKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var plaintexts = new (string Kind, object Encode, byte[] Expected)[]
        {
            (TransfersKind.Transfer, new { op = "encode", kind = "transfer", to = Hex(Bob), amount = "18446744073709551615" }, new TransferRequest(Bob, ulong.MaxValue).Encode()),
            (TransfersKind.Withdraw, new { op = "encode", kind = "withdraw", amount = "7" }, new WithdrawRequest(7).Encode()),
            (TransfersKind.Balance, new { op = "encode", kind = "balance", key = Hex(responseKey) }, new BalanceRequest(responseKey).Encode()),
        };
        foreach (var (kind, encode, expected) in plaintexts)
        {
            var plaintext = Convert.FromHexString(Str(await peer.AskAsync(encode), "plaintext"));
            Assert.Equal(expected, plaintext);

            var sealedRequest = await peer.AskAsync(new
            {
                op = "seal_request", encryption_key = Hex(session.ExportPublicKey()), chain_id = ChainId, contract = Hex(Contract),
                sender = Hex(Alice), session_id = "3", kind, plaintext = Hex(plaintext),
            });
            var enc = Convert.FromHexString(Str(sealedRequest, "enc"));
            var ciphertext = Convert.FromHexString(Str(sealedRequest, "ciphertext"));
            var aad = RequestAad.Build(ChainId, Contract, Alice, 3, kind);
            Assert.Equal(Hex(aad), Str(sealedRequest, "aad"));
            Assert.Equal(32, enc.Length);
            Assert.Equal(plaintext.Length + 16, ciphertext.Length);

            Assert.Equal(plaintext, Suite.Open(enc, session, System.Text.Encoding.UTF8.GetBytes(RequestSuite.Info), aad, ciphertext));
            // The same ciphertext in Bob's tx, another session or another kind does not open.
            foreach (var other in new[]
            {
                RequestAad.Build(ChainId, Contract, Bob, 3, kind),
                RequestAad.Build(ChainId, Contract, Alice, 4, kind),
                RequestAad.Build(ChainId, Contract, Alice, 3, kind == TransfersKind.Withdraw ? TransfersKind.Transfer : TransfersKind.Withdraw),
            })
            {
                Assert.Throws<AuthenticationFailedException>(() => Suite.Open(enc, session, System.Text.Encoding.UTF8.GetBytes(RequestSuite.Info), other, ciphertext));
            }
        }
    }

    [SkippableFact]
    public async Task Balance_report_sealed_by_the_enclave_app_opens_in_the_browser_module()
    {
        using var peer = new NodePeer(WebTools.RequireNode());
        var key = await peer.AskAsync(new { op = "keygen" });
        var publicKey = Convert.FromHexString(Str(key, "public_key"));

        var requests = new List<AppRequest>
        {
            Request(0, Alice, TransfersKind.Deposit, 1000, AppRequestOpening.NoCiphertext, []),
            Request(1, Bob, TransfersKind.Deposit, 5, AppRequestOpening.NoCiphertext, []),
            Request(2, Alice, TransfersKind.Transfer, 0, AppRequestOpening.Opened, new TransferRequest(Bob, 250).Encode()),
            Request(3, Alice, TransfersKind.Withdraw, 0, AppRequestOpening.Opened, new WithdrawRequest(50).Encode()),
            Request(4, Alice, TransfersKind.Balance, 0, AppRequestOpening.Opened, new BalanceRequest(publicKey).Encode()),
        };
        var batch = new AppBatch
        {
            ChainId = ChainId, Contract = Contract, SessionId = 3, State = ReadOnlyMemory<byte>.Empty, PreviousStateHash = new byte[32],
            FirstSeq = 0, EndSeq = 5, VerifiedHeight = 9, Requests = requests,
        };
        var result = new TransfersApp().Handle(batch, new FakeAppContext());
        var response = result.Responses.Single(r => r.Seq == 4);
        Assert.False(response.IsRefused);

        var open = new
        {
            op = "open_report", id = Str(key, "id"), payload = Convert.ToBase64String(response.Payload.Span), chain_id = ChainId,
            contract = Hex(Contract), session_id = "3", seq = "4", owner = Hex(Alice),
        };
        var report = await peer.AskAsync(open);
        Assert.Equal("700", Str(report, "balance"));
        var history = report["history"]!.AsArray().Select(e => $"{e!["seq"]}:{e["kind"]}:{e["direction"]}{e["amount"]}:{e["counterparty"]}").ToArray();
        Assert.Equal(new[] { $"0:deposit:+1000:{new string('0', 40)}", $"2:transfer:-250:{Hex(Bob)}", $"3:withdraw:-50:{new string('0', 40)}" }, history);

        // Bound to its request: the browser refuses it as the answer to another seq or another owner.
        await Assert.ThrowsAsync<InvalidOperationException>(() => peer.AskAsync(open with { seq = "5" }));
        await Assert.ThrowsAsync<InvalidOperationException>(() => peer.AskAsync(open with { owner = Hex(Bob) }));
    }

    private static AppRequest Request(ulong seq, byte[] sender, string kind, ulong funds, AppRequestOpening opening, byte[] plaintext) => new()
    {
        Seq = seq, Sender = sender, Kind = kind, Funds = funds, Height = 5, Opening = opening, Plaintext = plaintext,
    };

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static string Str(JsonObject o, string name) => o[name]?.GetValue<string>() ?? throw new InvalidOperationException($"no {name} in {o}");
}
