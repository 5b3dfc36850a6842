using Citrine.Chain.Contracts;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;

namespace Transfers.Contract;

/// <summary>
/// The Transfers contract (docs/transfers.md): instantiate and the handshake are the session core's;
/// <c>request</c> and <c>output</c> are the execution core's, after the app's own rule on requests —
/// the kind is one of <c>deposit</c>, <c>transfer</c>, <c>withdraw</c>, <c>balance</c>; a deposit
/// carries funds and no ciphertext, every other kind a ciphertext and no funds. Queries: the
/// session core's and the execution core's (<c>queue</c>, <c>response</c>).
/// </summary>
public sealed class TransfersContract : IContract
{
    private static readonly ExecutionOptions Deposits = new() { AcceptFunds = true };
    private static readonly ExecutionOptions NoFunds = new() { AcceptFunds = false };

    public void Instantiate(IContractContext context, byte[] message) => SessionCore.Instantiate(context, message);

    public byte[] Execute(IContractContext context, byte[] message)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (SessionCore.TryExecute(context, message, out var result))
        {
            return result;
        }
        var options = CheckRequest(context, message);
        if (ExecutionCore.TryExecute(context, message, options, out result))
        {
            return result;
        }
        throw new SessionException(SessionError.MessageInvalid, "not a session, request or output message");
    }

    public byte[] Query(IContractQueryContext context, byte[] message)
    {
        if (SessionCore.TryQuery(context, message, out var result) || ExecutionCore.TryQuery(context, message, out result))
        {
            return result;
        }
        throw new SessionException(SessionError.MessageInvalid, "not a session, config, queue or response query");
    }

    // The app's rule on a request, before the execution core's own checks; a message that is not a
    // well-formed request is left to the core, which names what is wrong with it.
    private static ExecutionOptions CheckRequest(IContractContext context, byte[] message)
    {
        RequestMessage? request;
        try
        {
            request = ExecutionMessages.TryParseExecute(message, out var parsed) ? parsed as RequestMessage : null;
        }
        catch (ExecutionMessageException)
        {
            return NoFunds;
        }
        if (request is null)
        {
            return NoFunds;
        }
        switch (request.Kind)
        {
            case "deposit":
                if (context.Funds == 0)
                {
                    throw new TransfersContractException(TransfersContractError.DepositWithoutFunds, "a deposit carries at least 1 token");
                }
                if (request.Ciphertext.Length != 0 || request.Enc.Length != 0)
                {
                    throw new TransfersContractException(TransfersContractError.DepositWithCiphertext,
                        $"a deposit carries no ciphertext; got enc {request.Enc.Length} and ciphertext {request.Ciphertext.Length} bytes");
                }
                return Deposits;
            case "transfer" or "withdraw" or "balance":
                if (request.Ciphertext.Length == 0)
                {
                    throw new TransfersContractException(TransfersContractError.CiphertextMissing, $"a {request.Kind} request carries a ciphertext");
                }
                return NoFunds;
            default:
                throw new TransfersContractException(TransfersContractError.UnknownKind,
                    $"kind '{request.Kind}' is not deposit, transfer, withdraw or balance");
        }
    }
}

/// <summary>The Transfers contract's own refusals of a request (the cores' are <see cref="SessionError"/> and <see cref="ExecutionError"/>).</summary>
public enum TransfersContractError
{
    UnknownKind,
    DepositWithoutFunds,
    DepositWithCiphertext,
    CiphertextMissing,
}

/// <summary>A request the Transfers contract refuses; the tx log reads <c>[Code] detail</c>.</summary>
public sealed class TransfersContractException : InvalidOperationException
{
    public TransfersContractException(TransfersContractError code, string detail)
        : base($"[{code}] {detail}")
    {
        Code = code;
    }

    public TransfersContractException()
    {
    }

    public TransfersContractException(string message)
        : base(message)
    {
    }

    public TransfersContractException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TransfersContractError Code { get; }
}
