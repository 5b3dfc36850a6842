using System.Buffers.Binary;
using System.Text;

namespace Citrine.Contracts.Session;

/// <summary>The enclave messages whose attestation binds report data, each with its own domain tag.</summary>
public enum SessionMessageType
{
    Instantiate = 1,
    SessionCreate = 2,
    SessionSetPubKey = 3,
    SessionReattest = 4,
}

/// <summary>
/// The 64 bytes of report data an enclave message's attestation binds (DESIGN.md, "The handshake";
/// byte layout in docs/session.md, "Report data"):
/// <code>
/// report_data = SHA-512( LP(tag) ‖ LP(chain_id) ‖ LP(contract) ‖ LP(body) )
/// LP(x)       = uint32 big-endian length(x) ‖ x
/// </code>
/// The tag separates message types, the chain id and contract address separate deployments, and
/// every field is length-prefixed, so no two distinct messages share a preimage. The body is the
/// message's own fields in a fixed order — never a re-serialisation of JSON that two libraries
/// could write differently. This is the only implementation; contract, enclave and host share it.
/// </summary>
public static class ReportData
{
    public const int Size = 64;
    public const int NonceSize = 32;
    public const int KeySize = 32;
    public const int ContractAddressSize = 20;

    /// <summary>The UTF-8 domain tag of <paramref name="type"/>, e.g. <c>citrine/v1/session_create</c>.</summary>
    public static string Tag(SessionMessageType type) => type switch
    {
        SessionMessageType.Instantiate => "citrine/v1/instantiate",
        SessionMessageType.SessionCreate => "citrine/v1/session_create",
        SessionMessageType.SessionSetPubKey => "citrine/v1/session_set_pub_key",
        SessionMessageType.SessionReattest => "citrine/v1/session_reattest",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a session message type"),
    };

    /// <summary>The body of Instantiate: LP(config bytes), the config exactly as the contract receives it.</summary>
    public static byte[] InstantiateBody(ReadOnlySpan<byte> config) => Lp(config);

    /// <summary>The body of SessionCreate: LP(nonce[32]).</summary>
    public static byte[] SessionCreateBody(ReadOnlySpan<byte> nonce)
    {
        RequireLength(nonce, NonceSize, nameof(nonce));
        return Lp(nonce);
    }

    /// <summary>The body of SessionSetPubKey and SessionReattest: LP(nonce) ‖ LP(signing key) ‖ LP(encryption key) ‖ uint64be(verified height).</summary>
    public static byte[] KeysBody(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> signingKey, ReadOnlySpan<byte> encryptionKey, ulong verifiedHeight)
    {
        RequireLength(nonce, NonceSize, nameof(nonce));
        RequireLength(signingKey, KeySize, nameof(signingKey));
        RequireLength(encryptionKey, KeySize, nameof(encryptionKey));
        var body = new byte[(3 * 4) + NonceSize + (2 * KeySize) + 8];
        var offset = WriteLp(body, 0, nonce);
        offset = WriteLp(body, offset, signingKey);
        offset = WriteLp(body, offset, encryptionKey);
        BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(offset), verifiedHeight);
        return body;
    }

    /// <summary>
    /// The SHA-512 preimage: LP(tag) ‖ LP(chain id) ‖ LP(contract) ‖ LP(body). The contract address
    /// is 20 bytes, or empty for Instantiate (the address does not exist before instantiation).
    /// </summary>
    public static byte[] Preimage(SessionMessageType type, string chainId, ReadOnlySpan<byte> contract, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(chainId);
        if (type == SessionMessageType.Instantiate ? !contract.IsEmpty : contract.Length != ContractAddressSize)
        {
            throw new ArgumentException(
                type == SessionMessageType.Instantiate
                    ? "Instantiate report data binds no contract address (it does not exist yet)"
                    : $"the contract address is {ContractAddressSize} bytes, got {contract.Length}",
                nameof(contract));
        }
        var tag = Encoding.UTF8.GetBytes(Tag(type));
        var chain = Encoding.UTF8.GetBytes(chainId);
        var preimage = new byte[(4 * 4) + tag.Length + chain.Length + contract.Length + body.Length];
        var offset = WriteLp(preimage, 0, tag);
        offset = WriteLp(preimage, offset, chain);
        offset = WriteLp(preimage, offset, contract);
        WriteLp(preimage, offset, body);
        return preimage;
    }

    /// <summary>The report data: <paramref name="sha512"/> of <see cref="Preimage"/> (the host's SHA-512 in a contract, the runtime's elsewhere).</summary>
    public static byte[] Compute(SessionMessageType type, string chainId, ReadOnlySpan<byte> contract, ReadOnlySpan<byte> body, Func<byte[], byte[]> sha512)
    {
        ArgumentNullException.ThrowIfNull(sha512);
        var digest = sha512(Preimage(type, chainId, contract, body));
        if (digest is not { Length: Size })
        {
            throw new InvalidOperationException($"the SHA-512 function returned {digest?.Length ?? 0} bytes, not {Size}");
        }
        return digest;
    }

    private static byte[] Lp(ReadOnlySpan<byte> value)
    {
        var result = new byte[4 + value.Length];
        WriteLp(result, 0, value);
        return result;
    }

    private static int WriteLp(Span<byte> destination, int offset, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], (uint)value.Length);
        value.CopyTo(destination[(offset + 4)..]);
        return offset + 4 + value.Length;
    }

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"{name} must be {length} bytes, got {value.Length}", name);
        }
    }
}
