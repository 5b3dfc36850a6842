using System.Security.Cryptography;
using Citrine.Chain.Contracts;

namespace Citrine.Contracts.Tests.Session;

/// <summary>
/// An in-memory contract context: storage, block height and time, chain id, sender and a fake
/// attestation module whose verdicts the test registers per quote. SHA-256 and SHA-512 are the
/// runtime's, Ed25519 is Citrine.Crypto's (libsodium), as the node's. A bank of one account: the
/// contract's <see cref="Balance"/>, which <see cref="Send"/> draws on. Writes, sends and events
/// are applied only by <see cref="Run{T}"/> when the call returns, as the node reverts a failed
/// transaction, so a refused message leaves the state (and the balance) as it was.
/// </summary>
internal sealed class FakeContractContext : IContractContext, IHostCrypto
{
    private readonly SortedDictionary<string, byte[]> _state = new(StringComparer.Ordinal);
    private SortedDictionary<string, byte[]?>? _pending;
    private List<(byte[] To, ulong Amount)>? _pendingSends;
    private ulong _balance;

    public byte[] ContractAddress { get; set; } = [.. Enumerable.Range(1, 20).Select(i => (byte)i)];
    public long BlockHeight { get; set; } = 10;
    public ContractTime BlockTime { get; set; } = new(1_750_000_000, 500);
    public string ChainId { get; set; } = SessionFixtures.ChainId;
    public IHostCrypto Crypto => this;
    public byte[] Sender { get; set; } = new byte[20];
    public ulong Funds { get; set; }
    public List<(byte[] To, ulong Amount)> Sends { get; } = [];

    /// <summary>Sets the balance the contract holds before the next call (as if funds arrived by a bank send).</summary>
    public void SetBalance(ulong balance) => _balance = balance;
    public FakeAttestation Quotes { get; } = new();
    public IHostAttestation Attestation => Quotes;
    public List<(string Key, string Value)> Events { get; } = [];

    /// <summary>Runs one contract call: its writes and events are kept when it returns, dropped when it throws.</summary>
    public T Run<T>(Func<T> call)
    {
        _pending = new(StringComparer.Ordinal);
        _pendingSends = [];
        var events = Events.Count;
        var balance = _balance;
        // The node credits a message's funds to the contract before it runs the contract.
        _balance += Funds;
        try
        {
            var result = call();
            Sends.AddRange(_pendingSends);
            foreach (var (key, value) in _pending)
            {
                if (value is null)
                {
                    _state.Remove(key);
                }
                else
                {
                    _state[key] = value;
                }
            }
            return result;
        }
        catch
        {
            Events.RemoveRange(events, Events.Count - events);
            _balance = balance;
            throw;
        }
        finally
        {
            _pending = null;
            _pendingSends = null;
        }
    }

    public void Run(Action call) => Run(() =>
    {
        call();
        return 0;
    });

    public byte[]? Read(ReadOnlySpan<byte> key)
    {
        var k = Convert.ToHexString(key);
        if (_pending is not null && _pending.TryGetValue(k, out var pending))
        {
            return pending?.ToArray();
        }
        return _state.TryGetValue(k, out var value) ? value.ToArray() : null;
    }

    public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var pending = _pending ?? throw new InvalidOperationException("writes happen inside Run");
        pending[Convert.ToHexString(key)] = value.ToArray();
    }

    public void Remove(ReadOnlySpan<byte> key)
    {
        var pending = _pending ?? throw new InvalidOperationException("writes happen inside Run");
        pending[Convert.ToHexString(key)] = null;
    }

    /// <summary>Sets a stored value directly (a test standing in for state the core would not write).</summary>
    public void Poke(ReadOnlySpan<byte> key, byte[] value) => _state[Convert.ToHexString(key)] = value;

    public IReadOnlyCollection<string> Keys => _state.Keys;

    public void Emit(string key, string value) => Events.Add((key, value));

    public ulong Balance => _balance;

    /// <summary>As the node's bank: a zero amount, an address that is not 20 bytes or an overspend fails the call.</summary>
    public void Send(ReadOnlySpan<byte> recipient, ulong amount)
    {
        var sends = _pendingSends ?? throw new InvalidOperationException("sends happen inside Run");
        if (recipient.Length != 20 || amount == 0 || amount > _balance)
        {
            throw new InvalidOperationException($"the bank refuses a send of {amount} to {Convert.ToHexStringLower(recipient)} from a balance of {_balance}");
        }
        _balance -= amount;
        sends.Add((recipient.ToArray(), amount));
    }

    public byte[] Sha256(ReadOnlySpan<byte> data) => SHA256.HashData(data);

    public byte[] Sha512(ReadOnlySpan<byte> data) => SHA512.HashData(data);

    public bool VerifySecp256k1(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        throw new NotSupportedException("the session core verifies no secp256k1 signature");

    public bool VerifyEd25519(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        Citrine.Crypto.Signatures.Ed25519.Verify(publicKey, message, signature);
}

/// <summary>A fake attestation module: each registered quote has a verdict, possibly depending on the policy; any other quote is refused.</summary>
internal sealed class FakeAttestation : IHostAttestation
{
    private readonly Dictionary<string, Func<QuotePolicy, QuoteVerification>> _verdicts = new(StringComparer.Ordinal);
    private int _next;

    public List<QuotePolicy> Policies { get; } = [];

    /// <summary>Registers a verdict and returns the (opaque) quote bytes that produce it.</summary>
    public byte[] Register(Func<QuotePolicy, QuoteVerification> verdict)
    {
        var quote = BitConverter.GetBytes(++_next);
        _verdicts[Convert.ToHexString(quote)] = verdict;
        return quote;
    }

    public QuoteVerification VerifyQuote(ReadOnlySpan<byte> quote, QuotePolicy policy)
    {
        Policies.Add(policy);
        return _verdicts.TryGetValue(Convert.ToHexString(quote), out var verdict)
            ? verdict(policy)
            : new QuoteVerification { Accepted = false, Reason = "QuoteMalformed", Detail = "unknown quote", Tee = QuoteTee.Mock, Root = "" };
    }
}
