using Citrine.CometBft.Types;

namespace Citrine.CometBft.Encoding;

/// <summary>
/// The validator set hash (CometBFT types/validator_set.go <c>ValidatorSet.Hash</c>): the simple
/// Merkle root over each validator's <c>SimpleValidator{PublicKey pub_key = 1; int64 voting_power = 2}</c>
/// encoding, where <c>PublicKey</c> is the oneof <c>{bytes ed25519 = 1; bytes secp256k1 = 2}</c>.
/// </summary>
public static class ValidatorSetHasher
{
    public static byte[] Hash(IReadOnlyList<Validator> validators)
    {
        ArgumentNullException.ThrowIfNull(validators);
        var leaves = new byte[validators.Count][];
        for (var i = 0; i < leaves.Length; i++)
        {
            leaves[i] = SimpleValidatorBytes(validators[i]);
        }
        return Merkle.HashFromByteSlices(leaves);
    }

    public static byte[] SimpleValidatorBytes(Validator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        var key = new ProtoWriter(40);
        // A oneof member is written even when empty (it is set), so write it as a message-style field.
        key.WriteMessage(1, validator.PublicKey);
        var w = new ProtoWriter(48);
        w.WriteMessage(1, key.WrittenSpan);
        w.WriteInt64(2, validator.VotingPower);
        return w.ToArray();
    }
}
