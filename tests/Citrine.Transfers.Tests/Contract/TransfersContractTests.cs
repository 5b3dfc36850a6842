using System.Security.Cryptography;
using System.Text;
using Citrine.Chain.Contracts;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Transfers.Contract;

namespace Citrine.Transfers.Tests.Contract;

/// <summary>
/// The Transfers contract: the app's rule on requests (kind, funds, ciphertext) before the execution
/// core's checks, routing to the session and execution cores, and that the node's own loader accepts
/// the assembly under the contract API rules with Citrine.Contracts pinned beside it.
/// </summary>
public sealed class TransfersContractTests
{
    private static readonly byte[] Measurement = Enumerable.Repeat((byte)0x77, 32).ToArray();
    private static readonly byte[] User = Enumerable.Repeat((byte)0x0a, 20).ToArray();
    private readonly ContractTestContext _ctx = new(Measurement) { Sender = User };
    private readonly TransfersContract _contract = new();

    private void Establish()
    {
        var config = SessionConfig.Write(
            [Citrine.Contracts.Session.Measurement.Mock(Measurement)],
            new SessionPolicy { AcceptMock = true, MaxAttestationAgeSeconds = 86_400 },
            new SessionTrustRoot
            {
                ChainId = _ctx.ChainId, TrustedHeight = 5, TrustedHash = new byte[32], TrustingPeriodSeconds = 1_209_600,
                TrustThresholdNumerator = 1, TrustThresholdDenominator = 3, MaxClockDriftSeconds = 10, MaxBlockLag = 10,
            },
            []);
        _contract.Instantiate(_ctx, SessionMessages.Instantiate(config, Quote(SessionMessageType.Instantiate, ReportData.InstantiateBody(config), [])));
        var nonce = Enumerable.Repeat((byte)0xab, 32).ToArray();
        _contract.Execute(_ctx, SessionMessages.SessionCreate(nonce, Quote(SessionMessageType.SessionCreate, ReportData.SessionCreateBody(nonce), _ctx.ContractAddress)));
        _ctx.BlockHeight = 12;
        var signing = Enumerable.Repeat((byte)0x11, 32).ToArray();
        var encryption = Enumerable.Repeat((byte)0x22, 32).ToArray();
        _contract.Execute(_ctx, SessionMessages.SessionSetPubKey(nonce, signing, encryption, 11,
            Quote(SessionMessageType.SessionSetPubKey, ReportData.KeysBody(nonce, signing, encryption, 11), _ctx.ContractAddress)));
        _ctx.BlockHeight = 13;
    }

    private byte[] Quote(SessionMessageType type, byte[] body, byte[] contract) =>
        ReportData.Compute(type, _ctx.ChainId, contract, body, SHA512.HashData);

    private static byte[] Request(string kind, int ciphertext, int enc = -1) =>
        Encoding.UTF8.GetBytes("{\"request\":{\"kind\":\"" + kind + "\",\"suite\":\"" + RequestSuite.ChaCha20Poly1305 + "\",\"enc\":\""
            + Convert.ToBase64String(new byte[enc < 0 ? (ciphertext == 0 ? 0 : 32) : enc]) + "\",\"ciphertext\":\"" + Convert.ToBase64String(new byte[ciphertext]) + "\"}}");

    [Fact]
    public void Deposit_with_funds_is_queued_with_its_sender_and_funds()
    {
        Establish();
        _ctx.Funds = 250;
        var answer = _contract.Execute(_ctx, Request("deposit", 0));
        Assert.Equal(0ul, ExecutionMessages.ParseRequestAnswer(answer));
        var record = ExecutionCore.ReadRequest(_ctx, 0)!;
        Assert.Equal(250ul, record.Funds);
        Assert.Equal(User, record.Sender.ToArray());
        Assert.Equal("deposit", record.Kind);
    }

    [Theory]
    [InlineData("transfer")]
    [InlineData("withdraw")]
    [InlineData("balance")]
    public void Encrypted_kinds_without_funds_are_queued(string kind)
    {
        Establish();
        Assert.Equal(0ul, ExecutionMessages.ParseRequestAnswer(_contract.Execute(_ctx, Request(kind, 48))));
        var queue = ExecutionMessages.ParseQueueAnswer(_contract.Query(_ctx, ExecutionMessages.QueueQuery()));
        Assert.Equal((0ul, 1ul), (queue.Head, queue.Next));
    }

    [Fact]
    public void Deposit_without_funds_is_refused() => Refused(TransfersContractError.DepositWithoutFunds, Request("deposit", 0), funds: 0);

    [Fact]
    public void Deposit_with_a_ciphertext_is_refused() => Refused(TransfersContractError.DepositWithCiphertext, Request("deposit", 48), funds: 5);

    [Fact]
    public void Transfer_without_a_ciphertext_is_refused() => Refused(TransfersContractError.CiphertextMissing, Request("transfer", 0), funds: 0);

    [Fact]
    public void Unknown_kind_is_refused() => Refused(TransfersContractError.UnknownKind, Request("mint", 48), funds: 0);

    [Theory]
    [InlineData("transfer")]
    [InlineData("withdraw")]
    [InlineData("balance")]
    public void Funds_on_an_encrypted_kind_are_refused_by_the_execution_core(string kind)
    {
        Establish();
        _ctx.Funds = 1;
        var before = _ctx.Fingerprint();
        var e = Assert.Throws<ExecutionException>(() => _contract.Execute(_ctx, Request(kind, 48)));
        Assert.Equal(ExecutionError.FundsNotAccepted, e.Code);
        Assert.Equal(before, _ctx.Fingerprint());
    }

    [Fact]
    public void Request_before_a_session_is_refused_by_the_execution_core()
    {
        var e = Assert.Throws<ExecutionException>(() => _contract.Execute(_ctx, Request("transfer", 48)));
        Assert.Equal(ExecutionError.NoActiveSession, e.Code);
    }

    [Fact]
    public void Other_messages_and_queries_are_refused_as_invalid()
    {
        Establish();
        Assert.Equal(SessionError.MessageInvalid, Assert.Throws<SessionException>(() => _contract.Execute(_ctx, "{\"mint\":{}}"u8.ToArray())).Code);
        Assert.Equal(SessionError.MessageInvalid, Assert.Throws<SessionException>(() => _contract.Query(_ctx, "{\"balances\":{}}"u8.ToArray())).Code);
        Assert.NotNull(SessionMessages.ParseSessionAnswer(_contract.Query(_ctx, SessionMessages.Query(SessionQuery.Session))));
    }

    [Fact]
    public void The_node_loads_it_under_the_contract_rules_with_Citrine_Contracts_pinned()
    {
        var dir = AppContext.BaseDirectory;
        var contract = Path.Combine(dir, "Transfers.Contract.dll");
        var library = Path.Combine(dir, "Citrine.Contracts.dll");
        var code = ContractLoader.LoadFile(typeof(TransfersContract).FullName!, contract, SHA256.HashData(File.ReadAllBytes(contract)),
            [new ContractLibraryFile(library, SHA256.HashData(File.ReadAllBytes(library)))]);
        Assert.NotNull(code);
    }

    private void Refused(TransfersContractError code, byte[] message, ulong funds)
    {
        Establish();
        _ctx.Funds = funds;
        var before = _ctx.Fingerprint();
        var e = Assert.Throws<TransfersContractException>(() => _contract.Execute(_ctx, message));
        Assert.Equal(code, e.Code);
        Assert.StartsWith($"[{code}]", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, _ctx.Fingerprint());
    }
}
