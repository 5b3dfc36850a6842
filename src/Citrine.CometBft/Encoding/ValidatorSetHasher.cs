using Citrine.CometBft.Types;
using Citrine.Crypto.Encoding.Protobuf;

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
        var count = validators.Count;
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(count, 1) * Merkle.HashSize);
        try
        {
            Span<byte> encoded = stackalloc byte[MaxEd25519Encoding];
            for (var i = 0; i < count; i++)
            {
                var validator = validators[i];
                var leaf = rented.AsSpan(i * Merkle.HashSize, Merkle.HashSize);
                if (validator.PublicKey.Length == 32)
                {
                    Merkle.LeafHash(encoded[..WriteEd25519(encoded, validator)], leaf);
                }
                else
                {
                    Merkle.LeafHash(SimpleValidatorBytes(validator), leaf);
                }
            }
            return Merkle.HashFromLeafHashes(rented.AsSpan(0, count * Merkle.HashSize), count);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // 0a 22 | 0a 20 <32-byte key> | 10 <varint power, at most 10 bytes>
    private const int MaxEd25519Encoding = 4 + 32 + 1 + 10;

    /// <summary>The same bytes as <see cref="SimpleValidatorBytes"/> for a 32-byte key, without allocating.</summary>
    private static int WriteEd25519(Span<byte> destination, Validator validator)
    {
        destination[0] = 0x0a;
        destination[1] = 0x22;
        destination[2] = 0x0a;
        destination[3] = 0x20;
        validator.PublicKey.CopyTo(destination[4..]);
        var length = 36;
        if (validator.VotingPower != 0)
        {
            destination[length++] = 0x10;
            length += ProtoWriter.WriteVarint(destination[length..], unchecked((ulong)validator.VotingPower));
        }
        return length;
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
