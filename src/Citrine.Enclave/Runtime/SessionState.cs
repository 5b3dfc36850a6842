using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Citrine.Enclave.Runtime;

/// <summary>The handshake phases of DESIGN.md ("The handshake"), as the enclave sees them.</summary>
public enum EnclavePhase : byte
{
    Uninitialised = 0,
    /// <summary>Instantiate succeeded: the config and its trust root are adopted.</summary>
    Instantiated = 1,
    /// <summary>SessionCreate succeeded: a nonce is drawn for a contract.</summary>
    Created = 2,
    /// <summary>SessionSetPubKey succeeded: the session keys exist and were attested.</summary>
    Established = 3,
}

/// <summary>
/// What the enclave seals besides its light-client state: the config bytes, the contract, the
/// nonce, the phase, the session's private keys, and the generation and height of the newest
/// light-client state it saved (the floor a restarted process holds the sealed light-client
/// state to). Private keys leave the runtime only inside this record, sealed.
/// </summary>
internal sealed record SessionState
{
    public required EnclavePhase Phase { get; init; }

    public required byte[] Config { get; init; }

    /// <summary>20 bytes from <see cref="EnclavePhase.Created"/> on; empty before.</summary>
    public byte[] Contract { get; init; } = [];

    /// <summary>32 bytes from <see cref="EnclavePhase.Created"/> on; empty before.</summary>
    public byte[] Nonce { get; init; } = [];

    /// <summary>The Ed25519 seed (RFC 8032 private key); 32 bytes when established, empty before.</summary>
    public byte[] SigningSeed { get; init; } = [];

    /// <summary>The X25519 private key; 32 bytes when established, empty before.</summary>
    public byte[] EncryptionKey { get; init; } = [];

    /// <summary>
    /// The session's master secret, drawn inside the enclave with the keys at SessionSetPubKey; 32
    /// bytes when established. The state key and the handler's randomness are derived from it
    /// (docs/execution.md, "Determinism and keys").
    /// </summary>
    public byte[] MasterSecret { get; init; } = [];

    public required ulong LightGeneration { get; init; }

    public required long LightHeight { get; init; }
}

/// <summary>A sealed session state that cannot be decoded: what was wrong and at which offset.</summary>
public sealed class SessionStateFormatException : Exception
{
    public SessionStateFormatException()
    {
    }

    public SessionStateFormatException(string message)
        : base(message)
    {
    }

    public SessionStateFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The canonical binary encoding of <see cref="SessionState"/> (docs/enclave.md, "Sealed session
/// state"): <c>"CSES" ‖ u8 version=1 ‖ u8 phase ‖ u32 len ‖ config</c>, then from Created on
/// <c>contract[20] ‖ nonce[32]</c>, when Established <c>signing seed[32] ‖ X25519 key[32] ‖ master secret[32]</c>,
/// and last <c>u64 light generation ‖ i64 light height</c>. Big-endian, exact length.
/// </summary>
internal static class SessionStateCodec
{
    public const byte Version = 2;
    public const int ContractSize = 20;
    public const int NonceSize = 32;
    public const int KeySize = 32;

    /// <summary>The config is a JSON document of at most 64 measurements; 1 MiB is far above any real one.</summary>
    public const int MaxConfigSize = 1 << 20;

    public static ReadOnlySpan<byte> Magic => "CSES"u8;

    public static byte[] Encode(SessionState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var created = state.Phase >= EnclavePhase.Created;
        var established = state.Phase == EnclavePhase.Established;
        var length = 4 + 1 + 1 + 4 + state.Config.Length + (created ? ContractSize + NonceSize : 0) + (established ? 3 * KeySize : 0) + 8 + 8;
        var output = new byte[length];
        var span = output.AsSpan();
        Magic.CopyTo(span);
        span[4] = Version;
        span[5] = (byte)state.Phase;
        BinaryPrimitives.WriteUInt32BigEndian(span[6..], (uint)state.Config.Length);
        var offset = 10;
        Put(span, ref offset, state.Config);
        if (created)
        {
            Put(span, ref offset, Exact(state.Contract, ContractSize, "contract"));
            Put(span, ref offset, Exact(state.Nonce, NonceSize, "nonce"));
        }
        if (established)
        {
            Put(span, ref offset, Exact(state.SigningSeed, KeySize, "signing seed"));
            Put(span, ref offset, Exact(state.EncryptionKey, KeySize, "encryption key"));
            Put(span, ref offset, Exact(state.MasterSecret, KeySize, "master secret"));
        }
        BinaryPrimitives.WriteUInt64BigEndian(span[offset..], state.LightGeneration);
        BinaryPrimitives.WriteInt64BigEndian(span[(offset + 8)..], state.LightHeight);
        return output;
    }

    /// <exception cref="SessionStateFormatException">the bytes are not a session state encoding.</exception>
    public static SessionState Decode(ReadOnlySpan<byte> data)
    {
        var offset = 0;
        if (!Take(data, ref offset, 4, "magic").SequenceEqual(Magic))
        {
            throw new SessionStateFormatException("magic at offset 0: not a Citrine session state");
        }
        var version = Take(data, ref offset, 1, "version")[0];
        if (version != Version)
        {
            throw new SessionStateFormatException($"version at offset 4: unknown version {version}, this build reads {Version}");
        }
        var phase = (EnclavePhase)Take(data, ref offset, 1, "phase")[0];
        if (phase is < EnclavePhase.Instantiated or > EnclavePhase.Established)
        {
            throw new SessionStateFormatException($"phase at offset 5: {(byte)phase} is not a sealed phase");
        }
        var configLength = BinaryPrimitives.ReadUInt32BigEndian(Take(data, ref offset, 4, "config.length"));
        if (configLength is 0 or > MaxConfigSize)
        {
            throw new SessionStateFormatException($"config.length at offset 6: {configLength} is outside [1, {MaxConfigSize}]");
        }
        var config = Take(data, ref offset, (int)configLength, "config").ToArray();
        byte[] contract = [];
        byte[] nonce = [];
        byte[] seed = [];
        byte[] encryption = [];
        byte[] master = [];
        if (phase >= EnclavePhase.Created)
        {
            contract = Take(data, ref offset, ContractSize, "contract").ToArray();
            nonce = Take(data, ref offset, NonceSize, "nonce").ToArray();
        }
        if (phase == EnclavePhase.Established)
        {
            seed = Take(data, ref offset, KeySize, "signing_seed").ToArray();
            encryption = Take(data, ref offset, KeySize, "encryption_key").ToArray();
            master = Take(data, ref offset, KeySize, "master_secret").ToArray();
        }
        var generation = BinaryPrimitives.ReadUInt64BigEndian(Take(data, ref offset, 8, "light_generation"));
        var height = BinaryPrimitives.ReadInt64BigEndian(Take(data, ref offset, 8, "light_height"));
        if (offset != data.Length)
        {
            throw new SessionStateFormatException($"end at offset {offset}: {data.Length - offset} trailing bytes");
        }
        if (height <= 0)
        {
            throw new SessionStateFormatException($"light_height at offset {offset - 8}: {height} is not a block height");
        }
        return new SessionState
        {
            Phase = phase,
            Config = config,
            Contract = contract,
            Nonce = nonce,
            SigningSeed = seed,
            EncryptionKey = encryption,
            MasterSecret = master,
            LightGeneration = generation,
            LightHeight = height,
        };
    }

    /// <summary>Zeroes the private key bytes of an encoding once it is sealed.</summary>
    public static void Wipe(byte[] encoded) => CryptographicOperations.ZeroMemory(encoded);

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> data, ref int offset, int count, string field)
    {
        if ((uint)count > (uint)(data.Length - offset))
        {
            throw new SessionStateFormatException($"{field} at offset {offset}: needs {count} bytes, {data.Length - offset} left");
        }
        var slice = data.Slice(offset, count);
        offset += count;
        return slice;
    }

    private static void Put(Span<byte> output, ref int offset, ReadOnlySpan<byte> value)
    {
        value.CopyTo(output[offset..]);
        offset += value.Length;
    }

    private static byte[] Exact(byte[] value, int length, string name) =>
        value.Length == length ? value : throw new ArgumentException($"{name} must be {length} bytes, got {value.Length}");
}
