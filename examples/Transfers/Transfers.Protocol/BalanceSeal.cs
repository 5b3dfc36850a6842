using System.Buffers.Binary;
using System.Text;

namespace Transfers.Protocol;

/// <summary>
/// How a <see cref="BalanceReport"/> travels: HPKE base mode, single shot (RFC 9180 §6.1),
/// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305, to the request's response key, with
/// <c>info = "citrine/transfers/v1/balance"</c> and
/// <c>aad = LP(info) ‖ LP(chain_id) ‖ LP(contract[20]) ‖ u64 session_id ‖ u64 seq ‖ LP(owner[20])</c>.
/// The response payload is <c>enc[32] ‖ ciphertext</c>. The AAD ties the report to the request it
/// answers, so a report cannot be passed off as the answer to another request, account or deployment.
/// </summary>
public static class BalanceSeal
{
    public const int EncLength = 32;

    /// <summary>ChaCha20-Poly1305's tag.</summary>
    public const int TagLength = 16;

    private static readonly byte[] InfoBytes = Encoding.UTF8.GetBytes("citrine/transfers/v1/balance");

    /// <summary>The HPKE <c>info</c>: UTF-8 <c>citrine/transfers/v1/balance</c>.</summary>
    public static ReadOnlySpan<byte> Info => InfoBytes;

    /// <summary>The AAD of the report answering request <paramref name="seq"/> of <paramref name="owner"/>.</summary>
    public static byte[] Aad(string chainId, ReadOnlySpan<byte> contract, ulong sessionId, ulong seq, ReadOnlySpan<byte> owner)
    {
        ArgumentException.ThrowIfNullOrEmpty(chainId);
        if (contract.Length != 20)
        {
            throw new ArgumentException($"a contract address is 20 bytes, got {contract.Length}", nameof(contract));
        }
        if (owner.Length != 20)
        {
            throw new ArgumentException($"an account address is 20 bytes, got {owner.Length}", nameof(owner));
        }
        var chain = Encoding.UTF8.GetBytes(chainId);
        var aad = new byte[4 + InfoBytes.Length + 4 + chain.Length + 4 + 20 + 8 + 8 + 4 + 20];
        var at = 0;
        Lp(aad, ref at, InfoBytes);
        Lp(aad, ref at, chain);
        Lp(aad, ref at, contract);
        BinaryPrimitives.WriteUInt64BigEndian(aad.AsSpan(at), sessionId);
        at += 8;
        BinaryPrimitives.WriteUInt64BigEndian(aad.AsSpan(at), seq);
        at += 8;
        Lp(aad, ref at, owner);
        return aad;
    }

    /// <summary>The response payload: <c>enc ‖ ciphertext</c>.</summary>
    public static byte[] Payload(ReadOnlySpan<byte> enc, ReadOnlySpan<byte> ciphertext)
    {
        if (enc.Length != EncLength)
        {
            throw new ArgumentException($"enc is {EncLength} bytes (X25519), got {enc.Length}", nameof(enc));
        }
        return [.. enc, .. ciphertext];
    }

    /// <summary>Splits a payload into <c>enc</c> and <c>ciphertext</c>.</summary>
    /// <exception cref="TransfersFormatException">shorter than enc and a tag.</exception>
    public static (ReadOnlyMemory<byte> Enc, ReadOnlyMemory<byte> Ciphertext) Split(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length < EncLength + TagLength)
        {
            throw new TransfersFormatException("sealed balance report", "enc", 0, $"{payload.Length} bytes, at least {EncLength + TagLength}");
        }
        return (payload[..EncLength], payload[EncLength..]);
    }

    private static void Lp(Span<byte> destination, ref int at, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination[at..], (uint)value.Length);
        at += 4;
        value.CopyTo(destination[at..]);
        at += value.Length;
    }
}
