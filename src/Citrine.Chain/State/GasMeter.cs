namespace Citrine.Chain.State;

/// <summary>A transaction ran out of gas: what it was doing and how much it had.</summary>
public sealed class OutOfGasException : Exception
{
    public OutOfGasException()
    {
    }

    public OutOfGasException(string message)
        : base(message)
    {
    }

    public OutOfGasException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The gas price of each operation. Store costs are the Cosmos SDK defaults (store/types/gas.go
/// <c>KVGasConfig</c>); the per-byte tx cost and the secp256k1 verification cost are x/auth's
/// default params (<c>TxSizeCostPerByte</c> 10, <c>SigVerifyCostSecp256k1</c> 1000).
/// </summary>
public static class GasCosts
{
    public const long HasCost = 1000;
    public const long DeleteCost = 1000;
    public const long ReadCostFlat = 1000;
    public const long ReadCostPerByte = 3;
    public const long WriteCostFlat = 2000;
    public const long WriteCostPerByte = 30;
    public const long IterNextCostFlat = 30;
    public const long TxSizeCostPerByte = 10;
    public const long Secp256k1Verify = 1000;
    public const long Ed25519Verify = 590;
    public const long Sha256Base = 100;
    public const long Sha256PerByte = 1;
    public const long Sha512Base = 100;
    public const long Sha512PerByte = 1;

    /// <summary>A contract's send (<c>IContractContext.Send</c>), on top of the bank's reads and writes, which the state charges.</summary>
    public const long ContractSend = 1000;

    /// <summary>
    /// Flat part of a contract's quote verification (<c>IHostAttestation.VerifyQuote</c>, docs/registry.md):
    /// parsing the quote and its PCK chain, the four registry reads (TCB Info, QE identity, PCK CRL,
    /// root CRL; not charged one by one, so every call costs the same), the CRL look-ups and the policy.
    /// </summary>
    public const long QuoteVerifyFlat = 10_000;

    /// <summary>The three P-256 checks a quote of a new platform always needs: PCK leaf by its CA, QE report, quote.</summary>
    public const long QuoteVerifySignatures = 3 * Attestation.CollateralRegistry.P256VerifyGas;

    /// <summary>Per byte of the quote (its PEM chain is decoded and parsed).</summary>
    public const long QuoteVerifyPerByte = 2;
}

/// <summary>Counts gas against a limit; crossing it throws <see cref="OutOfGasException"/>.</summary>
public sealed class GasMeter
{
    public GasMeter(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        Limit = limit;
    }

    public long Limit { get; }

    public long Consumed { get; private set; }

    public void Consume(long amount, string descriptor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var total = Consumed + amount;
        if (total < Consumed || total > Limit)
        {
            Consumed = Limit;
            throw new OutOfGasException($"out of gas in {descriptor}: wanted {amount}, limit {Limit}");
        }
        Consumed = total;
    }
}

/// <summary>
/// A branch of the state for one transaction (or one message): reads fall through to the parent,
/// writes stay here until <see cref="Write"/>; every access is charged to the gas meter. Dropping a
/// branch without writing discards its changes, so a failed transaction leaves no trace.
/// </summary>
public sealed class StateBranch
{
    private readonly IStateReader? _root;
    private readonly StateBranch? _parent;
    private readonly Dictionary<(string Store, string Key), byte[]?> _writes = [];
    private readonly List<(string Store, string Key)> _order = [];

    /// <summary>A branch of <paramref name="root"/>; its writes can reach the root only when the root is an <see cref="IStateStore"/>.</summary>
    public StateBranch(IStateReader root, GasMeter gas)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(gas);
        _root = root;
        Gas = gas;
    }

    private StateBranch(StateBranch parent)
    {
        _parent = parent;
        Gas = parent.Gas;
    }

    public GasMeter Gas { get; }

    public StateBranch Branch() => new(this);

    public byte[]? Get(string store, ReadOnlySpan<byte> key)
    {
        Gas.Consume(GasCosts.ReadCostFlat + (GasCosts.ReadCostPerByte * key.Length), "read");
        var value = GetUncharged(store, key);
        Gas.Consume(GasCosts.ReadCostPerByte * (value?.Length ?? 0), "read value");
        return value;
    }

    public void Set(string store, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Gas.Consume(GasCosts.WriteCostFlat + (GasCosts.WriteCostPerByte * ((long)key.Length + value.Length)), "write");
        Put(store, key, value.ToArray());
    }

    public void Delete(string store, ReadOnlySpan<byte> key)
    {
        Gas.Consume(GasCosts.DeleteCost, "delete");
        Put(store, key, null);
    }

    /// <summary>Applies this branch's writes to its parent (or to the working state), in write order.</summary>
    public void Write()
    {
        foreach (var id in _order)
        {
            var value = _writes[id];
            var key = Convert.FromHexString(id.Key);
            if (_parent is not null)
            {
                _parent.Put(id.Store, key, value);
            }
            else if (_root is not IStateStore root)
            {
                throw new InvalidOperationException("a branch of a read-only state (a committed version) cannot be written");
            }
            else if (value is null)
            {
                root.Remove(id.Store, key);
            }
            else
            {
                root.Write(id.Store, key, value);
            }
        }
        _writes.Clear();
        _order.Clear();
    }

    /// <summary>
    /// A read that is not charged: only for a module that charges a fixed, documented amount for
    /// the whole operation instead (the attestation module's quote verification).
    /// </summary>
    internal byte[]? ReadUncharged(string store, ReadOnlySpan<byte> key) => GetUncharged(store, key);

    private byte[]? GetUncharged(string store, ReadOnlySpan<byte> key)
    {
        if (_writes.TryGetValue((store, Convert.ToHexString(key)), out var value))
        {
            return value;
        }
        return _parent is not null ? _parent.GetUncharged(store, key) : _root!.Read(store, key);
    }

    private void Put(string store, ReadOnlySpan<byte> key, byte[]? value)
    {
        var id = (store, Convert.ToHexString(key));
        if (!_writes.ContainsKey(id))
        {
            _order.Add(id);
        }
        _writes[id] = value;
    }
}
