using Citrine.Crypto;
using Citrine.Enclave.Execution;
using Transfers.Protocol;

namespace Transfers.Enclave;

/// <summary>
/// The Transfers app inside the enclave (docs/transfers.md): a ledger of hidden balances moved by
/// encrypted requests. The account acted for is always the request's chain-authenticated sender
/// (the tx signer in the proven record), never anything the plaintext claims.
/// </summary>
/// <remarks>
/// Per request, in queue order; a refusal is that request's response and the next request runs on
/// the unchanged ledger:
/// <list type="number">
/// <item>a ciphertext that did not open: <c>undecryptable</c> (or the runtime's <c>unsupported_suite</c>);</item>
/// <item><c>deposit</c>: no ciphertext (else <c>malformed</c>); credits the sender by the request's funds;</item>
/// <item><c>transfer</c>: debits the sender, credits a known recipient;</item>
/// <item><c>withdraw</c>: debits the sender and sends the tokens to the sender on chain;</item>
/// <item><c>balance</c>: the sender's report sealed to the request's response key;</item>
/// <item>any other kind: <c>malformed</c>.</item>
/// </list>
/// Funds attached to a request that does not end as a credited deposit are sent back to the sender,
/// so the contract's funds for the app always equal the ledger's total.
/// A state that does not decode throws (the runtime refuses the batch) rather than starting afresh.
/// </remarks>
public sealed class TransfersApp : IEnclaveApp
{
    public const string AppName = "transfers";

    public string Name => AppName;

    public AppBatchResult Handle(AppBatch batch, IAppContext context)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        var ledger = Ledger.Decode(batch.State.Span);
        var sends = new List<AppSend>();
        var responses = new List<AppResponse>(batch.Requests.Count);
        foreach (var request in batch.Requests)
        {
            var (response, credited) = Run(batch, ledger, request, context, sends);
            responses.Add(response);
            if (!credited && request.Funds > 0)
            {
                sends.Add(new AppSend(request.Sender.ToArray(), request.Funds));
            }
        }
        return new AppBatchResult(ledger.Encode(), sends, responses);
    }

    // Returns the response and whether the request's funds were credited to the ledger.
    private static (AppResponse Response, bool Credited) Run(AppBatch batch, Ledger ledger, AppRequest request, IAppContext context, List<AppSend> sends)
    {
        var seq = request.Seq;
        var sender = request.Sender.Span;
        switch (request.Opening)
        {
            case AppRequestOpening.Undecryptable:
                return (AppResponse.Refused(seq, RefusalReason.Undecryptable), false);
            case AppRequestOpening.UnsupportedSuite:
                return (AppResponse.Refused(seq, AppResponse.UnsupportedSuite), false);
            case AppRequestOpening.Opened or AppRequestOpening.NoCiphertext:
                break;
            default:
                return (AppResponse.Refused(seq, RefusalReason.Malformed), false);
        }
        if (sender.Length != Ledger.AddressLength)
        {
            return (AppResponse.Refused(seq, RefusalReason.Malformed), false);
        }
        var opened = request.Opening == AppRequestOpening.Opened;
        var plaintext = request.Plaintext.Span;
        switch (request.Kind)
        {
            case TransfersKind.Deposit:
            {
                if (opened)
                {
                    return (AppResponse.Refused(seq, RefusalReason.Malformed), false);
                }
                var refusal = ledger.Deposit(seq, sender, request.Funds);
                return refusal is null ? (Ok(seq), true) : (AppResponse.Refused(seq, refusal), false);
            }
            case TransfersKind.Transfer:
            {
                if (!opened || !TransferRequest.TryDecode(plaintext, out var transfer, out _))
                {
                    return (AppResponse.Refused(seq, RefusalReason.Malformed), false);
                }
                var refusal = ledger.Transfer(seq, sender, transfer!.To, transfer.Amount);
                return (refusal is null ? Ok(seq) : AppResponse.Refused(seq, refusal), false);
            }
            case TransfersKind.Withdraw:
            {
                if (!opened || !WithdrawRequest.TryDecode(plaintext, out var withdraw, out _))
                {
                    return (AppResponse.Refused(seq, RefusalReason.Malformed), false);
                }
                var refusal = ledger.Withdraw(seq, sender, withdraw!.Amount);
                if (refusal is not null)
                {
                    return (AppResponse.Refused(seq, refusal), false);
                }
                sends.Add(new AppSend(sender.ToArray(), withdraw.Amount));
                return (Ok(seq), false);
            }
            case TransfersKind.Balance:
            {
                if (!opened || !BalanceRequest.TryDecode(plaintext, out var balance, out _))
                {
                    return (AppResponse.Refused(seq, RefusalReason.Malformed), false);
                }
                var report = ledger.Report(sender).Encode();
                var aad = BalanceSeal.Aad(batch.ChainId, batch.Contract.Span, batch.SessionId, seq, sender);
                try
                {
                    var sealedReport = context.SealTo(balance!.ResponseKey, BalanceSeal.Info, aad, report, seq);
                    return (AppResponse.Ok(seq, BalanceSeal.Payload(sealedReport.EncapsulatedKey, sealedReport.Ciphertext)), false);
                }
                catch (InvalidKeyException)
                {
                    // A small-order response key (RFC 9180 §7.1.4): nothing can be sealed to it.
                    return (AppResponse.Refused(seq, RefusalReason.Malformed), false);
                }
            }
            default:
                return (AppResponse.Refused(seq, RefusalReason.Malformed), false);
        }
    }

    private static AppResponse Ok(ulong seq) => AppResponse.Ok(seq, ReadOnlyMemory<byte>.Empty);
}
