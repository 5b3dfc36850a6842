namespace Citrine.Chain.Contracts;

/// <summary>
/// The block time a contract sees: google.protobuf.Timestamp fields as in the block header
/// (seconds since the Unix epoch, nanoseconds 0..999,999,999).
/// </summary>
public readonly record struct ContractTime(long Seconds, int Nanos)
{
    /// <summary>The time rounded down to 100 ns ticks.</summary>
    public DateTimeOffset ToDateTimeOffset() => DateTimeOffset.UnixEpoch.AddTicks((Seconds * TimeSpan.TicksPerSecond) + (Nanos / 100));
}

/// <summary>Crypto a contract may call; every call is charged to the transaction's gas.</summary>
public interface IHostCrypto
{
    byte[] Sha256(ReadOnlySpan<byte> data);

    /// <summary>SHA-512 (FIPS 180-4); report data is a SHA-512 digest.</summary>
    byte[] Sha512(ReadOnlySpan<byte> data);

    bool VerifySecp256k1(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);

    bool VerifyEd25519(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);
}

/// <summary>What a query sees: read-only storage, the block and the chain.</summary>
public interface IContractQueryContext
{
    byte[] ContractAddress { get; }
    long BlockHeight { get; }
    ContractTime BlockTime { get; }
    string ChainId { get; }
    IHostCrypto Crypto { get; }

    byte[]? Read(ReadOnlySpan<byte> key);
}

/// <summary>What instantiate/execute see: the query context plus the sender, funds, writes and events.</summary>
public interface IContractContext : IContractQueryContext
{
    byte[] Sender { get; }
    ulong Funds { get; }

    /// <summary>DCAP quote verification at the block time against the node's collateral registry.</summary>
    IHostAttestation Attestation { get; }

    void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    void Remove(ReadOnlySpan<byte> key);

    /// <summary>Adds an attribute to this contract's <c>wasm</c> event.</summary>
    void Emit(string key, string value);

    /// <summary>
    /// The contract's own balance of the chain's token, with this message's <see cref="Funds"/>
    /// already credited and earlier <see cref="Send"/>s of this call already taken. Charged as a
    /// state read.
    /// </summary>
    ulong Balance { get; }

    /// <summary>
    /// Sends <paramref name="amount"/> tokens from the contract's own balance to the 20-byte
    /// address <paramref name="recipient"/> through the chain's bank, exactly as a bank send would
    /// (events <c>coin_spent</c>, <c>coin_received</c>, <c>transfer</c>). Charged gas. A zero
    /// amount, a malformed address or an amount above <see cref="Balance"/> fails the transaction:
    /// the call throws, and the transaction fails even if the contract catches that, so all of its
    /// state changes revert.
    /// </summary>
    void Send(ReadOnlySpan<byte> recipient, ulong amount);
}

/// <summary>
/// A contract: a .NET class registered by the node operator. Messages are opaque bytes (JSON by
/// convention). Throwing reverts the transaction without touching state. Contract code must be
/// deterministic: contract projects import eng/Contract.props, which bans clocks, randomness,
/// threads, I/O and the environment (BannedSymbols.Contracts.txt).
/// </summary>
public interface IContract
{
    void Instantiate(IContractContext context, byte[] message);

    byte[] Execute(IContractContext context, byte[] message);

    byte[] Query(IContractQueryContext context, byte[] message);
}

