using System.Buffers.Binary;
using System.Collections.Concurrent;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.Types;
using Citrine.Crypto;
using NSec.Cryptography;

namespace Citrine.CometBft.Testing;

/// <summary>What <see cref="SyntheticChain"/> generates. Everything is derived from <see cref="Seed"/>.</summary>
public sealed record SyntheticChainOptions
{
    public string ChainId { get; init; } = "synthetic-chain";
    public long Heights { get; init; } = 100;
    public int Validators { get; init; } = 4;
    /// <summary>Every this many blocks, <see cref="ChurnFraction"/> of the validators are replaced by new ones.</summary>
    public long ChurnInterval { get; init; } = 1000;
    public double ChurnFraction { get; init; }
    /// <summary>Equal power 10 for everyone, or a deterministic spread of 1..100.</summary>
    public bool VariedPower { get; init; }
    public string Seed { get; init; } = "citrine";
    public Timestamp GenesisTime { get; init; } = new(1_700_000_000, 0);
    public long BlockIntervalSeconds { get; init; } = 5;
    /// <summary>Headers from this height on carry different app hashes (a fork signed by the same validators).</summary>
    public long ForkFromHeight { get; init; } = long.MaxValue;
    public string ForkSalt { get; init; } = "fork";
}

/// <summary>
/// A deterministic, honestly signed CometBFT-format chain for tests and benchmarks: real headers
/// (hash-linked), validator sets with churn of any size, and commits signed with Ed25519 by every
/// validator. Headers are computed up front; commits are signed lazily per height and cached.
/// Not for production: the validator keys are derived from a public seed.
/// </summary>
public sealed class SyntheticChain : IDisposable
{
    private readonly SyntheticChainOptions _options;
    private readonly Dictionary<long, ValidatorSet> _epochSets = [];
    private readonly Dictionary<byte[], Key> _keys = new(ByteArrayComparer.Instance);
    private readonly Header[] _headers;
    private readonly ConcurrentDictionary<long, LightBlock> _blocks = new();
    private readonly object _signLock = new();

    private SyntheticChain(SyntheticChainOptions options)
    {
        _options = options;
        _headers = new Header[options.Heights];
        var previous = BlockId.Empty;
        for (long h = 1; h <= options.Heights; h++)
        {
            var header = MakeHeader(h, previous);
            _headers[h - 1] = header;
            previous = BlockIdOf(header);
        }
    }

    public static SyntheticChain Generate(SyntheticChainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Heights < 1 || options.Validators < 1 || options.ChurnInterval < 1 || options.ChurnFraction is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "heights, validators and churn interval must be positive, churn fraction within [0, 1]");
        }
        return new SyntheticChain(options);
    }

    public SyntheticChainOptions Options => _options;

    public string ChainId => _options.ChainId;

    public long LatestHeight => _options.Heights;

    public Header HeaderAt(long height) => _headers[CheckHeight(height) - 1];

    /// <summary>The validator set of <paramref name="height"/> (valid up to latest + 1).</summary>
    public ValidatorSet ValidatorsAt(long height)
    {
        if (height < 1 || height > LatestHeight + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(height));
        }
        var epoch = (height - 1) / _options.ChurnInterval;
        lock (_epochSets)
        {
            if (!_epochSets.TryGetValue(epoch, out var set))
            {
                set = MakeValidatorSet(epoch);
                _epochSets[epoch] = set;
            }
            return set;
        }
    }

    /// <summary>The signed light block at <paramref name="height"/> (every validator signs).</summary>
    public LightBlock LightBlockAt(long height)
    {
        CheckHeight(height);
        return _blocks.GetOrAdd(height, h =>
        {
            var header = HeaderAt(h);
            var validators = ValidatorsAt(h);
            return new LightBlock(new SignedHeader(header, SignCommit(header, validators)), validators, ValidatorsAt(h + 1));
        });
    }

    public static BlockId BlockIdOf(Header header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new BlockId(header.Hash(), new PartSetHeader(1, Hashing.Sha256(header.Hash())));
    }

    /// <summary>
    /// Signs a commit for <paramref name="header"/> by <paramref name="validators"/> (keys must be
    /// this chain's); <paramref name="vote"/> picks each validator's flag (default: all commit).
    /// Vote timestamps are the header time plus (index + 1) ms, so they differ per validator.
    /// </summary>
    public Commit SignCommit(Header header, ValidatorSet validators, Func<int, BlockIdFlag>? vote = null, int round = 0)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(validators);
        var blockId = BlockIdOf(header);
        var template = new VoteSignBytes(header.ChainId, header.Height, round, blockId);
        var signatures = new CommitSig[validators.Count];
        for (var i = 0; i < validators.Count; i++)
        {
            var flag = vote?.Invoke(i) ?? BlockIdFlag.Commit;
            if (flag == BlockIdFlag.Absent)
            {
                signatures[i] = CommitSig.Absent();
                continue;
            }
            var validator = validators.Validators[i];
            var time = header.Time.AddNanoseconds((i + 1) * 1_000_000L);
            var signature = Sign(validator.Address, template.Create(flag == BlockIdFlag.Commit, time));
            signatures[i] = new CommitSig(flag, validator.Address, time, signature);
        }
        return new Commit(header.Height, round, blockId, signatures);
    }

    /// <summary>Signs <paramref name="message"/> with the key of the validator at <paramref name="address"/>.</summary>
    public byte[] Sign(byte[] address, ReadOnlySpan<byte> message)
    {
        Key? key;
        lock (_keys)
        {
            if (!_keys.TryGetValue(address, out key))
            {
                throw new ArgumentException($"no key for validator {Convert.ToHexString(address)}", nameof(address));
            }
        }
        lock (_signLock)
        {
            return SignatureAlgorithm.Ed25519.Sign(key, message);
        }
    }

    /// <summary>A fresh validator (not in any set of this chain) with its key registered for signing.</summary>
    public Validator NewValidator(int keyIndex, long power) => MakeValidator(keyIndex + 1_000_000, power);

    private Header MakeHeader(long height, BlockId previous)
    {
        var salt = height >= _options.ForkFromHeight ? _options.ForkSalt : "";
        var validators = ValidatorsAt(height);
        return new Header
        {
            Version = new ConsensusVersion(Header.BlockProtocol, 1),
            ChainId = _options.ChainId,
            Height = height,
            Time = new Timestamp(_options.GenesisTime.Seconds + ((height - 1) * _options.BlockIntervalSeconds), _options.GenesisTime.Nanos),
            LastBlockId = previous,
            LastCommitHash = height == 1 ? [] : Derive("last-commit", height),
            DataHash = Hashing.Sha256([]),
            ValidatorsHash = validators.Hash(),
            NextValidatorsHash = ValidatorsAt(height + 1).Hash(),
            ConsensusHash = Derive("consensus", 0),
            AppHash = Derive("app" + salt, height),
            LastResultsHash = Hashing.Sha256([]),
            EvidenceHash = Hashing.Sha256([]),
            ProposerAddress = validators.Validators[(int)(height % validators.Count)].Address,
        };
    }

    private byte[] Derive(string label, long value)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes($"{_options.Seed}/{label}/");
        var buffer = new byte[bytes.Length + 8];
        bytes.CopyTo(buffer, 0);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(bytes.Length), value);
        return Hashing.Sha256(buffer);
    }

    private ValidatorSet MakeValidatorSet(long epoch)
    {
        // Epoch e keeps key indices [e*k, e*k + n): each churn retires the k oldest, adds k new.
        var n = _options.Validators;
        var k = (int)Math.Round(n * _options.ChurnFraction, MidpointRounding.AwayFromZero);
        var first = epoch * k;
        var validators = new List<Validator>(n);
        for (var i = 0; i < n; i++)
        {
            var keyIndex = (int)(first + i);
            var power = _options.VariedPower ? 1 + (int)((uint)(keyIndex * 7919) % 100) : 10;
            validators.Add(MakeValidator(keyIndex, power));
        }
        return new ValidatorSet(validators);
    }

    private Validator MakeValidator(int keyIndex, long power)
    {
        var seed = Derive("validator-key", keyIndex);
        var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });
        var publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var validator = Validator.FromPublicKey(publicKey, power);
        lock (_keys)
        {
            if (!_keys.TryAdd(validator.Address, key))
            {
                key.Dispose();
            }
        }
        return validator;
    }

    private long CheckHeight(long height) =>
        height < 1 || height > LatestHeight ? throw new ArgumentOutOfRangeException(nameof(height), $"height {height} outside 1..{LatestHeight}") : height;

    public void Dispose()
    {
        lock (_keys)
        {
            foreach (var key in _keys.Values)
            {
                key.Dispose();
            }
            _keys.Clear();
        }
    }
}
