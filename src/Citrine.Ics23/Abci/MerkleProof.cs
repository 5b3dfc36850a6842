using Citrine.Crypto.Encoding.Protobuf;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;

namespace Citrine.Ics23.Abci;

/// <summary>
/// ibc-go's <c>ibc.core.commitment.v1.MerkleProof { repeated CommitmentProof proofs = 1; }</c>:
/// proofs innermost first, verified against a key path outermost first (e.g. ["ibc", "clients/..."]).
/// </summary>
public sealed record MerkleProof
{
    /// <summary>ibc-go's default specs for a Cosmos SDK chain: IAVL store inside a simple-Merkle multistore.</summary>
    public static IReadOnlyList<ProofSpec> SdkSpecs => ProofSpecs.SdkChain;

    public IReadOnlyList<CommitmentProof> Proofs { get; init; } = [];

    public static MerkleProof Decode(ReadOnlySpan<byte> data)
    {
        try
        {
            return Read(data);
        }
        catch (ProtoFormatException e)
        {
            throw Ics23FormatException.From(e);
        }
    }

    private static MerkleProof Read(ReadOnlySpan<byte> data)
    {
        var r = new ProtoReader(data, nameof(MerkleProof));
        var proofs = new List<CommitmentProof>();
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            if (field != 1)
            {
                r.Skip(type, "unknown");
                continue;
            }
            r.Expect(type, WireType.LengthDelimited, "proofs");
            var body = r.ReadLengthDelimited("proofs", out var at);
            proofs.Add(ProofCodec.ReadCommitmentProof(body, at));
        }
        return new MerkleProof { Proofs = proofs };
    }

    public byte[] Encode()
    {
        var w = new ProtoWriter();
        foreach (var proof in Proofs)
        {
            w.WriteMessage(1, ProofCodec.Encode(proof));
        }
        return w.ToArray();
    }

    /// <summary>Pairs proofs[i] with keyPath[n-1-i] and specs[i] (ibc-go VerifyMembership layout).</summary>
    public IReadOnlyList<ProofStep> ToSteps(IReadOnlyList<ReadOnlyMemory<byte>> keyPath, IReadOnlyList<ProofSpec>? specs = null)
    {
        ArgumentNullException.ThrowIfNull(keyPath);
        specs ??= SdkSpecs;
        if (Proofs.Count != keyPath.Count || Proofs.Count != specs.Count)
        {
            throw new Ics23VerificationException(Ics23Error.ChainLengthMismatch, $"{Proofs.Count} proofs, {keyPath.Count} key path elements and {specs.Count} specs must all be equal");
        }
        var steps = new ProofStep[Proofs.Count];
        for (var i = 0; i < steps.Length; i++)
        {
            steps[i] = new ProofStep(specs[i], keyPath[keyPath.Count - 1 - i], Proofs[i]);
        }
        return steps;
    }

    public Ics23Verdict VerifyMembership(ReadOnlySpan<byte> root, IReadOnlyList<ReadOnlyMemory<byte>> keyPath, ReadOnlySpan<byte> value, IReadOnlyList<ProofSpec>? specs = null)
    {
        try
        {
            return ChainedProofVerifier.VerifyMembership(ToSteps(keyPath, specs), root, value);
        }
        catch (Ics23VerificationException e)
        {
            return Ics23Verdict.From(e);
        }
    }

    public Ics23Verdict VerifyNonMembership(ReadOnlySpan<byte> root, IReadOnlyList<ReadOnlyMemory<byte>> keyPath, IReadOnlyList<ProofSpec>? specs = null)
    {
        try
        {
            return ChainedProofVerifier.VerifyNonMembership(ToSteps(keyPath, specs), root);
        }
        catch (Ics23VerificationException e)
        {
            return Ics23Verdict.From(e);
        }
    }
}
