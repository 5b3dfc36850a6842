using System.Buffers.Binary;
using System.Security.Cryptography;
using Citrine.Crypto.Encoding.Protobuf;
using Citrine.Ics23.Proofs;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;

namespace Citrine.Ics23.Verification;

/// <summary>The hash and length operations of ICS23 (ICS23 ops: doHash, doLengthOp, prepareLeafData, LeafOp/InnerOp Apply).</summary>
public static class HashOps
{
    /// <summary>Hashes <paramref name="data"/>; <see cref="HashOp.NoHash"/> and unknown values are errors here.</summary>
    public static byte[] DoHash(HashOp op, ReadOnlySpan<byte> data)
    {
        switch (op)
        {
            case HashOp.Sha256:
                return SHA256.HashData(data);
            case HashOp.Sha512:
                return SHA512.HashData(data);
            case HashOp.Keccak256:
                // Keccak-256 with the original padding (as Ethereum uses), not FIPS 202 SHA3-256.
                return Digest(new KeccakDigest(256), data);
            case HashOp.Ripemd160:
                return Digest(new RipeMD160Digest(), data);
            case HashOp.Bitcoin:
                return Digest(new RipeMD160Digest(), SHA256.HashData(data));
            case HashOp.Sha512T256:
                // FIPS 180-4 SHA-512/256 (its own initial values), not a truncated SHA-512.
                return Digest(new Sha512tDigest(256), data);
            case HashOp.Blake2b512:
                return Digest(new Blake2bDigest(512), data);
            case HashOp.Blake2s256:
                return Digest(new Blake2sDigest(256), data);
            case HashOp.Blake3:
                return Digest(new Blake3Digest(256), data);
            case HashOp.NoHash:
            default:
                throw new Ics23VerificationException(Ics23Error.UnsupportedHashOp, $"unsupported hash op {(int)op} ({op})");
        }
    }

    /// <summary>Like <see cref="DoHash"/>, but <see cref="HashOp.NoHash"/> returns the input unchanged (prehash steps).</summary>
    public static byte[] DoHashOrNoop(HashOp op, ReadOnlySpan<byte> data) =>
        op == HashOp.NoHash ? data.ToArray() : DoHash(op, data);

    /// <summary>Prepends the length of <paramref name="data"/> as <paramref name="op"/> says (ICS23 doLengthOp).</summary>
    public static byte[] DoLength(LengthOp op, ReadOnlySpan<byte> data)
    {
        switch (op)
        {
            case LengthOp.NoPrefix:
                return data.ToArray();
            case LengthOp.VarProto:
                {
                    Span<byte> prefix = stackalloc byte[10];
                    var n = Varint.WriteUnsigned(prefix, (ulong)data.Length);
                    return [.. prefix[..n], .. data];
                }
            case LengthOp.Require32Bytes:
            case LengthOp.Require64Bytes:
                {
                    var required = op == LengthOp.Require32Bytes ? 32 : 64;
                    if (data.Length != required)
                    {
                        throw new Ics23VerificationException(Ics23Error.LengthRequirementFailed, $"data was {data.Length} bytes, not {required}");
                    }
                    return data.ToArray();
                }
            case LengthOp.Fixed32Big:
            case LengthOp.Fixed32Little:
                {
                    var result = new byte[4 + data.Length];
                    if (op == LengthOp.Fixed32Big)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(result, (uint)data.Length);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(result, (uint)data.Length);
                    }
                    data.CopyTo(result.AsSpan(4));
                    return result;
                }
            case LengthOp.Fixed64Big:
            case LengthOp.Fixed64Little:
                {
                    var result = new byte[8 + data.Length];
                    if (op == LengthOp.Fixed64Big)
                    {
                        BinaryPrimitives.WriteUInt64BigEndian(result, (ulong)data.Length);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)data.Length);
                    }
                    data.CopyTo(result.AsSpan(8));
                    return result;
                }
            case LengthOp.VarRlp:
            default:
                // VAR_RLP is declared by ICS23 but implemented by neither reference implementation;
                // accepting it here would accept proofs every other verifier rejects.
                throw new Ics23VerificationException(Ics23Error.UnsupportedLengthOp, $"unsupported length op {(int)op} ({op})");
        }
    }

    /// <summary>The leaf hash: <c>hash(prefix || length(prehash_key(key)) || length(prehash_value(value)))</c>.</summary>
    public static byte[] ApplyLeaf(LeafOp op, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (key.IsEmpty)
        {
            throw new Ics23VerificationException(Ics23Error.EmptyKey, "leaf op needs a key");
        }
        if (value.IsEmpty)
        {
            throw new Ics23VerificationException(Ics23Error.EmptyValue, "leaf op needs a value");
        }
        var pkey = DoLength(op.Length, DoHashOrNoop(op.PrehashKey, key));
        var pvalue = DoLength(op.Length, DoHashOrNoop(op.PrehashValue, value));
        return HashConcat(op.Hash, op.Prefix.Span, pkey, pvalue);
    }

    /// <summary>The parent hash: <c>hash(prefix || child || suffix)</c>.</summary>
    public static byte[] ApplyInner(InnerOp op, ReadOnlySpan<byte> child)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (child.IsEmpty)
        {
            throw new Ics23VerificationException(Ics23Error.EmptyChild, "inner op needs a child hash");
        }
        return HashConcat(op.Hash, op.Prefix.Span, child, op.Suffix.Span);
    }

    private static byte[] HashConcat(HashOp op, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c)
    {
        var length = a.Length + b.Length + c.Length;
        var rented = length <= 512 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        var buffer = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        a.CopyTo(buffer);
        b.CopyTo(buffer[a.Length..]);
        c.CopyTo(buffer[(a.Length + b.Length)..]);
        try
        {
            return DoHash(op, buffer);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static byte[] Digest(IDigest digest, ReadOnlySpan<byte> data)
    {
        digest.BlockUpdate(data);
        var result = new byte[digest.GetDigestSize()];
        digest.DoFinal(result, 0);
        return result;
    }
}
