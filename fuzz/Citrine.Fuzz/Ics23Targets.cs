using Citrine.Ics23.Abci;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;

namespace Citrine.Fuzz;

/// <summary>
/// Fuzz targets for Citrine.Ics23's untrusted inputs: the protobuf decoder (CommitmentProof,
/// MerkleProof) and the ProofOps JSON parser. Bad input may only raise
/// <see cref="Ics23FormatException"/>; verification of whatever decodes must return a verdict,
/// never throw.
/// </summary>
internal static class Ics23Targets
{
    private static readonly byte[] Root = new byte[32];
    private static readonly byte[] Key = "key"u8.ToArray();
    private static readonly byte[] Value = "value"u8.ToArray();

    [FuzzTarget("ics23-commitment-proof", typeof(Ics23FormatException))]
    public static void FuzzCommitmentProof(ReadOnlySpan<byte> data)
    {
        var proof = ProofCodec.DecodeCommitmentProof(data);
        // The encoder's output is canonical: decoding and re-encoding it changes nothing.
        var encoded = ProofCodec.Encode(proof);
        if (!ProofCodec.Encode(ProofCodec.DecodeCommitmentProof(encoded)).AsSpan().SequenceEqual(encoded))
        {
            throw new InvalidOperationException("CommitmentProof encode/decode is not a round trip");
        }
        foreach (var spec in new[] { ProofSpecs.Iavl, ProofSpecs.Tendermint, ProofSpecs.Smt })
        {
            ProofVerifier.VerifyMembership(spec, Root, proof, Key, Value);
            ProofVerifier.VerifyNonMembership(spec, Root, proof, Key);
        }
    }

    [FuzzTarget("ics23-merkle-proof", typeof(Ics23FormatException))]
    public static void FuzzMerkleProof(ReadOnlySpan<byte> data)
    {
        var proof = MerkleProof.Decode(data);
        IReadOnlyList<ReadOnlyMemory<byte>> path = [.. proof.Proofs.Select((p, i) => i == 0 ? Key : (p.Exist?.Key ?? ReadOnlyMemory<byte>.Empty)).Reverse()];
        proof.VerifyMembership(Root, path, Value, [.. proof.Proofs.Select((_, i) => i == 0 ? ProofSpecs.Iavl : ProofSpecs.Tendermint)]);
        proof.VerifyNonMembership(Root, path, [.. proof.Proofs.Select((_, i) => i == 0 ? ProofSpecs.Iavl : ProofSpecs.Tendermint)]);
    }

    [FuzzTarget("ics23-proofops-json", typeof(Ics23FormatException))]
    public static void FuzzProofOpsJson(ReadOnlySpan<byte> data)
    {
        var ops = ProofOps.ParseJson(data);
        IReadOnlyList<ReadOnlyMemory<byte>> path = [.. ops.Select(op => op.Key).Reverse()];
        ProofOps.VerifyMembership(ops, Root, path, Value);
        ProofOps.VerifyNonMembership(ops, Root, path);
    }

    [FuzzTarget("ics23-proofops-proto", typeof(Ics23FormatException))]
    public static void FuzzProofOpsProto(ReadOnlySpan<byte> data)
    {
        var ops = ProofOps.DecodeProto(data);
        IReadOnlyList<ReadOnlyMemory<byte>> path = [.. ops.Select(op => op.Key).Reverse()];
        ProofOps.VerifyMembership(ops, Root, path, Value);
    }
}
