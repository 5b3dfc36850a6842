using Citrine.CometBft.Types;
using Citrine.Ics23.Abci;

namespace Citrine.Enclave.Publication;

/// <summary>
/// What the enclave wants proven, from its own code, never from the host: the store and key of a
/// record, and optionally the value it must hold, or that the key must be absent.
/// </summary>
public sealed record PublicationClaim(string Store, ReadOnlyMemory<byte> Key)
{
    /// <summary>When set, the proven value must be exactly this.</summary>
    public ReadOnlyMemory<byte>? ExpectedValue { get; init; }

    /// <summary>Prove that the key is absent (a non-membership proof) instead of its value.</summary>
    public bool Absent { get; init; }

    /// <summary>
    /// Accept either proof, membership or absence, whichever the host supplies (e.g. the app
    /// state, which is absent before the first output); the verdict says which was proven, and the
    /// caller checks it against the other facts it proved. Not with <see cref="Absent"/> or an expected value.
    /// </summary>
    public bool MayBeAbsent { get; init; }
}

/// <summary>
/// What the untrusted host supplies: light blocks from the trusted state up to the proof's header
/// (ascending; empty when the proof is under the trusted header itself), and an <c>abci_query</c>
/// answer with <c>prove=true</c>: the query height, the value and the ProofOps (innermost first).
/// </summary>
public sealed record PublicationProof(IReadOnlyList<LightBlock> LightBlocks, long QueryHeight, ReadOnlyMemory<byte>? Value, IReadOnlyList<ProofOp> ProofOps);

/// <summary>One <c>abci_query(prove=true)</c> answer of a batch: the key the host says it proves, the value (null: absence) and the ProofOps (innermost first).</summary>
public sealed record ProvenEntry(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value, IReadOnlyList<ProofOp> ProofOps);

/// <summary>
/// Several <c>abci_query</c> answers at one query height under one set of light blocks (from the
/// trusted state up to header query height + 1): entry <c>i</c> answers claim <c>i</c>.
/// </summary>
public sealed record PublicationBatchProof(IReadOnlyList<LightBlock> LightBlocks, long QueryHeight, IReadOnlyList<ProvenEntry> Entries);
