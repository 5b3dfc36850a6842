using Citrine.CometBft.Encoding;
using Citrine.Crypto;

namespace Citrine.CometBft.Types;

/// <summary>
/// A validator set in CometBFT's canonical order: voting power descending, then address ascending
/// (CometBFT <c>types.ValidatorsByVotingPower</c>). The order matters: it is the order of the
/// Merkle leaves of the set hash and of the signatures in a commit.
/// </summary>
public sealed class ValidatorSet
{
    /// <summary>CometBFT's <c>MaxTotalVotingPower</c> = MaxInt64 / 8.</summary>
    public const long MaxTotalVotingPower = long.MaxValue / 8;

    private readonly Validator[] _validators;
    private Dictionary<byte[], int>? _byAddress;
    private byte[]? _hash;

    public ValidatorSet(IEnumerable<Validator> validators, Validator? proposer = null)
    {
        ArgumentNullException.ThrowIfNull(validators);
        _validators = [.. validators];
        Array.Sort(_validators, CanonicalOrder);
        Proposer = proposer;
        Int128 total = 0;
        foreach (var validator in _validators)
        {
            total += validator.VotingPower;
        }
        TotalVotingPowerWide = total;
        Problem = FindProblem();
    }

    public IReadOnlyList<Validator> Validators => _validators;

    public Validator? Proposer { get; }

    public int Count => _validators.Length;

    /// <summary>The sum of voting powers (exact; may exceed <see cref="MaxTotalVotingPower"/> in an invalid set).</summary>
    public Int128 TotalVotingPowerWide { get; }

    public long TotalVotingPower => TotalVotingPowerWide > long.MaxValue ? long.MaxValue : (long)TotalVotingPowerWide;

    /// <summary>Why this set is not a valid CometBFT validator set, or null when it is.</summary>
    public ValidatorSetProblem? Problem { get; }

    /// <summary>The validator set hash (Merkle root over <c>SimpleValidator</c> encodings).</summary>
    public byte[] Hash() => (byte[])(_hash ??= ValidatorSetHasher.Hash(_validators)).Clone();

    internal ReadOnlySpan<byte> HashSpan => _hash ??= ValidatorSetHasher.Hash(_validators);

    /// <summary>The index of the validator with <paramref name="address"/>, or -1.</summary>
    public int IndexOf(byte[] address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var map = _byAddress ??= BuildIndex();
        return map.TryGetValue(address, out var index) ? index : -1;
    }

    private Dictionary<byte[], int> BuildIndex()
    {
        var map = new Dictionary<byte[], int>(_validators.Length, ByteArrayComparer.Instance);
        for (var i = 0; i < _validators.Length; i++)
        {
            map.TryAdd(_validators[i].Address, i);
        }
        return map;
    }

    private ValidatorSetProblem? FindProblem()
    {
        if (_validators.Length == 0)
        {
            return new ValidatorSetProblem(ValidatorSetProblemKind.Empty, "validator set is empty");
        }
        for (var i = 0; i < _validators.Length; i++)
        {
            var v = _validators[i];
            if (v.PublicKey.Length != 32)
            {
                return new(ValidatorSetProblemKind.InvalidValidator, $"validator {i}: Ed25519 public key must be 32 bytes, got {v.PublicKey.Length}");
            }
            if (v.Address.Length != Validator.AddressSize)
            {
                return new(ValidatorSetProblemKind.InvalidValidator, $"validator {i}: address must be 20 bytes, got {v.Address.Length}");
            }
            if (!v.Address.AsSpan().SequenceEqual(Validator.AddressOf(v.PublicKey)))
            {
                return new(ValidatorSetProblemKind.InvalidValidator, $"validator {i}: address {Convert.ToHexString(v.Address)} is not derived from its public key");
            }
            if (v.VotingPower <= 0)
            {
                return new(ValidatorSetProblemKind.InvalidValidator, $"validator {Convert.ToHexString(v.Address)}: voting power must be positive, got {v.VotingPower}");
            }
        }
        var seen = new HashSet<byte[]>(ByteArrayComparer.Instance);
        foreach (var v in _validators)
        {
            if (!seen.Add(v.Address))
            {
                return new(ValidatorSetProblemKind.DuplicateValidator, $"duplicate validator {Convert.ToHexString(v.Address)}");
            }
        }
        if (TotalVotingPowerWide > MaxTotalVotingPower)
        {
            return new(ValidatorSetProblemKind.TotalVotingPowerTooLarge, $"total voting power {TotalVotingPowerWide} exceeds {MaxTotalVotingPower}");
        }
        return null;
    }

    private static int CanonicalOrder(Validator x, Validator y)
    {
        var byPower = y.VotingPower.CompareTo(x.VotingPower);
        return byPower != 0 ? byPower : x.Address.AsSpan().SequenceCompareTo(y.Address);
    }
}

public enum ValidatorSetProblemKind
{
    Empty,
    InvalidValidator,
    DuplicateValidator,
    TotalVotingPowerTooLarge,
}

public sealed record ValidatorSetProblem(ValidatorSetProblemKind Kind, string Message);
