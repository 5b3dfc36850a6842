using System.Text;
using Citrine.Ics23.Abci;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Tests.Abci;
using Citrine.Ics23.Tests.Conformance;
using Citrine.Ics23.Verification;
using Citrine.Testing;

namespace Citrine.Ics23.Tests.Proofs;

/// <summary>
/// The cheap, deterministic cousin of the fuzz targets: seeded random mutations of the vector
/// inputs through each parser (and verification of whatever parses). Only
/// <see cref="Ics23FormatException"/> may escape.
/// </summary>
[Trait("Area", "Ics23")]
public sealed class MutationTests
{
    private const int Mutations = 3000;

    [SkippableFact]
    public void Mutated_commitment_proofs_only_raise_format_exception()
    {
        var seeds = Directory.EnumerateDirectories(Vectors.Require("ics23/cosmos-ics23"))
            .SelectMany(d => Directory.EnumerateFiles(d, "*.json"))
            .Select(f => Path.GetRelativePath(Vectors.Require("ics23/cosmos-ics23"), f))
            .Select(id => ProofVectorTests.Load(id).ProofBytes)
            .ToList();
        Run(seeds, 1, data =>
        {
            var proof = ProofCodec.DecodeCommitmentProof(data);
            foreach (var spec in new[] { ProofSpecs.Iavl, ProofSpecs.Tendermint, ProofSpecs.Smt })
            {
                ProofVerifier.VerifyMembership(spec, new byte[32], proof, "key"u8, "value"u8);
                ProofVerifier.VerifyNonMembership(spec, new byte[32], proof, "key"u8);
            }
        });
    }

    [SkippableFact]
    public void Mutated_merkle_proofs_only_raise_format_exception()
    {
        var f = ChainFixtures.Eureka();
        Run([f.ProofBytes], 2, data =>
        {
            var proof = MerkleProof.Decode(data);
            proof.VerifyMembership(f.AppHash, f.KeyPath, f.Value);
            proof.VerifyNonMembership(f.AppHash, f.KeyPath);
        });
    }

    [SkippableFact]
    public void Mutated_proof_ops_json_only_raises_format_exception()
    {
        var f = ChainFixtures.Eureka();
        var json = Encoding.UTF8.GetBytes(ChainFixtures.AbciQueryResponse(ChainFixtures.EurekaOps(f), f.KeyPath[1].ToArray(), f.Value));
        Run([json], 3, data =>
        {
            var ops = ProofOps.ParseJson(data);
            IReadOnlyList<ReadOnlyMemory<byte>> path = [.. ops.Select(op => op.Key).Reverse()];
            ProofOps.VerifyMembership(ops, f.AppHash, path, f.Value);
            ProofOps.VerifyNonMembership(ops, f.AppHash, path);
        });
    }

    [SkippableFact]
    public void Mutated_proof_ops_protobuf_only_raises_format_exception()
    {
        var f = ChainFixtures.Eureka();
        Run([ProofOps.EncodeProto(ChainFixtures.EurekaOps(f))], 4, data =>
        {
            var ops = ProofOps.DecodeProto(data);
            IReadOnlyList<ReadOnlyMemory<byte>> path = [.. ops.Select(op => op.Key).Reverse()];
            ProofOps.VerifyMembership(ops, f.AppHash, path, f.Value);
        });
    }

    private static void Run(IReadOnlyList<byte[]> seeds, int seed, Action<byte[]> parse)
    {
#pragma warning disable CA5394 // deterministic test mutations, not security randomness
        var random = new Random(seed);
        for (var i = 0; i < Mutations; i++)
        {
            var data = Mutate(seeds[i % seeds.Count], random);
            try
            {
                parse(data);
            }
            catch (Ics23FormatException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} ({Convert.ToHexString(data)}) raised {e.GetType().Name}: {e.Message}");
            }
        }
#pragma warning restore CA5394
    }

#pragma warning disable CA5394
    private static byte[] Mutate(byte[] input, Random random)
    {
        var data = input.ToList();
        var edits = 1 + random.Next(4);
        for (var e = 0; e < edits && data.Count > 0; e++)
        {
            var at = random.Next(data.Count);
            switch (random.Next(5))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[at] = (byte)random.Next(256);
                    break;
                case 2:
                    data.RemoveAt(at);
                    break;
                case 3:
                    data.Insert(at, (byte)random.Next(256));
                    break;
                default:
                    data.RemoveRange(at, data.Count - at);
                    break;
            }
        }
        return [.. data];
    }
#pragma warning restore CA5394
}
