namespace Transfers.Protocol;

/// <summary>The request kinds of the app: the <c>kind</c> of the contract's <c>request</c> message, bound into the HPKE AAD.</summary>
public static class TransfersKind
{
    /// <summary>Funds attached to the request; no ciphertext. Credits the chain-authenticated sender.</summary>
    public const string Deposit = "deposit";

    /// <summary><see cref="TransferRequest"/>: debits the sender, credits the recipient.</summary>
    public const string Transfer = "transfer";

    /// <summary><see cref="WithdrawRequest"/>: debits the sender and sends the tokens back on chain.</summary>
    public const string Withdraw = "withdraw";

    /// <summary><see cref="BalanceRequest"/>: answered with a <see cref="BalanceReport"/> sealed to the request's key.</summary>
    public const string Balance = "balance";

    /// <summary>All four, in the order docs/transfers.md lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Deposit, Transfer, Withdraw, Balance];

    /// <summary>Whether <paramref name="kind"/> is one of the four.</summary>
    public static bool IsKnown(string? kind) => kind is Deposit or Transfer or Withdraw or Balance;
}
