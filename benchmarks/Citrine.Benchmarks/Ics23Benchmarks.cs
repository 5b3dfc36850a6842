using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Citrine.Crypto.Encoding;
using Citrine.Ics23.Abci;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;

namespace Citrine.Benchmarks;

/// <summary>
/// ICS23 verification per proof (IAVL existence, IAVL non-existence, the real two-proof chain from
/// solidity-ibc-eureka) next to its floor: the SHA-256 computations the proof requires (value
/// prehash, leaf hash, one hash per inner op, for every existence proof involved), timed alone
/// over the same preimages. Vectors: $CITRINE_VECTORS or ../shared/vectors next to the repository.
/// </summary>
[MemoryDiagnoser]
public class Ics23Benchmarks
{
    private ProofSpec _spec = null!;
    private byte[] _root = null!;
    private byte[] _key = null!;
    private byte[] _value = null!;
    private byte[] _proofBytes = null!;
    private CommitmentProof _proof = null!;
    private MerkleProof _merkle = null!;
    private IReadOnlyList<ReadOnlyMemory<byte>> _keyPath = null!;
    private List<byte[]> _preimages = null!;
    private readonly byte[] _digest = new byte[32];

    [Params("iavl-exist", "iavl-nonexist", "eureka-chain")]
    public string Case { get; set; } = "iavl-exist";

    [GlobalSetup]
    public void Setup()
    {
        var root = VectorsRoot() ?? throw new InvalidOperationException("ICS23 vectors not found (set CITRINE_VECTORS)");
        _preimages = [];
        if (Case == "eureka-chain")
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "ics23/solidity-ibc-eureka/verify_membership_key_0.json")));
            using var decoded = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "ics23/solidity-ibc-eureka/verify_membership_key_0.DECODED-by-collector.json")));
            var msg = doc.RootElement.GetProperty("membership_msg");
            _proofBytes = Hex.Decode(msg.GetProperty("proof").GetString()!);
            _merkle = MerkleProof.Decode(_proofBytes);
            _keyPath = [.. msg.GetProperty("path").EnumerateArray().Select(e => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(e.GetString()!))];
            _value = Hex.Decode(msg.GetProperty("value").GetString()!);
            _root = Hex.Decode(decoded.RootElement.GetProperty("root_app_hash").GetString()!);
            foreach (var p in _merkle.Proofs)
            {
                Record(p.Exist!);
            }
            if (!_merkle.VerifyMembership(_root, _keyPath, _value).IsValid)
            {
                throw new InvalidOperationException("eureka chain does not verify");
            }
            return;
        }
        var file = Case == "iavl-exist" ? "exist_left.json" : "nonexist_left.json";
        using var v = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "ics23/cosmos-ics23/iavl", file)));
        _spec = ProofSpecs.Iavl;
        _key = Hex.Decode(v.RootElement.GetProperty("key").GetString()!);
        _value = Hex.Decode(v.RootElement.GetProperty("value").GetString()!);
        _root = Hex.Decode(v.RootElement.GetProperty("root").GetString()!);
        _proofBytes = Hex.Decode(v.RootElement.GetProperty("proof").GetString()!);
        _proof = ProofCodec.DecodeCommitmentProof(_proofBytes);
        if (_proof.Exist is { } exist)
        {
            Record(exist);
        }
        else
        {
            foreach (var side in new[] { _proof.Nonexist!.Left, _proof.Nonexist.Right })
            {
                if (side is not null)
                {
                    Record(side);
                }
            }
        }
        if (!Verify())
        {
            throw new InvalidOperationException($"{Case} does not verify");
        }
    }

    [Benchmark(Description = "ICS23 verify (decoded proof)")]
    public bool Verify() => Case switch
    {
        "eureka-chain" => _merkle.VerifyMembership(_root, _keyPath, _value).IsValid,
        "iavl-exist" => ProofVerifier.VerifyMembership(_spec, _root, _proof, _key, _value).IsValid,
        _ => ProofVerifier.VerifyNonMembership(_spec, _root, _proof, _key).IsValid,
    };

    [Benchmark(Description = "ICS23 decode + verify")]
    public bool DecodeAndVerify() => Case switch
    {
        "eureka-chain" => MerkleProof.Decode(_proofBytes).VerifyMembership(_root, _keyPath, _value).IsValid,
        "iavl-exist" => ProofVerifier.VerifyMembership(_spec, _root, ProofCodec.DecodeCommitmentProof(_proofBytes), _key, _value).IsValid,
        _ => ProofVerifier.VerifyNonMembership(_spec, _root, ProofCodec.DecodeCommitmentProof(_proofBytes), _key).IsValid,
    };

    [Benchmark(Baseline = true, Description = "floor: the proof's SHA-256 hashes")]
    public byte Floor()
    {
        byte acc = 0;
        foreach (var preimage in _preimages)
        {
            SHA256.HashData(preimage, _digest);
            acc ^= _digest[0];
        }
        return acc;
    }

    /// <summary>Collects the preimages an existence proof hashes: prehashes, the leaf, then each inner op.</summary>
    private void Record(ExistenceProof p)
    {
        var leaf = p.Leaf!;
        if (leaf.PrehashKey != HashOp.NoHash)
        {
            _preimages.Add(p.Key.ToArray());
        }
        if (leaf.PrehashValue != HashOp.NoHash)
        {
            _preimages.Add(p.Value.ToArray());
        }
        var key = HashOps.DoLength(leaf.Length, HashOps.DoHashOrNoop(leaf.PrehashKey, p.Key.Span));
        var value = HashOps.DoLength(leaf.Length, HashOps.DoHashOrNoop(leaf.PrehashValue, p.Value.Span));
        byte[] preimage = [.. leaf.Prefix.Span, .. key, .. value];
        _preimages.Add(preimage);
        var hash = SHA256.HashData(preimage);
        foreach (var op in p.Path)
        {
            preimage = [.. op.Prefix.Span, .. hash, .. op.Suffix.Span];
            _preimages.Add(preimage);
            hash = SHA256.HashData(preimage);
        }
    }

    private static string? VectorsRoot()
    {
        var env = Environment.GetEnvironmentVariable("CITRINE_VECTORS");
        if (!string.IsNullOrWhiteSpace(env))
        {
            return Directory.Exists(env) ? env : null;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Citrine.slnx")))
            {
                var candidate = Path.Combine(dir.FullName, "..", "shared", "vectors");
                return Directory.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    }
}
