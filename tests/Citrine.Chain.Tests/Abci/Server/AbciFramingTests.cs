using System.Buffers;
using Citrine.Chain.Abci.Server;
using Citrine.Chain.Abci.Wire;
using FsCheck.Xunit;
using Google.Protobuf;

namespace Citrine.Chain.Tests.Abci.Server;

public sealed class AbciFramingTests
{
    // Request{echo{message="hello"}}: field 1 (echo) length 7 { field 1 (message) length 5 "hello" }, prefixed by its length 9.
    private static readonly byte[] EchoHelloFrame = [0x09, 0x0a, 0x07, 0x0a, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f];

    [Fact]
    public void ToFrame_writes_the_known_bytes_of_an_echo_request()
    {
        Assert.Equal(EchoHelloFrame, AbciFraming.ToFrame(AbciSamples.Echo("hello")));
    }

    [Fact]
    public void WriteFrame_writes_the_known_bytes_into_a_buffer_writer()
    {
        var writer = new ArrayBufferWriter<byte>();

        AbciFraming.WriteFrame(writer, AbciSamples.Echo("hello"));
        AbciFraming.WriteFrame(writer, new Request { Flush = new RequestFlush() });

        Assert.Equal([.. EchoHelloFrame, 0x02, 0x12, 0x00], writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void ReadFrame_reads_the_known_bytes_of_an_echo_request()
    {
        var request = AbciFraming.ReadFrame([.. EchoHelloFrame, 0xff], Request.Parser, out var consumed);

        Assert.Equal(Request.ValueOneofCase.Echo, request.ValueCase);
        Assert.Equal("hello", request.Echo.Message);
        Assert.Equal(EchoHelloFrame.Length, consumed);
    }

    [Theory]
    [InlineData(0UL, new byte[] { 0x00 })]
    [InlineData(1UL, new byte[] { 0x01 })]
    [InlineData(127UL, new byte[] { 0x7f })]
    [InlineData(128UL, new byte[] { 0x80, 0x01 })]
    [InlineData(300UL, new byte[] { 0xac, 0x02 })]
    [InlineData(104_857_600UL, new byte[] { 0x80, 0x80, 0x80, 0x32 })]
    [InlineData(ulong.MaxValue, new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 })]
    public void WriteUvarint_matches_go_binary_PutUvarint(ulong value, byte[] expected)
    {
        var buffer = new byte[AbciFraming.MaxVarintLength];

        var written = AbciFraming.WriteUvarint(buffer, value);

        Assert.Equal(expected, buffer[..written]);
    }

    [Fact]
    public void An_empty_message_is_a_single_zero_byte_frame()
    {
        Assert.Equal([0x00], AbciFraming.ToFrame(new Request()));
    }

    [Fact]
    public void TryReadFrame_takes_frames_off_the_front_and_leaves_the_rest()
    {
        var buffer = new ReadOnlySequence<byte>([.. EchoHelloFrame, 0x02, 0x12, 0x00, 0x09, 0x0a]);

        Assert.True(AbciFraming.TryReadFrame(ref buffer, isCompleted: false, AbciFraming.DefaultMaxMessageSize, out var first));
        Assert.Equal("hello", AbciFraming.ParseBody(first, Request.Parser).Echo.Message);
        Assert.True(AbciFraming.TryReadFrame(ref buffer, isCompleted: false, AbciFraming.DefaultMaxMessageSize, out var second));
        Assert.Equal(Request.ValueOneofCase.Flush, AbciFraming.ParseBody(second, Request.Parser).ValueCase);
        Assert.False(AbciFraming.TryReadFrame(ref buffer, isCompleted: false, AbciFraming.DefaultMaxMessageSize, out _));
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void TryReadFrame_at_a_clean_end_of_stream_returns_false_without_error()
    {
        var buffer = ReadOnlySequence<byte>.Empty;

        Assert.False(AbciFraming.TryReadFrame(ref buffer, isCompleted: true, AbciFraming.DefaultMaxMessageSize, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xff, 0xff, 0xff })]
    [InlineData(new byte[] { 0x05, 0x0a, 0x03 })]
    public void TryReadFrame_waits_for_more_bytes_while_the_stream_is_open(byte[] partial)
    {
        var buffer = new ReadOnlySequence<byte>(partial);

        Assert.False(AbciFraming.TryReadFrame(ref buffer, isCompleted: false, AbciFraming.DefaultMaxMessageSize, out _));
        Assert.Equal(partial.Length, buffer.Length);
    }

    public static TheoryData<string, byte[], int, AbciFrameError> FrameErrors => new()
    {
        { "stream ends inside the length prefix", [0x80], 100, AbciFrameError.TruncatedLength },
        { "stream ends after nine continuation bytes", [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 100, AbciFrameError.TruncatedLength },
        { "tenth varint byte above 1", [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], 100, AbciFrameError.LengthOverflow },
        { "varint longer than ten bytes", [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 100, AbciFrameError.LengthOverflow },
        { "length one over the limit", [0x65], 100, AbciFrameError.MessageTooLarge },
        { "length one over CometBFT's 100 MiB", [0x81, 0x80, 0x80, 0x32], AbciFraming.DefaultMaxMessageSize, AbciFrameError.MessageTooLarge },
        { "stream ends inside the body", [0x05, 0x0a, 0x03], 100, AbciFrameError.TruncatedBody },
        { "stream ends before the body", [0x01], 100, AbciFrameError.TruncatedBody },
        { "body is a length-delimited field cut short", [0x02, 0x0a, 0x05], 100, AbciFrameError.InvalidProtobuf },
        { "body has an invalid wire type", [0x01, 0x0f], 100, AbciFrameError.InvalidProtobuf },
    };

    [Theory]
    [MemberData(nameof(FrameErrors))]
    public void A_malformed_frame_fails_with_its_own_reason(string description, byte[] bytes, int maxMessageSize, AbciFrameError expected)
    {
        var error = Assert.Throws<AbciFrameException>(() => ReadOne(bytes, maxMessageSize));

        Assert.True(expected == error.Error, $"{description}: expected {expected}, got {error.Error} ({error.Message})");
    }

    [Fact]
    public void Every_frame_error_has_a_case()
    {
        var covered = FrameErrors.Select(row => (AbciFrameError)row[3]).ToHashSet();

        Assert.Equal(Enum.GetValues<AbciFrameError>().ToHashSet(), covered);
    }

    [Fact]
    public void The_overflow_of_a_ten_byte_prefix_is_detected_before_the_stream_ends()
    {
        var buffer = new ReadOnlySequence<byte>([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]);

        var error = Assert.Throws<AbciFrameException>(() => AbciFraming.TryReadFrame(ref buffer, isCompleted: false, 100, out _));

        Assert.Equal(AbciFrameError.LengthOverflow, error.Error);
    }

    [Fact]
    public void A_length_over_the_limit_is_refused_before_its_body_arrives()
    {
        var buffer = new ReadOnlySequence<byte>([0x81, 0x80, 0x80, 0x32]);

        var error = Assert.Throws<AbciFrameException>(() => AbciFraming.TryReadFrame(ref buffer, isCompleted: false, AbciFraming.DefaultMaxMessageSize, out _));

        Assert.Equal(AbciFrameError.MessageTooLarge, error.Error);
        Assert.Equal(104_857_601, error.DeclaredLength);
    }

    [Fact]
    public void A_length_exactly_at_the_limit_is_accepted()
    {
        var frame = AbciFraming.ToFrame(AbciSamples.CheckTx(new string('x', 90)));
        var limit = frame.Length - 1;
        var buffer = new ReadOnlySequence<byte>(frame);

        Assert.True(AbciFraming.TryReadFrame(ref buffer, isCompleted: true, limit, out var body));
        Assert.Equal(limit, body.Length);
    }

    [Property(MaxTest = 200)]
    public bool Frames_round_trip_whatever_the_chunking(string[] messages, byte[][] txs, byte chunk)
    {
        var requests = (messages ?? []).Select(m => AbciSamples.Echo(WellFormed(m)))
            .Concat((txs ?? []).Select(t => new Request { CheckTx = new RequestCheckTx { Tx = ByteString.CopyFrom(t ?? []) } }))
            .ToList();
        var writer = new ArrayBufferWriter<byte>();
        foreach (var request in requests)
        {
            AbciFraming.WriteFrame(writer, request);
        }
        var stream = writer.WrittenSpan.ToArray();

        // Feed the stream as an open reader sees it: a growing prefix, chunk by chunk.
        var step = chunk % 17 + 1;
        var decoded = new List<Request>();
        var consumed = 0;
        for (var end = Math.Min(step, stream.Length); ; end = Math.Min(end + step, stream.Length))
        {
            var completed = end == stream.Length;
            var buffer = new ReadOnlySequence<byte>(stream, consumed, end - consumed);
            while (AbciFraming.TryReadFrame(ref buffer, completed, AbciFraming.DefaultMaxMessageSize, out var body))
            {
                decoded.Add(AbciFraming.ParseBody(body, Request.Parser));
            }
            consumed = end - (int)buffer.Length;
            if (completed)
            {
                break;
            }
        }
        return consumed == stream.Length && decoded.SequenceEqual(requests);
    }

    // Protobuf strings are UTF-8: a lone surrogate cannot survive the round trip, whatever the framing.
    private static string WellFormed(string? text) => new((text ?? "").Where(c => !char.IsSurrogate(c)).ToArray());

    private static void ReadOne(byte[] bytes, int maxMessageSize)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        if (AbciFraming.TryReadFrame(ref buffer, isCompleted: true, maxMessageSize, out var body))
        {
            AbciFraming.ParseBody(body, Request.Parser);
        }
    }
}
