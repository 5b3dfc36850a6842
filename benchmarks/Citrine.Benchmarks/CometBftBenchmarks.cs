using BenchmarkDotNet.Attributes;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Testing;
using Citrine.CometBft.Types;
using NSec.Cryptography;

namespace Citrine.Benchmarks;

/// <summary>
/// Commit verification next to its floor: the Ed25519 verifications it cannot avoid (the
/// signatures needed to pass 2/3 of the power, keys imported and sign bytes built beforehand),
/// timed alone. Each VerifyCommit iteration gets freshly constructed validator sets, so set
/// hashing and key import are inside the measurement, as they would be for data just received.
/// </summary>
[MemoryDiagnoser]
public class CometBftCommitBenchmarks
{
    private SyntheticChain _chain = null!;
    private LightBlock _trusted = null!;
    private LightBlock _untrusted = null!;
    private TrustOptions _options = null!;
    private Timestamp _now;
    private PublicKey[] _floorKeys = null!;
    private byte[][] _floorMessages = null!;
    private byte[][] _floorSignatures = null!;

    [Params(4, 32, 100, 150)]
    public int Validators { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 3, Validators = Validators });
        _trusted = _chain.LightBlockAt(1);
        _untrusted = _chain.LightBlockAt(2);
        _options = new TrustOptions(_chain.ChainId, TimeSpan.FromDays(1), Fraction.OneThird, TimeSpan.FromSeconds(10));
        _now = _chain.HeaderAt(3).Time;
        // Equal powers: more than 2/3 of the power means floor(2n/3) + 1 signatures.
        var needed = (2 * Validators / 3) + 1;
        var commit = _untrusted.Commit;
        var template = new VoteSignBytes(_chain.ChainId, commit.Height, commit.Round, commit.BlockId);
        _floorKeys = new PublicKey[needed];
        _floorMessages = new byte[needed][];
        _floorSignatures = new byte[needed][];
        for (var i = 0; i < needed; i++)
        {
            _floorKeys[i] = PublicKey.Import(SignatureAlgorithm.Ed25519, _untrusted.Validators.Validators[i].PublicKey, KeyBlobFormat.RawPublicKey);
            _floorMessages[i] = template.Create(true, commit.Signatures[i].Timestamp);
            _floorSignatures[i] = commit.Signatures[i].Signature;
        }
        if (!VerifyCommit() || !Floor())
        {
            throw new InvalidOperationException("benchmark setup does not verify");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _chain.Dispose();

    private static ValidatorSet Fresh(ValidatorSet set) =>
        new(set.Validators.Select(v => new Validator(v.Address, v.PublicKey, v.VotingPower)));

    [Benchmark(Description = "VerifyCommit (adjacent header, fresh validator sets)")]
    public bool VerifyCommit()
    {
        var untrusted = _untrusted with { Validators = Fresh(_untrusted.Validators), NextValidators = Fresh(_untrusted.NextValidators) };
        return Verifier.Verify(_trusted, untrusted, _options, _now).IsSuccess;
    }

    [Benchmark(Baseline = true, Description = "Floor: the Ed25519 verifications alone")]
    public bool Floor()
    {
        var ok = true;
        for (var i = 0; i < _floorKeys.Length; i++)
        {
            ok &= SignatureAlgorithm.Ed25519.Verify(_floorKeys[i], _floorMessages[i], _floorSignatures[i]);
        }
        return ok;
    }
}

/// <summary>
/// Bisection from height 1 to 10,000 over a chain whose 100 validators churn by 25% every 1,000
/// blocks (blocks are signed in setup; validator sets are shared objects, so their hashes and
/// imported keys are cached across iterations), and header hashing.
/// </summary>
[MemoryDiagnoser]
public class CometBftBisectionBenchmarks
{
    private SyntheticChain _chain = null!;
    private SyntheticChainProvider _provider = null!;
    private TrustOptions _options = null!;
    private DateTimeOffset _now;
    private Header _header = null!;

    [GlobalSetup]
    public void Setup()
    {
        _chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 10_000, Validators = 100, ChurnInterval = 1_000, ChurnFraction = 0.25 });
        _provider = new SyntheticChainProvider(_chain);
        _options = new TrustOptions(_chain.ChainId, TimeSpan.FromDays(30), Fraction.OneThird, TimeSpan.FromSeconds(10));
        _now = _chain.HeaderAt(10_000).Time.ToDateTimeOffset().AddMinutes(1);
        _header = _chain.HeaderAt(5_000);
        var result = Bisect();
        Console.WriteLine($"// bisection 1 -> 10000: {result.StepsVerified} verification steps, trace {string.Join(",", result.Trace.Select(b => b.Height))}");
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException(result.Verdict.ToString());
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _chain.Dispose();

    private BisectionResult Bisect() =>
        Bisection.VerifyToHeightAsync(_chain.LightBlockAt(1), 10_000, _provider, _options, _now).GetAwaiter().GetResult();

    [Benchmark(Description = "Bisection 1 -> 10,000 (100 validators, 25% churn / 1,000 blocks)")]
    public int Bisection10k() => Bisect().StepsVerified;

    [Benchmark(Description = "Header hash (14-leaf Merkle)")]
    public byte[] HeaderHash() => _header.Hash();
}
