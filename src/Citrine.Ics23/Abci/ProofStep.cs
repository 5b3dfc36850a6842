using Citrine.Ics23.Proofs;

namespace Citrine.Ics23.Abci;

/// <summary>
/// One link of a chained proof: <see cref="Proof"/>, checked against <see cref="Spec"/>, proves
/// <see cref="Key"/> inside a tree whose root the next link (or the app hash) commits to.
/// </summary>
public sealed record ProofStep(ProofSpec Spec, ReadOnlyMemory<byte> Key, CommitmentProof Proof);
