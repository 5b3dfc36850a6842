using System.Buffers.Binary;
using Citrine.Enclave.LightClient;
using FsCheck;
using FsCheck.Xunit;

namespace Citrine.Enclave.Tests.LightClient;

public sealed class TrustedStateCodecTests
{
    // One in-memory devnet for the class (FsCheck properties take no class fixture): the
    // properties run many cases over the same encodings, and nothing here writes to it.
    private static readonly Lazy<Chain> Shared = new(() => new Chain());

    private readonly Chain _fixture = Shared.Value;

    private sealed class Chain
    {
        public Chain()
        {
            Devnet.Produce(4);
            Genesis = Devnet.State(2);
            Advanced = Genesis.AdvanceTo(Devnet.Block(4));
            Encoded = TrustedStateCodec.Encode(Advanced);
        }

        public Devnet Devnet { get; } = new();
        public TrustedState Genesis { get; }
        public TrustedState Advanced { get; }
        public byte[] Encoded { get; }
    }

    private static TrustedStateFormatException Refused(byte[] data) => Assert.Throws<TrustedStateFormatException>(() => TrustedStateCodec.Decode(data));

    [Fact]
    public void Decode_of_encode_is_the_same_state()
    {
        foreach (var state in new[] { _fixture.Genesis, _fixture.Advanced })
        {
            var encoded = TrustedStateCodec.Encode(state);
            var decoded = TrustedStateCodec.Decode(encoded);
            Assert.Equal(state.Generation, decoded.Generation);
            Assert.Equal(state.Height, decoded.Height);
            Assert.Equal(state.Hash.ToArray(), decoded.Hash.ToArray());
            Assert.Equal(state.Root.TrustedHash.ToArray(), decoded.Root.TrustedHash.ToArray());
            Assert.Equal(state.Root with { TrustedHash = default }, decoded.Root with { TrustedHash = default });
            Assert.Equal(encoded, TrustedStateCodec.Encode(decoded));
        }
    }

    [Fact]
    public void Decode_refuses_trailing_bytes() =>
        Assert.Equal("end", Refused([.. _fixture.Encoded, 0]).Field);

    [Fact]
    public void Decode_refuses_an_unknown_version()
    {
        var data = (byte[])_fixture.Encoded.Clone();
        data[4] = 2;
        Assert.Equal("version", Refused(data).Field);
    }

    [Fact]
    public void Decode_refuses_another_magic()
    {
        var data = (byte[])_fixture.Encoded.Clone();
        data[0] ^= 1;
        Assert.Equal("magic", Refused(data).Field);
    }

    [Fact]
    public void Decode_refuses_every_truncation()
    {
        for (var length = 0; length < _fixture.Encoded.Length; length += length < 200 ? 1 : 97)
        {
            Refused(_fixture.Encoded[..length]);
        }
    }

    [Fact]
    public void Decode_refuses_a_generation_zero_state_above_its_trust_root()
    {
        var data = (byte[])_fixture.Encoded.Clone();
        BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(5), 0);
        Assert.Equal("generation", Refused(data).Field);
    }

    [Fact]
    public void Decode_refuses_a_recorded_height_that_is_not_the_blocks()
    {
        var data = (byte[])_fixture.Encoded.Clone();
        var heightOffset = HeightOffset(_fixture.Advanced);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(heightOffset), 3);
        Assert.Equal("height", Refused(data).Field);
    }

    [Fact]
    public void Decode_refuses_a_recorded_hash_that_is_not_the_blocks()
    {
        var data = (byte[])_fixture.Encoded.Clone();
        data[HeightOffset(_fixture.Advanced) + 8] ^= 0x80;
        Assert.Equal("hash", Refused(data).Field);
    }

    [Fact]
    public void TryDecode_reports_garbage_without_throwing()
    {
        Assert.False(TrustedStateCodec.TryDecode([1, 2, 3], out var state, out var error));
        Assert.Null(state);
        Assert.Contains("magic", error, StringComparison.Ordinal);
    }

    /// <summary>Every single-byte change is refused, or decodes to a state that encodes differently; nothing else escapes.</summary>
    [Property(MaxTest = 300)]
    public void Every_single_byte_mutation_is_refused_or_decodes_to_another_state(NonNegativeInt position, byte flip)
    {
        var data = (byte[])_fixture.Encoded.Clone();
        var at = position.Get % data.Length;
        data[at] ^= flip == 0 ? (byte)1 : flip;
        if (TrustedStateCodec.TryDecode(data, out var state, out _))
        {
            Assert.NotEqual(_fixture.Encoded, TrustedStateCodec.Encode(state!));
        }
    }

    [Property(MaxTest = 50)]
    public void Round_trip_holds_for_any_generation_and_lag(PositiveInt generation, PositiveInt lag)
    {
        var root = _fixture.Advanced.Root with { MaxBlockLag = (ulong)lag.Get };
        var state = new TrustedState(root, (ulong)generation.Get, _fixture.Devnet.Block(4));
        var decoded = TrustedStateCodec.Decode(TrustedStateCodec.Encode(state));
        Assert.Equal((ulong)generation.Get, decoded.Generation);
        Assert.Equal((ulong)lag.Get, decoded.Root.MaxBlockLag);
    }

    private static int HeightOffset(TrustedState state) =>
        4 + 1 + 8 + 2 + System.Text.Encoding.UTF8.GetByteCount(state.ChainId) + 8 + 32 + 8 + 8 + 8 + 8 + 8;
}
