using Citrine.CometBft.Encoding;
using Citrine.Crypto;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.CometBft.Types;

/// <summary>
/// Evidence that validators signed a block conflicting with one a light client trusts (CometBFT
/// 0.38 types/evidence.go <c>LightClientAttackEvidence</c>, ADR-047): the conflicting block, the
/// height of the last block both chains share, the validators to blame, and the total voting power
/// and time of the block whose validator set the blame is measured against.
/// </summary>
public sealed record LightClientAttackEvidence(
    LightBlock ConflictingBlock, long CommonHeight, IReadOnlyList<Validator> ByzantineValidators, long TotalVotingPower, Timestamp Timestamp)
{
    /// <summary>
    /// CometBFT light/detector.go <c>newLightClientAttackEvidence</c>: <paramref name="conflicted"/> is
    /// the block to blame, <paramref name="trusted"/> the other source's block at the same height and
    /// <paramref name="common"/> the last block both agree on. A lunatic attack (the conflicting header
    /// differs in a deterministic field) is measured at the common block, equivocation and amnesia at
    /// the trusted one.
    /// </summary>
    public static LightClientAttackEvidence Create(LightBlock conflicted, LightBlock trusted, LightBlock common)
    {
        ArgumentNullException.ThrowIfNull(conflicted);
        ArgumentNullException.ThrowIfNull(trusted);
        ArgumentNullException.ThrowIfNull(common);
        var lunatic = IsLunatic(conflicted.Header, trusted.Header);
        var measuredAt = lunatic ? common : trusted;
        return new LightClientAttackEvidence(
            conflicted, measuredAt.Height, ByzantineValidatorsOf(conflicted, trusted.SignedHeader, common.Validators, lunatic),
            measuredAt.Validators.TotalVotingPower, measuredAt.Header.Time);
    }

    /// <summary>
    /// <c>ConflictingHeaderIsInvalid</c>: a header produced by a valid state transition from the same
    /// state has the same validators, next validators, consensus, app and last results hashes.
    /// </summary>
    public bool ConflictingHeaderIsInvalid(Header trustedHeader)
    {
        ArgumentNullException.ThrowIfNull(trustedHeader);
        return IsLunatic(ConflictingBlock.Header, trustedHeader);
    }

    private static bool IsLunatic(Header conflicting, Header trusted) =>
        !trusted.ValidatorsHash.AsSpan().SequenceEqual(conflicting.ValidatorsHash)
        || !trusted.NextValidatorsHash.AsSpan().SequenceEqual(conflicting.NextValidatorsHash)
        || !trusted.ConsensusHash.AsSpan().SequenceEqual(conflicting.ConsensusHash)
        || !trusted.AppHash.AsSpan().SequenceEqual(conflicting.AppHash)
        || !trusted.LastResultsHash.AsSpan().SequenceEqual(conflicting.LastResultsHash);

    /// <summary>
    /// <c>GetByzantineValidators</c>: for a lunatic attack, the common set's validators that signed the
    /// conflicting block; for equivocation (same round), the validators that signed both blocks (the
    /// sets are equal, so the commits line up by index); for amnesia (different rounds) nobody can be
    /// blamed. Ordered by voting power, then address (<c>ValidatorsByVotingPower</c>).
    /// </summary>
    private static List<Validator> ByzantineValidatorsOf(LightBlock conflicted, SignedHeader trusted, ValidatorSet commonValidators, bool lunatic)
    {
        var blamed = new List<Validator>();
        var signatures = conflicted.Commit.Signatures;
        if (lunatic)
        {
            foreach (var sig in signatures)
            {
                var index = sig.Flag == BlockIdFlag.Commit ? commonValidators.IndexOf(sig.ValidatorAddress) : -1;
                if (index >= 0)
                {
                    blamed.Add(commonValidators.Validators[index]);
                }
            }
        }
        else if (trusted.Commit.Round == conflicted.Commit.Round)
        {
            var other = trusted.Commit.Signatures;
            for (var i = 0; i < signatures.Count && i < other.Count; i++)
            {
                var index = signatures[i].Flag == BlockIdFlag.Commit && other[i].Flag == BlockIdFlag.Commit
                    ? conflicted.Validators.IndexOf(signatures[i].ValidatorAddress) : -1;
                if (index >= 0)
                {
                    blamed.Add(conflicted.Validators.Validators[index]);
                }
            }
        }
        blamed.Sort(static (a, b) => a.VotingPower != b.VotingPower
            ? b.VotingPower.CompareTo(a.VotingPower)
            : a.Address.AsSpan().SequenceCompareTo(b.Address));
        return blamed;
    }

    /// <summary>
    /// CometBFT 0.38 <c>LightClientAttackEvidence.Hash</c>: SHA-256 over a 32-byte slot holding the
    /// conflicting header hash, followed by the zig-zag varint (Go <c>binary.PutVarint</c>) of the common height. Go copies only the first
    /// 31 bytes of the header hash into the slot (<c>copy(bz[:tmhash.Size-1], ...)</c>), leaving byte 31
    /// zero; reproduced so the hash matches what a CometBFT node reports.
    /// </summary>
    public byte[] Hash()
    {
        Span<byte> varint = stackalloc byte[10];
        var zigzag = unchecked((ulong)((CommonHeight << 1) ^ (CommonHeight >> 63)));
        var n = ProtoWriter.WriteVarint(varint, zigzag);
        var buffer = new byte[Merkle.HashSize + n];
        ConflictingBlock.Header.Hash().AsSpan(0, Merkle.HashSize - 1).CopyTo(buffer);
        varint[..n].CopyTo(buffer.AsSpan(Merkle.HashSize));
        return Hashing.Sha256(buffer);
    }

    /// <summary>The protobuf encoding of <c>tendermint.types.Evidence</c> holding this evidence.</summary>
    public byte[] ToProtobuf() => EvidenceEncoder.EncodeEvidence(this);
}
