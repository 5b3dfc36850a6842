using System.Text;
using Citrine.Crypto.Hpke;
using Citrine.Enclave.Execution;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Transfers.Enclave;
using Transfers.Protocol;

namespace Citrine.Transfers.Tests.Enclave;

/// <summary>
/// Random sequences of requests, split into random batches, run through <see cref="TransfersApp"/>
/// and through a model written from docs/transfers.md; responses, sends, balances, histories and the
/// total must agree after every batch.
/// </summary>
public sealed class TransfersModelTests
{
    private const string ChainId = "citrine-devnet";
    private static readonly byte[] Contract = Enumerable.Repeat((byte)0xc0, 20).ToArray();
    private static readonly byte[][] Users = [.. Enumerable.Range(1, 4).Select(i => Enumerable.Repeat((byte)(i * 0x11), 20).ToArray())];
    private static readonly byte[] Stranger = Enumerable.Repeat((byte)0x99, 20).ToArray();

    /// <summary>One generated request: what the record and plaintext hold.</summary>
    public sealed record Op(int User, string Kind, ulong Funds, AppRequestOpening Opening, byte[] Plaintext)
    {
        public override string ToString() => $"{User}:{Kind}:{Funds}:{Opening}:{Convert.ToHexStringLower(Plaintext)}";
    }

    [Property(MaxTest = 200)]
    public Property App_agrees_with_the_model_on_random_batches() =>
        Prop.ForAll(OpsGen().ToArbitrary(), Gen.ListOf(Gen.Choose(1, 8)).ToArbitrary(), (ops, cuts) => Run(ops, cuts));

    [Fact]
    public void Transfer_of_the_whole_balance_leaves_zero_and_a_debit_entry()
    {
        var ops = new List<Op>
        {
            new(0, TransfersKind.Deposit, 100, AppRequestOpening.NoCiphertext, []),
            new(1, TransfersKind.Deposit, 1, AppRequestOpening.NoCiphertext, []),
            new(0, TransfersKind.Transfer, 0, AppRequestOpening.Opened, new TransferRequest(Users[1], 100).Encode()),
            new(0, TransfersKind.Transfer, 0, AppRequestOpening.Opened, new TransferRequest(Users[1], 1).Encode()),
        };
        Run(ops, [4]);
    }

    [Fact]
    public void State_that_does_not_decode_refuses_the_batch_instead_of_starting_afresh()
    {
        var batch = Batch(new byte[] { 1, 0, 0, 0, 1 }, 0, new List<Op>());
        Assert.Throws<LedgerFormatException>(() => new TransfersApp().Handle(batch, new FakeAppContext()));
    }

    [Fact]
    public void Unsorted_ledger_is_refused()
    {
        var ledger = new Ledger();
        Assert.Null(ledger.Deposit(0, Users[1], 5));
        Assert.Null(ledger.Deposit(1, Users[0], 5));
        var bytes = ledger.Encode();
        Assert.Equal(ledger.Encode(), Ledger.Decode(bytes).Encode());
        // Swap the two 20-byte addresses: same content, wrong order.
        var first = bytes.AsSpan(5, 20).ToArray();
        var secondAt = 5 + 20 + 8 + 4 + HistoryEntry.EncodedLength;
        bytes.AsSpan(secondAt, 20).CopyTo(bytes.AsSpan(5));
        first.CopyTo(bytes.AsSpan(secondAt));
        var e = Assert.Throws<LedgerFormatException>(() => Ledger.Decode(bytes));
        Assert.Contains("strictly ascending", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Balance_request_to_a_small_order_key_is_refused_as_malformed_and_the_batch_goes_on()
    {
        var ops = new List<Op>
        {
            new(0, TransfersKind.Balance, 0, AppRequestOpening.Opened, new BalanceRequest(new byte[32]).Encode()),
            new(0, TransfersKind.Deposit, 9, AppRequestOpening.NoCiphertext, []),
        };
        var result = new TransfersApp().Handle(Batch(ReadOnlyMemory<byte>.Empty, 0, ops), new FakeAppContext());
        Assert.True(result.Responses[0].IsRefused);
        Assert.Equal(RefusalReason.Malformed, Encoding.UTF8.GetString(result.Responses[0].Payload.Span));
        Assert.False(result.Responses[1].IsRefused);
        Assert.Equal(9ul, Ledger.Decode(result.NewState.Span).BalanceOf(Users[0]));
    }

    [Fact]
    public void The_sender_is_the_record_signer_whatever_the_plaintext_says()
    {
        // User 1 sends a transfer naming user 0 as recipient; only user 1's balance can pay for it.
        var ops = new List<Op>
        {
            new(0, TransfersKind.Deposit, 500, AppRequestOpening.NoCiphertext, []),
            new(1, TransfersKind.Transfer, 0, AppRequestOpening.Opened, new TransferRequest(Users[0], 10).Encode()),
        };
        var result = new TransfersApp().Handle(Batch(ReadOnlyMemory<byte>.Empty, 0, ops), new FakeAppContext());
        Assert.Equal(RefusalReason.Overdraft, Encoding.UTF8.GetString(result.Responses[1].Payload.Span));
        Assert.Equal(500ul, Ledger.Decode(result.NewState.Span).BalanceOf(Users[0]));
    }

    private static bool Run(IReadOnlyList<Op> ops, IReadOnlyList<int> cuts)
    {
        var app = new TransfersApp();
        var model = new Model();
        var state = ReadOnlyMemory<byte>.Empty;
        var seq = 0ul;
        var index = 0;
        var cut = 0;
        var keys = new Dictionary<ulong, HpkePrivateKey>();
        while (index < ops.Count)
        {
            var size = Math.Min(ops.Count - index, cuts.Count == 0 ? 8 : cuts[cut++ % cuts.Count]);
            var slice = ops.Skip(index).Take(size).ToList();
            var batch = Batch(state, seq, slice, keys);
            var context = new FakeAppContext();
            var result = app.Handle(batch, context);

            var expectedSends = new List<(byte[] To, ulong Amount)>();
            Assert.Equal(slice.Count, result.Responses.Count);
            for (var i = 0; i < slice.Count; i++)
            {
                var request = batch.Requests[i];
                var expected = model.Apply(request, slice[i], expectedSends);
                var response = result.Responses[i];
                Assert.Equal(request.Seq, response.Seq);
                Assert.True(expected is null != response.IsRefused, $"#{request.Seq} {slice[i]}: expected {expected ?? "ok"}");
                if (expected is not null)
                {
                    Assert.Equal(expected, Encoding.UTF8.GetString(response.Payload.Span));
                }
                else if (request.Kind == TransfersKind.Balance)
                {
                    CheckReport(model, request, response, keys[request.Seq], batch);
                }
                else
                {
                    Assert.True(response.Payload.IsEmpty);
                }
            }
            Assert.Equal(expectedSends.Select(s => (Convert.ToHexStringLower(s.To), s.Amount)),
                result.Sends.Select(s => (Convert.ToHexStringLower(s.To.Span), s.Amount)));

            var ledger = Ledger.Decode(result.NewState.Span);
            Assert.Equal(model.Accounts.Count, ledger.Count);
            foreach (var (address, account) in model.Accounts)
            {
                Assert.Equal(account.Balance, ledger.BalanceOf(Convert.FromHexString(address)));
                Assert.Equal(account.History, ledger.Report(Convert.FromHexString(address)).History);
            }
            Assert.Equal(model.Total, ledger.Total);
            Assert.Equal(model.Deposited - model.Withdrawn, ledger.Total);
            Assert.Equal(result.NewState.ToArray(), ledger.Encode());

            state = result.NewState;
            seq += (ulong)slice.Count;
            index += slice.Count;
        }
        return true;
    }

    private static void CheckReport(Model model, AppRequest request, AppResponse response, HpkePrivateKey key, AppBatch batch)
    {
        var (enc, ciphertext) = BalanceSeal.Split(response.Payload);
        var aad = BalanceSeal.Aad(ChainId, Contract, batch.SessionId, request.Seq, request.Sender.Span);
        var report = BalanceReport.Decode(HpkeSuite.X25519Sha256ChaCha20Poly1305.Open(enc.Span, key, BalanceSeal.Info, aad, ciphertext.Span));
        var account = model.Accounts.GetValueOrDefault(Convert.ToHexStringLower(request.Sender.Span));
        Assert.Equal(account?.Balance ?? 0, report.Balance);
        Assert.Equal(account?.History ?? [], report.History);
        // The report is bound to its request: under another seq's AAD it does not open.
        var other = BalanceSeal.Aad(ChainId, Contract, batch.SessionId, request.Seq + 1, request.Sender.Span);
        Assert.ThrowsAny<Citrine.Crypto.CryptoException>(() => HpkeSuite.X25519Sha256ChaCha20Poly1305.Open(enc.Span, key, BalanceSeal.Info, other, ciphertext.Span));
    }

    private static AppBatch Batch(ReadOnlyMemory<byte> state, ulong firstSeq, IReadOnlyList<Op> ops, Dictionary<ulong, HpkePrivateKey>? keys = null)
    {
        var requests = new List<AppRequest>();
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var seq = firstSeq + (ulong)i;
            var plaintext = op.Plaintext;
            if (op.Kind == TransfersKind.Balance && op.Opening == AppRequestOpening.Opened && plaintext.Length == BalanceRequest.EncodedLength && keys is not null)
            {
                // A real key for each well-formed balance request, so the test can open the answer.
                var key = HpkeSuite.X25519Sha256ChaCha20Poly1305.GenerateKeyPair();
                keys[seq] = key;
                plaintext = new BalanceRequest(key.ExportPublicKey()).Encode();
            }
            requests.Add(new AppRequest
            {
                Seq = seq,
                Sender = op.User < Users.Length ? Users[op.User] : Stranger,
                Kind = op.Kind,
                Funds = op.Funds,
                Height = 10,
                Opening = op.Opening,
                Plaintext = op.Opening == AppRequestOpening.Opened ? plaintext : ReadOnlyMemory<byte>.Empty,
            });
        }
        return new AppBatch
        {
            ChainId = ChainId,
            Contract = Contract,
            SessionId = 1,
            State = state,
            PreviousStateHash = new byte[32],
            FirstSeq = firstSeq,
            EndSeq = firstSeq + (ulong)ops.Count,
            VerifiedHeight = 11,
            Requests = requests,
        };
    }

    private static Gen<ulong> Amount() =>
        Gen.Frequency([
            (1, Gen.Constant(0ul)),
            (8, Gen.Choose(1, 200).Select(a => (ulong)a)),
            (1, Gen.Choose(201, 100_000).Select(a => (ulong)a))]);

    // User index 4 is the stranger: it may send requests, but never deposits through a valid path more often than others.
    private static Gen<int> UserIndex() => Gen.Frequency([(9, Gen.Choose(0, Users.Length - 1)), (1, Gen.Constant(Users.Length))]);

    private static Gen<byte[]> RecipientGen() => Gen.Frequency([(9, Gen.Elements(Users)), (1, Gen.Constant(Stranger))]);

    private static Gen<Op> OpGen() =>
        Gen.Frequency([
            (4, from u in Gen.Choose(0, Users.Length - 1) from f in Amount() select new Op(u, TransfersKind.Deposit, f, AppRequestOpening.NoCiphertext, [])),
            (5, from u in UserIndex() from to in RecipientGen() from a in Amount()
                select new Op(u, TransfersKind.Transfer, 0, AppRequestOpening.Opened, new TransferRequest(to, a).Encode())),
            (3, from u in UserIndex() from a in Amount()
                select new Op(u, TransfersKind.Withdraw, 0, AppRequestOpening.Opened, new WithdrawRequest(a).Encode())),
            (2, from u in UserIndex() select new Op(u, TransfersKind.Balance, 0, AppRequestOpening.Opened, new BalanceRequest(new byte[32]).Encode())),
            (2, from u in UserIndex()
                from kind in Gen.Elements(TransfersKind.Deposit, TransfersKind.Transfer, TransfersKind.Withdraw, TransfersKind.Balance, "mint")
                from opening in Gen.Elements(AppRequestOpening.Opened, AppRequestOpening.NoCiphertext, AppRequestOpening.Undecryptable, AppRequestOpening.UnsupportedSuite)
                from funds in Gen.Elements(0ul, 0ul, 7ul)
                from garbage in Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n))
                select new Op(u, kind, funds, opening, garbage))]);

    private static Gen<List<Op>> OpsGen() => Gen.Choose(1, 60).SelectMany(n => Gen.ListOf(OpGen(), n)).Select(l => l.ToList());

    /// <summary>docs/transfers.md as a dictionary of balances and histories.</summary>
    private sealed class Model
    {
        public Dictionary<string, ModelAccount> Accounts { get; } = [];

        public UInt128 Deposited { get; private set; }

        public UInt128 Withdrawn { get; private set; }

        public UInt128 Total => Accounts.Values.Aggregate(UInt128.Zero, (s, a) => s + a.Balance);

        /// <summary>The refusal reason, or null when the request succeeds; appends the sends it causes.</summary>
        public string? Apply(AppRequest request, Op op, List<(byte[] To, ulong Amount)> sends)
        {
            var sender = request.Sender.ToArray();
            var credited = false;
            var reason = Decide(request, op, sender, sends, ref credited);
            if (!credited && request.Funds > 0)
            {
                sends.Add((sender, request.Funds));
            }
            return reason;
        }

        private string? Decide(AppRequest request, Op op, byte[] sender, List<(byte[] To, ulong Amount)> sends, ref bool credited)
        {
            if (op.Opening == AppRequestOpening.Undecryptable)
            {
                return "undecryptable";
            }
            if (op.Opening == AppRequestOpening.UnsupportedSuite)
            {
                return "unsupported_suite";
            }
            var opened = op.Opening == AppRequestOpening.Opened;
            var plaintext = request.Plaintext.ToArray();
            var me = Convert.ToHexStringLower(sender);
            switch (op.Kind)
            {
                case "deposit":
                    if (opened)
                    {
                        return "malformed";
                    }
                    if (request.Funds == 0)
                    {
                        return "zero amount";
                    }
                    Account(me).Balance += request.Funds;
                    Account(me).Add(new HistoryEntry(request.Seq, HistoryKind.Deposit, new byte[20], request.Funds, HistoryDirection.Credit));
                    Deposited += request.Funds;
                    credited = true;
                    return null;
                case "transfer":
                {
                    if (!opened || plaintext.Length != 29 || plaintext[0] != 1)
                    {
                        return "malformed";
                    }
                    var to = plaintext[1..21];
                    var amount = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(plaintext.AsSpan(21));
                    if (amount == 0)
                    {
                        return "zero amount";
                    }
                    if (!Accounts.TryGetValue(Convert.ToHexStringLower(to), out var recipient))
                    {
                        return "unknown recipient";
                    }
                    if (!Accounts.TryGetValue(me, out var from) || from.Balance < amount)
                    {
                        return "overdraft";
                    }
                    from.Balance -= amount;
                    recipient.Balance += amount;
                    from.Add(new HistoryEntry(request.Seq, HistoryKind.Transfer, to, amount, HistoryDirection.Debit));
                    recipient.Add(new HistoryEntry(request.Seq, HistoryKind.Transfer, sender, amount, HistoryDirection.Credit));
                    return null;
                }
                case "withdraw":
                {
                    if (!opened || plaintext.Length != 9 || plaintext[0] != 1)
                    {
                        return "malformed";
                    }
                    var amount = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(plaintext.AsSpan(1));
                    if (amount == 0)
                    {
                        return "zero amount";
                    }
                    if (!Accounts.TryGetValue(me, out var account) || account.Balance < amount)
                    {
                        return "overdraft";
                    }
                    account.Balance -= amount;
                    account.Add(new HistoryEntry(request.Seq, HistoryKind.Withdraw, new byte[20], amount, HistoryDirection.Debit));
                    Withdrawn += amount;
                    sends.Add((sender, amount));
                    return null;
                }
                case "balance":
                    // A garbage 33-byte plaintext starting with 1 is a well-formed request to some key; the
                    // test only generates those with a real key, so anything else here is malformed.
                    return opened && plaintext.Length == 33 && plaintext[0] == 1 ? null : "malformed";
                default:
                    return "malformed";
            }
        }

        private ModelAccount Account(string address)
        {
            if (!Accounts.TryGetValue(address, out var account))
            {
                account = Accounts[address] = new ModelAccount();
            }
            return account;
        }
    }

    private sealed class ModelAccount
    {
        public ulong Balance { get; set; }

        public List<HistoryEntry> History { get; } = [];

        public void Add(HistoryEntry entry)
        {
            History.Add(entry);
            if (History.Count > 64)
            {
                History.RemoveAt(0);
            }
        }
    }
}
