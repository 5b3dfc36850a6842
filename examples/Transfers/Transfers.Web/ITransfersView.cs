using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;

namespace Transfers.Web;

/// <summary>What the page may read, as the host last read it from the chain.</summary>
public interface ITransfersView
{
    Task<TransfersSnapshot> GetSnapshotAsync(CancellationToken cancellationToken);

    /// <summary>The devnet accounts the dev host can sign for.</summary>
    Task<IReadOnlyList<DevAccount>> GetAccountsAsync(CancellationToken cancellationToken);

    /// <summary>The contract's response to request <paramref name="seq"/>, or null while it has none.</summary>
    Task<OutputResponse?> GetResponseAsync(ulong seq, CancellationToken cancellationToken);
}

/// <summary>Sends a <c>request</c> execute message to the Transfers contract, signed by a devnet account.</summary>
public interface ITransfersSubmitter
{
    /// <summary>
    /// Signs and broadcasts <paramref name="message"/> (the contract's request JSON, from
    /// <see cref="ExecutionMessages.Request"/>) from <paramref name="account"/> with
    /// <paramref name="funds"/> attached, and waits for it to be committed.
    /// </summary>
    /// <exception cref="TransfersSubmitException">the chain refused the transaction.</exception>
    Task<SubmittedRequest> SubmitAsync(DevAccount account, byte[] message, ulong funds, CancellationToken cancellationToken);
}

/// <summary>The chain as the page sees it: where it is, which enclave mode runs, the session and the queue.</summary>
public sealed record TransfersSnapshot
{
    public required string ChainId { get; init; }

    /// <summary>The Transfers contract's 20-byte address.</summary>
    public required byte[] Contract { get; init; }

    /// <summary>The contract address as the chain spells it for people (bech32), if it has such a form.</summary>
    public string? ContractDisplay { get; init; }

    public required long Height { get; init; }

    /// <summary>Unix seconds of the block at <see cref="Height"/>; the attestation is current while it is before the expiry.</summary>
    public required long BlockTimeUnixSeconds { get; init; }

    /// <summary>The enclave's mode: <c>mock</c>, <c>simulated-dcap</c>, <c>sgx</c> or <c>tdx</c>.</summary>
    public required string Mode { get; init; }

    /// <summary>The contract's current session record; null before SessionCreate.</summary>
    public SessionRecord? Session { get; init; }

    /// <summary>The contract's queue (head, next, state hash); null before the contract answers.</summary>
    public QueueAnswer? Queue { get; init; }
}

/// <summary>A devnet account the dev host holds the key of.</summary>
public sealed record DevAccount(string Name, byte[] Address, string Display, ulong BankBalance);

/// <summary>A committed request transaction.</summary>
public sealed record SubmittedRequest(ulong Seq, string TxHash, long Height);

/// <summary>The chain (or the contract) refused a request transaction; <see cref="Exception.Message"/> is its log.</summary>
public sealed class TransfersSubmitException : Exception
{
    public TransfersSubmitException()
    {
    }

    public TransfersSubmitException(string message)
        : base(message)
    {
    }

    public TransfersSubmitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
