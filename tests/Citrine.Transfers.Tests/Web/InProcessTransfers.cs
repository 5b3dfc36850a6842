using System.Security.Cryptography;
using System.Text;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Citrine.Crypto;
using Citrine.Crypto.Hpke;
using Citrine.Enclave.Execution;
using Citrine.Transfers.Tests.Enclave;
using Transfers.Enclave;
using Transfers.Web;

namespace Citrine.Transfers.Tests.Web;

/// <summary>
/// The Transfers API's backend with the chain and the enclave runtime replaced by an in-process
/// queue, and everything else real: the contract's request codec, a session X25519 key, the request
/// AAD rebuilt from the record, HPKE opening as the enclave does it, and <see cref="TransfersApp"/>
/// itself. Batches run on a background task after a short delay, so the page has to wait and poll
/// as it does against a real chain. Not a substitute for the end-to-end test under
/// <c>citrine dev --app transfers</c>; it lets the page be driven without one.
/// </summary>
internal sealed class InProcessTransfers : ITransfersView, ITransfersSubmitter, IDisposable
{
    private const string ChainId = "citrine-devnet";
    private const ulong SessionId = 1;
    private static readonly HpkeSuite Suite = HpkeSuite.X25519Sha256ChaCha20Poly1305;
    private static readonly byte[] Info = Encoding.UTF8.GetBytes(RequestSuite.Info);

    private readonly object _lock = new();
    private readonly HpkePrivateKey _sessionKey = Suite.GenerateKeyPair();
    private readonly byte[] _contract = Enumerable.Repeat((byte)0xc0, 20).ToArray();
    private readonly Dictionary<string, ulong> _bank = new(StringComparer.Ordinal);
    private readonly List<(DevAccount Account, ulong Funds, RequestMessage Message, ulong Seq)> _queue = [];
    private readonly Dictionary<ulong, OutputResponse> _responses = [];
    private readonly IReadOnlyList<DevAccount> _names;
    private ReadOnlyMemory<byte> _state = ReadOnlyMemory<byte>.Empty;
    private ulong _head;
    private ulong _next;
    private long _height = 20;

    public InProcessTransfers()
    {
        _names = [.. new[] { "alice", "bob", "carol" }.Select((n, i) => new DevAccount(n, Enumerable.Repeat((byte)(0xa0 + i), 20).ToArray(), "citrine1" + n, 0))];
        foreach (var a in _names)
        {
            _bank[a.Name] = 1_000_000;
        }
    }

    public Task<TransfersSnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            return Task.FromResult(new TransfersSnapshot
            {
                ChainId = ChainId,
                Contract = _contract,
                Height = _height,
                BlockTimeUnixSeconds = now,
                Mode = "mock",
                Session = new SessionRecord
                {
                    Phase = SessionPhase.Established, Id = SessionId, Nonce = new byte[32], CreatedHeight = 10,
                    Measurement = Citrine.Contracts.Session.Measurement.Mock(Enumerable.Repeat((byte)0x77, 32).ToArray()).CanonicalId,
                    SigningKey = Enumerable.Repeat((byte)0x11, 32).ToArray(), EncryptionKey = _sessionKey.ExportPublicKey(),
                    VerifiedHeight = (ulong)_height - 1, AttestationExpiryUnixSeconds = now + 86_400,
                },
                Queue = new QueueAnswer(_head, _next, SHA256.HashData(_state.Span)),
            });
        }
    }

    public Task<IReadOnlyList<DevAccount>> GetAccountsAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<DevAccount>>([.. _names.Select(a => a with { BankBalance = _bank[a.Name] })]);
        }
    }

    public Task<OutputResponse?> GetResponseAsync(ulong seq, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_responses.GetValueOrDefault(seq));
        }
    }

    public Task<SubmittedRequest> SubmitAsync(DevAccount account, byte[] message, ulong funds, CancellationToken cancellationToken)
    {
        if (!ExecutionMessages.TryParseExecute(message, out var parsed) || parsed is not RequestMessage request)
        {
            throw new TransfersSubmitException("[MessageInvalid] not a request");
        }
        ulong seq;
        lock (_lock)
        {
            if (_bank[account.Name] < funds)
            {
                throw new TransfersSubmitException($"insufficient funds: {account.Name} has {_bank[account.Name]}");
            }
            _bank[account.Name] -= funds;
            seq = _next++;
            _height++;
            _queue.Add((account, funds, request, seq));
        }
        _ = Task.Run(async () =>
        {
            await Task.Delay(300);
            RunBatch();
        }, CancellationToken.None);
        return Task.FromResult(new SubmittedRequest(seq, Convert.ToHexString(SHA256.HashData(message)), _height));
    }

    private void RunBatch()
    {
        lock (_lock)
        {
            if (_queue.Count == 0)
            {
                return;
            }
            var requests = _queue.Select(q => Open(q.Account, q.Funds, q.Message, q.Seq)).ToList();
            var batch = new AppBatch
            {
                ChainId = ChainId, Contract = _contract, SessionId = SessionId, State = _state, PreviousStateHash = SHA256.HashData(_state.Span),
                FirstSeq = _head, EndSeq = _next, VerifiedHeight = _height, Requests = requests,
            };
            var result = new TransfersApp().Handle(batch, new FakeAppContext());
            foreach (var send in result.Sends)
            {
                var to = _names.Single(a => a.Address.AsSpan().SequenceEqual(send.To.Span));
                _bank[to.Name] += send.Amount;
            }
            foreach (var r in result.Responses)
            {
                _responses[r.Seq] = new OutputResponse { Seq = r.Seq, Status = r.IsRefused ? ResponseStatus.Refused : ResponseStatus.Ok, Payload = r.Payload.ToArray() };
            }
            _state = result.NewState;
            _head = _next;
            _queue.Clear();
            _height++;
        }
    }

    private AppRequest Open(DevAccount account, ulong funds, RequestMessage message, ulong seq)
    {
        var opening = AppRequestOpening.NoCiphertext;
        byte[] plaintext = [];
        if (message.Ciphertext.Length > 0)
        {
            try
            {
                plaintext = Suite.Open(message.Enc, _sessionKey, Info, RequestAad.Build(ChainId, _contract, account.Address, SessionId, message.Kind), message.Ciphertext);
                opening = AppRequestOpening.Opened;
            }
            catch (CryptoException)
            {
                opening = AppRequestOpening.Undecryptable;
            }
        }
        return new AppRequest { Seq = seq, Sender = account.Address, Kind = message.Kind, Funds = funds, Height = (ulong)_height, Opening = opening, Plaintext = plaintext };
    }

    public void Dispose() => _sessionKey.Dispose();
}
