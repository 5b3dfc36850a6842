using System.Buffers.Binary;
using System.Text;
using Citrine.CometBft.Json;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;

namespace Citrine.Enclave.LightClient;

/// <summary>A sealed light-client state that cannot be decoded: what was wrong, in which field, at which offset.</summary>
public sealed class TrustedStateFormatException : Exception
{
    public TrustedStateFormatException()
    {
    }

    public TrustedStateFormatException(string message)
        : base(message)
    {
    }

    public TrustedStateFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TrustedStateFormatException(string reason, string field, int offset, Exception? innerException = null)
        : base($"{field} at offset {offset}: {reason}", innerException)
    {
        Field = field;
        Offset = offset;
    }

    public string Field { get; } = "";

    public int Offset { get; } = -1;
}

/// <summary>
/// The canonical, versioned binary encoding of a <see cref="TrustedState"/> for sealing (byte
/// layout in docs/enclave.md, "State encoding"). All integers are big-endian; every variable
/// field is length-prefixed. The light block is CometBFT's JSON light block as
/// <see cref="CometJson.WriteLightBlock"/> writes it (the form <c>LightStore</c> keeps on disk),
/// accepted only when re-encoding it gives the same bytes, so one state has one encoding.
/// Decoding re-checks everything an encoder guarantees — the root's parameters, the recorded
/// height and hash against the block, the block's own commit — because a sealed blob is only as
/// good as the key that sealed it.
/// </summary>
public static class TrustedStateCodec
{
    public const byte Version = 1;

    /// <summary>"CTLS": Citrine trusted light-client state.</summary>
    public static ReadOnlySpan<byte> Magic => "CTLS"u8;

    /// <summary>A light block larger than this is refused (10,000 validators fit in well under it).</summary>
    public const int MaxLightBlockSize = 16 * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(TrustedState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var root = state.Root;
        var chainId = StrictUtf8.GetBytes(root.ChainId);
        var block = EncodeBlock(state.Block);
        var length = Magic.Length + 1 + 8 + 2 + chainId.Length + 8 + TrustRoot.HashSize + 8 + 8 + 8 + 8 + 8 + 8 + TrustRoot.HashSize + 4 + block.Length;
        var output = new byte[length];
        var w = new Writer(output);
        w.Bytes(Magic);
        w.U8(Version);
        w.U64(state.Generation);
        w.U16((ushort)chainId.Length);
        w.Bytes(chainId);
        w.I64(root.TrustedHeight);
        w.Bytes(root.TrustedHash.Span);
        w.I64(root.TrustingPeriod.Ticks);
        w.U64(root.TrustThreshold.Numerator);
        w.U64(root.TrustThreshold.Denominator);
        w.I64(root.MaxClockDrift.Ticks);
        w.U64(root.MaxBlockLag);
        w.I64(state.Height);
        w.Bytes(state.Hash);
        w.U32((uint)block.Length);
        w.Bytes(block);
        return output;
    }

    /// <exception cref="TrustedStateFormatException">the bytes are not the encoding of a valid state.</exception>
    public static TrustedState Decode(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        if (!r.Bytes(Magic.Length, "magic").SequenceEqual(Magic))
        {
            throw new TrustedStateFormatException("not a Citrine light-client state", "magic", 0);
        }
        var versionOffset = r.Position;
        var version = r.U8("version");
        if (version != Version)
        {
            throw new TrustedStateFormatException($"unknown version {version}, this build reads {Version}", "version", versionOffset);
        }
        var generation = r.U64("generation");
        var chainIdLength = r.U16("chain_id.length");
        var chainIdOffset = r.Position;
        string chainId;
        try
        {
            chainId = StrictUtf8.GetString(r.Bytes(chainIdLength, "chain_id"));
        }
        catch (DecoderFallbackException e)
        {
            throw new TrustedStateFormatException("not valid UTF-8", "chain_id", chainIdOffset, e);
        }
        var rootOffset = r.Position;
        var trustedHeight = r.I64("trusted_height");
        var trustedHash = r.Bytes(TrustRoot.HashSize, "trusted_hash").ToArray();
        var trustingPeriod = new TimeSpan(r.I64("trusting_period"));
        var numerator = r.U64("trust_threshold.numerator");
        var denominator = r.U64("trust_threshold.denominator");
        var drift = new TimeSpan(r.I64("max_clock_drift"));
        var lag = r.U64("max_block_lag");
        var root = new TrustRoot(chainId, trustedHeight, trustedHash, trustingPeriod, new Fraction(numerator, denominator), drift, lag);
        if (root.Problem() is { } problem)
        {
            throw new TrustedStateFormatException(problem, "trust_root", rootOffset);
        }
        var heightOffset = r.Position;
        var height = r.I64("height");
        var hashOffset = r.Position;
        var hash = r.Bytes(TrustRoot.HashSize, "hash");
        var blockLength = r.U32("light_block.length");
        var blockOffset = r.Position;
        if (blockLength > MaxLightBlockSize)
        {
            throw new TrustedStateFormatException($"light block of {blockLength} bytes exceeds {MaxLightBlockSize}", "light_block.length", blockOffset - 4);
        }
        var blockBytes = r.Bytes((int)blockLength, "light_block");
        if (r.Remaining != 0)
        {
            throw new TrustedStateFormatException($"{r.Remaining} trailing bytes", "end", r.Position);
        }

        LightBlock block;
        try
        {
            block = CometJson.ParseLightBlock(blockBytes);
        }
        catch (CometJsonException e)
        {
            throw new TrustedStateFormatException($"not a light block: {e.Message}", "light_block", blockOffset, e);
        }
        if (!EncodeBlock(block).AsSpan().SequenceEqual(blockBytes))
        {
            throw new TrustedStateFormatException("light block is not in canonical form", "light_block", blockOffset);
        }
        if (block.Height != height)
        {
            throw new TrustedStateFormatException($"light block is at height {block.Height}, the state records {height}", "height", heightOffset);
        }
        var state = new TrustedState(root, generation, block);
        if (!state.Hash.SequenceEqual(hash))
        {
            throw new TrustedStateFormatException($"light block hashes to {Convert.ToHexString(state.Hash)}, the state records {Convert.ToHexString(hash)}", "hash", hashOffset);
        }
        // Generation 0 is the trust root itself; later generations are above it.
        if (generation == 0 ? height != trustedHeight || !hash.SequenceEqual(trustedHash) : height <= trustedHeight)
        {
            throw new TrustedStateFormatException($"generation {generation} at height {height} is inconsistent with the trust root at height {trustedHeight}", "generation", Magic.Length + 1);
        }
        var verdict = Verifier.VerifyStored(block, chainId);
        if (!verdict.IsSuccess)
        {
            throw new TrustedStateFormatException($"light block does not verify: {verdict}", "light_block", blockOffset);
        }
        return state;
    }

    /// <summary>Decodes, or returns false with the reason; never throws for bad input.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, out TrustedState? state, out string error)
    {
        try
        {
            state = Decode(data);
            error = "";
            return true;
        }
        catch (TrustedStateFormatException e)
        {
            state = null;
            error = e.Message;
            return false;
        }
    }

    private static byte[] EncodeBlock(LightBlock block) => CometJson.ToUtf8(w => CometJson.WriteLightBlock(w, block));

    private ref struct Writer(Span<byte> output)
    {
        private readonly Span<byte> _output = output;
        private int _position;

        public void Bytes(ReadOnlySpan<byte> value)
        {
            value.CopyTo(_output[_position..]);
            _position += value.Length;
        }

        public void U8(byte value) => _output[_position++] = value;

        public void U16(ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_output[_position..], value);
            _position += 2;
        }

        public void U32(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_output[_position..], value);
            _position += 4;
        }

        public void U64(ulong value)
        {
            BinaryPrimitives.WriteUInt64BigEndian(_output[_position..], value);
            _position += 8;
        }

        public void I64(long value)
        {
            BinaryPrimitives.WriteInt64BigEndian(_output[_position..], value);
            _position += 8;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public readonly int Remaining => _data.Length - Position;

        public ReadOnlySpan<byte> Bytes(int count, string field)
        {
            if ((uint)count > (uint)(_data.Length - Position))
            {
                throw new TrustedStateFormatException($"needs {count} bytes, {_data.Length - Position} left", field, Position);
            }
            var slice = _data.Slice(Position, count);
            Position += count;
            return slice;
        }

        public byte U8(string field) => Bytes(1, field)[0];

        public ushort U16(string field) => BinaryPrimitives.ReadUInt16BigEndian(Bytes(2, field));

        public uint U32(string field) => BinaryPrimitives.ReadUInt32BigEndian(Bytes(4, field));

        public ulong U64(string field) => BinaryPrimitives.ReadUInt64BigEndian(Bytes(8, field));

        public long I64(string field) => BinaryPrimitives.ReadInt64BigEndian(Bytes(8, field));
    }
}
