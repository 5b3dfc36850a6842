using System.Text;
using Citrine.CometBft.LightClient;
using Citrine.Enclave.LightClient;
using Citrine.Ics23.Abci;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;

namespace Citrine.Enclave.Publication;

/// <summary>
/// Proof of publication (DESIGN.md invariant 2 and "The handshake", step 3): the enclave acts on a
/// record only once it has verified, from its trusted light-client state, a chain of light blocks
/// to a header and an ICS23 proof of the record under that header's app hash. Pure: trusted state,
/// claim and proof in, verdict out. There is no clock: the enclave's <c>now</c> is the newest
/// verified header time. Checks run in this order and the first failure is the verdict
/// (docs/enclave.md lists them with their codes):
/// <list type="number">
/// <item>the claim and proof are well-formed (<see cref="PublicationReason.MalformedInput"/>);</item>
/// <item>for each light block, against the block before it (the first: the trusted one): same chain,
/// higher height, time after the enclave clock, <c>last_block_id</c> = the previous hash when adjacent,
/// and the CometBFT light client accepts the step (adjacent or skipping);</item>
/// <item>the proof's header (query height + 1) is not behind the trusted state, is one of the known
/// headers, and is at most max block lag behind the newest;</item>
/// <item>the proof is [key in store, store in multistore] for the claim's store and key, with the
/// expected value when the claim names one;</item>
/// <item>the ICS23 chain verifies under that header's app hash with the specs pinned per position,
/// [IAVL, Tendermint] — never the ones the ops' own types would pick.</item>
/// </list>
/// </summary>
public static class PublicationVerifier
{
    /// <summary>The Cosmos SDK layout the devnet commits: an IAVL store under a Tendermint-style multistore (innermost first).</summary>
    public static IReadOnlyList<ProofSpec> PinnedSpecs { get; } = [ProofSpecs.Iavl, ProofSpecs.Tendermint];

    /// <summary>At most this many claims in one batch: the execution batch (5 + 1,024 requests) with room to spare.</summary>
    public const int MaxClaims = 2048;

    /// <summary>One claim: <see cref="VerifyBatch"/> with a batch of one.</summary>
    public static PublicationVerdict Verify(TrustedState state, PublicationClaim claim, PublicationProof proof)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(proof);
        if (InputProblem(claim, proof.Value, proof.ProofOps) is { } problem)
        {
            return PublicationVerdict.Refuse(PublicationReason.MalformedInput, problem);
        }
        var batch = new PublicationBatchProof(proof.LightBlocks, proof.QueryHeight, [new ProvenEntry(claim.Key, proof.Value, proof.ProofOps)]);
        var verdict = VerifyBatch(state, [claim], batch);
        return verdict.IsSuccess ? verdict with { Value = verdict.Values[0] } : verdict;
    }

    /// <summary>
    /// Several claims under one header: the light blocks are verified once (checks 1–3), then each
    /// entry against its claim, in order (checks 4–5), with the specs pinned per position as for one
    /// claim. The first failure is the verdict; <see cref="PublicationVerdict.ClaimIndex"/> names the
    /// claim it is about, and its detail starts with "claim i (key)".
    /// </summary>
    public static PublicationVerdict VerifyBatch(TrustedState state, IReadOnlyList<PublicationClaim> claims, PublicationBatchProof proof)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(proof);

        // 1. Shape of what the caller asks and the host supplies.
        if (BatchProblem(claims, proof) is { } batchProblem)
        {
            return PublicationVerdict.Refuse(PublicationReason.MalformedInput, batchProblem);
        }
        for (var c = 0; c < claims.Count; c++)
        {
            if (InputProblem(claims[c], proof.Entries[c].Value, proof.Entries[c].ProofOps) is { } problem)
            {
                return ClaimRefusal(claims, c, PublicationReason.MalformedInput, problem);
            }
        }

        // 2. Light blocks from the trusted state, each verified from the one before.
        var options = state.Root.Options;
        var previous = state.Block;
        var previousHash = state.Hash.ToArray();
        for (var i = 0; i < proof.LightBlocks.Count; i++)
        {
            var block = proof.LightBlocks[i];
            var header = block.Header;
            if (header.ChainId != state.ChainId)
            {
                return PublicationVerdict.Refuse(PublicationReason.ChainIdMismatch, $"light block {i} (height {header.Height}) is for chain '{header.ChainId}', the trusted state is for '{state.ChainId}'");
            }
            if (header.Height <= previous.Height)
            {
                return PublicationVerdict.Refuse(PublicationReason.HeightNotAscending, $"light block {i} is at height {header.Height}, not above the verified height {previous.Height}");
            }
            // The clock is the newest verified header time; a later height at an earlier or equal
            // time is the host trying to move the enclave's time back.
            if (header.Time <= previous.Header.Time)
            {
                return PublicationVerdict.Refuse(PublicationReason.ClockWoundBack, $"light block {i} (height {header.Height}) has time {header.Time}, not after the enclave clock {previous.Header.Time}");
            }
            // The light client's adjacent step checks the validator sets but not the hash link;
            // without it an adjacent block of a fork signed by the same validators would pass.
            if (header.Height == previous.Height + 1 && !header.LastBlockId.Hash.AsSpan().SequenceEqual(previousHash))
            {
                return PublicationVerdict.Refuse(PublicationReason.NotChained,
                    $"light block {i} (height {header.Height}) names last block {Convert.ToHexString(header.LastBlockId.Hash)}, the verified block {previous.Height} hashes to {Convert.ToHexString(previousHash)}");
            }
            // The enclave has no clock of its own, so each step is judged at the candidate's own
            // time: the trusting period then asks whether the trusted header was still trusted when
            // the candidate was made. Freshness against real time is the contract's check (max block lag).
            var verdict = Verifier.Verify(previous, block, options, header.Time);
            if (!verdict.IsSuccess)
            {
                return PublicationVerdict.Refuse(PublicationReason.LightClientRefused, $"light block {i} (height {header.Height}): {verdict}") with { LightClientReason = verdict.Reason };
            }
            previous = block;
            // The light client checked that the commit is for this header's hash: no need to hash it again.
            previousHash = block.Commit.BlockId.Hash;
        }
        var newest = previous;

        // 3. The header the proofs are under: known, and fresh enough.
        var proofHeight = proof.QueryHeight + 1;
        if (proofHeight < state.Height)
        {
            return PublicationVerdict.Refuse(PublicationReason.ProofBehindTrustedState, $"proof is under header {proofHeight} (query height {proof.QueryHeight}), below the trusted height {state.Height}");
        }
        var proofBlock = proofHeight == state.Height ? state.Block : proof.LightBlocks.FirstOrDefault(b => b.Height == proofHeight);
        if (proofBlock is null)
        {
            return PublicationVerdict.Refuse(PublicationReason.ProofHeaderMissing, $"proof is under header {proofHeight}, which is not among the light blocks given (heights {string.Join(", ", proof.LightBlocks.Select(b => b.Height))})");
        }
        if ((ulong)(newest.Height - proofHeight) > state.Root.MaxBlockLag)
        {
            return PublicationVerdict.Refuse(PublicationReason.ProofTooOld, $"proof is under header {proofHeight}, {newest.Height - proofHeight} blocks behind the newest verified height {newest.Height}; max block lag is {state.Root.MaxBlockLag}");
        }

        // 4–5. Each entry against its claim, under that header's app hash.
        var values = new byte[]?[claims.Count];
        for (var c = 0; c < claims.Count; c++)
        {
            if (VerifyEntry(claims[c], proof.Entries[c], proofBlock.Header.AppHash, proofHeight) is { } refusal)
            {
                return claims.Count == 1 ? refusal : refusal with { ClaimIndex = c, Detail = $"{ClaimName(claims, c)}: {refusal.Detail}" };
            }
            values[c] = proof.Entries[c].Value?.ToArray();
        }

        return new PublicationVerdict
        {
            State = ReferenceEquals(newest, state.Block) ? state : state.AdvanceTo(newest),
            Values = values,
            VerifiedHeight = proofHeight,
            Detail = claims.Count == 1
                ? $"{(values[0] is null ? "absence" : "value")} of {Convert.ToHexString(claims[0].Key.Span)} in '{claims[0].Store}' proven under header {proofHeight}"
                : $"{claims.Count} claims proven under header {proofHeight}",
        };
    }

    private static PublicationVerdict? VerifyEntry(PublicationClaim claim, ProvenEntry entry, byte[] appHash, long proofHeight)
    {
        // 4. The proof is for what the caller asked.
        if (entry.ProofOps.Count != PinnedSpecs.Count)
        {
            return PublicationVerdict.Refuse(PublicationReason.ProofShapeMismatch, $"proof has {entry.ProofOps.Count} ops, expected {PinnedSpecs.Count} (key in store, store in multistore)");
        }
        var storeKey = Encoding.UTF8.GetBytes(claim.Store);
        if (!entry.ProofOps[1].Key.Span.SequenceEqual(storeKey))
        {
            return PublicationVerdict.Refuse(PublicationReason.WrongStore, $"proof is for store {Convert.ToHexString(entry.ProofOps[1].Key.Span)}, the claim is for '{claim.Store}' ({Convert.ToHexString(storeKey)})");
        }
        if (!entry.ProofOps[0].Key.Span.SequenceEqual(claim.Key.Span) || !entry.Key.Span.SequenceEqual(claim.Key.Span))
        {
            return PublicationVerdict.Refuse(PublicationReason.WrongKey,
                $"proof is for key {Convert.ToHexString(entry.ProofOps[0].Key.Span)} (entry names {Convert.ToHexString(entry.Key.Span)}), the claim is for {Convert.ToHexString(claim.Key.Span)}");
        }
        if (claim.ExpectedValue is { } expected && !expected.Span.SequenceEqual(entry.Value!.Value.Span))
        {
            return PublicationVerdict.Refuse(PublicationReason.WrongValue, $"the host offers value {Convert.ToHexString(entry.Value!.Value.Span)}, the claim expects {Convert.ToHexString(expected.Span)}");
        }

        // 5. ICS23 under the header's app hash, specs pinned per position.
        IReadOnlyList<ReadOnlyMemory<byte>> keyPath = [storeKey, claim.Key];
        var ics23 = entry.Value is null
            ? ProofOps.VerifyNonMembership(entry.ProofOps, appHash, keyPath, PinnedSpecs)
            : ProofOps.VerifyMembership(entry.ProofOps, appHash, keyPath, entry.Value.Value.Span, PinnedSpecs);
        if (ics23.Error == Ics23Error.ProofOpMalformed)
        {
            return PublicationVerdict.Refuse(PublicationReason.ProofMalformed, ics23.Detail) with { Ics23Error = ics23.Error };
        }
        if (!ics23.IsValid)
        {
            var reason = ics23.Error == Ics23Error.AppHashMismatch ? PublicationReason.AppHashMismatch : PublicationReason.Ics23Refused;
            return PublicationVerdict.Refuse(reason, $"proof under header {proofHeight} (app hash {Convert.ToHexString(appHash)}): {ics23}") with { Ics23Error = ics23.Error };
        }
        return null;
    }

    private static PublicationVerdict ClaimRefusal(IReadOnlyList<PublicationClaim> claims, int index, PublicationReason reason, string detail) =>
        claims.Count == 1
            ? PublicationVerdict.Refuse(reason, detail)
            : PublicationVerdict.Refuse(reason, $"{ClaimName(claims, index)}: {detail}") with { ClaimIndex = index };

    private static string ClaimName(IReadOnlyList<PublicationClaim> claims, int index) =>
        $"claim {index} ({claims[index].Store}/{Convert.ToHexString(claims[index].Key.Span)})";

    private static string? BatchProblem(IReadOnlyList<PublicationClaim> claims, PublicationBatchProof proof)
    {
        if (claims.Count == 0 || claims.Count > MaxClaims)
        {
            return $"{claims.Count} claims; a batch holds 1 to {MaxClaims}";
        }
        if (claims.Any(c => c is null))
        {
            return "a claim is null";
        }
        if (proof.LightBlocks is null || proof.Entries is null)
        {
            return "the proof has no light block list or no entry list";
        }
        if (proof.Entries.Count != claims.Count)
        {
            return $"the proof has {proof.Entries.Count} entries for {claims.Count} claims";
        }
        if (proof.LightBlocks.Any(b => b is null) || proof.Entries.Any(e => e is null))
        {
            return "the proof holds a null light block or entry";
        }
        if (proof.QueryHeight is < 0 or long.MaxValue)
        {
            return $"query height {proof.QueryHeight} is out of range";
        }
        return null;
    }

    private static string? InputProblem(PublicationClaim claim, ReadOnlyMemory<byte>? value, IReadOnlyList<Citrine.Ics23.Abci.ProofOp>? ops)
    {
        if (string.IsNullOrEmpty(claim.Store))
        {
            return "the claim names no store";
        }
        if (claim.Key.IsEmpty)
        {
            return "the claim names no key";
        }
        if (claim.Absent && claim.ExpectedValue is not null)
        {
            return "an absence claim cannot expect a value";
        }
        if (claim.MayBeAbsent && (claim.Absent || claim.ExpectedValue is not null))
        {
            return "a claim that accepts either proof cannot insist on absence or expect a value";
        }
        if (ops is null)
        {
            return "the proof has no proof ops";
        }
        if (ops.Any(o => o is null))
        {
            return "the proof holds a null proof op";
        }
        if (!claim.MayBeAbsent && claim.Absent != value is null)
        {
            return claim.Absent ? "the host offers a value for a key the claim says is absent" : "the host offers no value for a membership claim";
        }
        return null;
    }
}
