namespace Transfers.Protocol;

/// <summary>
/// The UTF-8 text of a refused request's response payload (status 1 in the output). Responses are
/// public on chain, so a reason says only what the request itself implies.
/// </summary>
public static class RefusalReason
{
    /// <summary>A transfer or withdraw of more than the sender's balance.</summary>
    public const string Overdraft = "overdraft";

    /// <summary>A transfer to an address that never deposited.</summary>
    public const string UnknownRecipient = "unknown recipient";

    /// <summary>The plaintext is not the kind's exact format, or the kind is not one of the app's.</summary>
    public const string Malformed = "malformed";

    /// <summary>The ciphertext does not open under the session key with the request's AAD.</summary>
    public const string Undecryptable = "undecryptable";

    /// <summary>A transfer, withdraw or deposit of 0 tokens.</summary>
    public const string ZeroAmount = "zero amount";

    /// <summary>A credit that would take a balance past 2^64 − 1 (unreachable while the chain's supply fits in a u64).</summary>
    public const string Overflow = "overflow";

    /// <summary>All reasons, for clients that check what they show.</summary>
    public static IReadOnlyList<string> All { get; } = [Overdraft, UnknownRecipient, Malformed, Undecryptable, ZeroAmount, Overflow];
}
