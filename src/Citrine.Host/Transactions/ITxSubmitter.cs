using Citrine.Host.Chain;

namespace Citrine.Host.Transactions;

/// <summary>A contract message the host sends from its own account.</summary>
public abstract record ContractTx;

/// <summary>Instantiate the registered code <paramref name="Code"/> with <paramref name="Message"/> (JSON) and funds.</summary>
public sealed record InstantiateTx(string Code, byte[] Message, ulong Funds, string Label) : ContractTx;

/// <summary>Execute <paramref name="Message"/> (JSON) on the 20-byte <paramref name="Contract"/>.</summary>
public sealed record ExecuteTx(byte[] Contract, byte[] Message, ulong Funds) : ContractTx;

/// <summary>
/// A signed tx not yet known to be committed: its bytes and hash (SHA-256 of the bytes, upper-case
/// hex). Its account sequence is fixed by the signature, so broadcasting the same bytes again can
/// never make it land twice.
/// </summary>
public sealed record SignedTx(byte[] Bytes, string Hash);

/// <summary>The committed outcome of a tx: height, code, log (<c>[Code] detail</c> for a contract refusal), data and events.</summary>
public sealed record TxOutcome(string Hash, long Height, uint Code, string Codespace, string Log, byte[] Data, IReadOnlyList<ChainEvent> Events)
{
    public bool IsOk => Code == 0;

    public static TxOutcome From(CommittedTx tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return new(tx.Hash, tx.Height, tx.Code, tx.Codespace, tx.Log, tx.Data, tx.Events);
    }
}

/// <summary>What went wrong submitting a tx (a refusal by the chain is an outcome with a non-zero code, not this).</summary>
public enum TxSubmitErrorKind
{
    /// <summary>The node could not be reached or did not answer; the tx may or may not have landed.</summary>
    Unreachable,
    /// <summary>The node refused the tx before executing it (CheckTx: bad sequence, fees, duplicate).</summary>
    Rejected,
    /// <summary>The tx was accepted but not committed within the wait; it may still land.</summary>
    NotCommitted,
}

public sealed class TxSubmitException : Exception
{
    public TxSubmitException()
    {
    }

    public TxSubmitException(string message)
        : base(message)
    {
    }

    public TxSubmitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TxSubmitException(TxSubmitErrorKind kind, string message, Exception? innerException = null)
        : base($"{kind}: {message}", innerException)
    {
        Kind = kind;
    }

    public TxSubmitErrorKind Kind { get; }
}

/// <summary>
/// Signs and sends txs from the host's account. The tx codec lives in Citrine.Chain, which the host
/// may not reference, so the CLI implements this (account number and sequence from the node,
/// secp256k1 signature, <c>broadcast_tx_commit</c>). Signing and broadcasting are separate so the
/// handshake can record a tx's hash before sending it, and after a crash find out whether it landed
/// instead of sending a second one.
/// </summary>
public interface ITxSubmitter
{
    /// <summary>The host account's address (20 bytes).</summary>
    ReadOnlyMemory<byte> Sender { get; }

    /// <summary>Signs <paramref name="tx"/> with the account's next sequence.</summary>
    Task<SignedTx> SignAsync(ContractTx tx, CancellationToken cancellationToken = default);

    /// <summary>
    /// Broadcasts and waits for the commit. A tx the chain executed and refused is an outcome with
    /// a non-zero code; a tx refused before execution, or not committed, is a <see cref="TxSubmitException"/>.
    /// </summary>
    Task<TxOutcome> BroadcastAsync(SignedTx tx, CancellationToken cancellationToken = default);
}
