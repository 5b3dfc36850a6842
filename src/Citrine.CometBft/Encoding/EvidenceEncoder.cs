using Citrine.CometBft.Types;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.CometBft.Encoding;

/// <summary>
/// The protobuf encoding of light-client attack evidence as CometBFT 0.38 marshals it
/// (proto/tendermint/types/evidence.proto, types.proto, validator.proto, crypto/keys.proto):
/// <code>
/// Evidence{oneof sum {DuplicateVoteEvidence duplicate_vote_evidence = 1; LightClientAttackEvidence light_client_attack_evidence = 2}}
/// LightClientAttackEvidence{LightBlock conflicting_block = 1; int64 common_height = 2;
///     repeated Validator byzantine_validators = 3; int64 total_voting_power = 4; Timestamp timestamp = 5 (non-nullable)}
/// LightBlock{SignedHeader signed_header = 1; ValidatorSet validator_set = 2}
/// SignedHeader{Header header = 1; Commit commit = 2}
/// ValidatorSet{repeated Validator validators = 1; Validator proposer = 2; int64 total_voting_power = 3}
/// Validator{bytes address = 1; PublicKey pub_key = 2 (non-nullable); int64 voting_power = 3; int64 proposer_priority = 4}
/// PublicKey{oneof sum {bytes ed25519 = 1; bytes secp256k1 = 2}}
/// </code>
/// Header and commit are <see cref="BlockEncoder"/>'s.
/// </summary>
public static class EvidenceEncoder
{
    public static byte[] EncodeEvidence(LightClientAttackEvidence evidence)
    {
        var w = new ProtoWriter(256);
        w.WriteMessage(2, EncodeLightClientAttackEvidence(evidence));
        return w.ToArray();
    }

    public static byte[] EncodeLightClientAttackEvidence(LightClientAttackEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var w = new ProtoWriter(1024);
        w.WriteMessage(1, EncodeLightBlock(evidence.ConflictingBlock));
        w.WriteInt64(2, evidence.CommonHeight);
        foreach (var validator in evidence.ByzantineValidators)
        {
            w.WriteMessage(3, EncodeValidator(validator));
        }
        w.WriteInt64(4, evidence.TotalVotingPower);
        w.WriteMessage(5, HeaderHasher.TimestampBytes(new ProtoWriter(16), evidence.Timestamp));
        return w.ToArray();
    }

    /// <summary>A light block as CometBFT's <c>LightBlock</c>: the signed header and the block's own validator set.</summary>
    public static byte[] EncodeLightBlock(LightBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var signed = new ProtoWriter(512);
        signed.WriteMessage(1, BlockEncoder.EncodeHeader(block.Header));
        signed.WriteMessage(2, BlockEncoder.EncodeCommit(block.Commit));
        var w = new ProtoWriter(signed.Length + 256);
        w.WriteMessage(1, signed.WrittenSpan);
        w.WriteMessage(2, EncodeValidatorSet(block.Validators));
        return w.ToArray();
    }

    /// <summary>
    /// The set with its proposer; a set decoded from RPC pages carries none, so the proposer is the
    /// validator CometBFT's selection would name from the priorities it has
    /// (<see cref="ProposerPriority.HighestPriority"/>). CometBFT refuses a set without a proposer
    /// (<c>ValidatorSet.ValidateBasic</c>).
    /// </summary>
    public static byte[] EncodeValidatorSet(ValidatorSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var w = new ProtoWriter(64 + (set.Count * 80));
        foreach (var validator in set.Validators)
        {
            w.WriteMessage(1, EncodeValidator(validator));
        }
        if ((set.Proposer ?? ProposerPriority.HighestPriority(set)) is { } proposer)
        {
            w.WriteMessage(2, EncodeValidator(proposer));
        }
        w.WriteInt64(3, set.TotalVotingPower);
        return w.ToArray();
    }

    public static byte[] EncodeValidator(Validator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        var key = new ProtoWriter(40);
        // A set oneof member is written even when empty.
        key.WriteMessage(1, validator.PublicKey);
        var w = new ProtoWriter(80);
        w.WriteBytes(1, validator.Address);
        w.WriteMessage(2, key.WrittenSpan);
        w.WriteInt64(3, validator.VotingPower);
        w.WriteInt64(4, validator.ProposerPriority);
        return w.ToArray();
    }
}
