using System.Buffers;
using Google.Protobuf;

namespace Citrine.Chain.Abci.Server;

/// <summary>
/// The socket protocol's framing (CometBFT libs/protoio): each message is its length as an
/// unsigned varint (Go <c>binary.PutUvarint</c>) followed by that many protobuf bytes.
/// </summary>
public static class AbciFraming
{
    /// <summary>CometBFT's <c>maxMsgSize</c> for the ABCI socket (abci/server/socket_server.go): 100 MiB.</summary>
    public const int DefaultMaxMessageSize = 104_857_600;

    /// <summary>The longest unsigned varint of a 64-bit value (Go <c>binary.MaxVarintLen64</c>).</summary>
    public const int MaxVarintLength = 10;

    /// <summary>Appends <paramref name="message"/> as one frame.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        var size = message.CalculateSize();
        var prefix = writer.GetSpan(MaxVarintLength);
        writer.Advance(WriteUvarint(prefix, (ulong)size));
        if (size > 0)
        {
            message.WriteTo(writer);
        }
    }

    /// <summary>One frame as a new array.</summary>
    public static byte[] ToFrame(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var size = message.CalculateSize();
        Span<byte> prefix = stackalloc byte[MaxVarintLength];
        var prefixLength = WriteUvarint(prefix, (ulong)size);
        var frame = new byte[prefixLength + size];
        prefix[..prefixLength].CopyTo(frame);
        message.WriteTo(frame.AsSpan(prefixLength));
        return frame;
    }

    /// <summary>Writes <paramref name="value"/> as Go's <c>binary.PutUvarint</c> does; returns the bytes written (at most 10).</summary>
    public static int WriteUvarint(Span<byte> destination, ulong value) => Citrine.Crypto.Encoding.Protobuf.Varint.WriteUnsigned(destination, value);

    /// <summary>
    /// Takes the next frame off the front of <paramref name="buffer"/>.
    /// Returns true with its body (a slice of the buffer) and <paramref name="buffer"/> advanced past it;
    /// false, with <paramref name="buffer"/> unchanged, when more bytes are needed or when the stream ended
    /// cleanly between frames (<paramref name="isCompleted"/> with an empty buffer). With
    /// <paramref name="isCompleted"/> no more bytes will come, so a partial frame is an error, not a wait.
    /// </summary>
    /// <exception cref="AbciFrameException">the bytes cannot be a frame; <see cref="AbciFrameException.Error"/> says why.</exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, bool isCompleted, int maxMessageSize, out ReadOnlySequence<byte> body)
    {
        body = default;
        if (buffer.IsEmpty)
        {
            return false;
        }

        // Go binary.Uvarint: more than 10 bytes, or a 10th byte above 1, overflows 64 bits.
        ulong length = 0;
        var prefixLength = 0;
        var reader = new SequenceReader<byte>(buffer);
        while (true)
        {
            if (!reader.TryRead(out var b))
            {
                if (isCompleted)
                {
                    throw new AbciFrameException(AbciFrameError.TruncatedLength, $"the stream ended inside a length prefix after {prefixLength} byte(s)");
                }
                return false;
            }
            if (prefixLength == MaxVarintLength - 1 && b > 1)
            {
                throw new AbciFrameException(AbciFrameError.LengthOverflow, "the length prefix overflows 64 bits (10th byte above 1, or more than 10 bytes)");
            }
            length |= (ulong)(b & 0x7F) << (7 * prefixLength);
            prefixLength++;
            if (b < 0x80)
            {
                break;
            }
        }

        if (length > (ulong)maxMessageSize)
        {
            throw new AbciFrameException(AbciFrameError.MessageTooLarge, $"the frame declares {length} bytes, over the limit of {maxMessageSize}", (long)Math.Min(length, long.MaxValue));
        }
        var available = buffer.Length - prefixLength;
        if (available < (long)length)
        {
            if (isCompleted)
            {
                throw new AbciFrameException(AbciFrameError.TruncatedBody, $"the stream ended after {available} of the frame's {length} bytes", (long)length);
            }
            return false;
        }
        body = buffer.Slice(prefixLength, (long)length);
        buffer = buffer.Slice(body.End);
        return true;
    }

    /// <summary>Parses a frame body, turning a protobuf failure into <see cref="AbciFrameError.InvalidProtobuf"/>.</summary>
    public static T ParseBody<T>(in ReadOnlySequence<byte> body, MessageParser<T> parser)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        try
        {
            return parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new AbciFrameException(AbciFrameError.InvalidProtobuf, $"the {body.Length}-byte frame body is not a valid {typeof(T).Name}: {e.Message}", body.Length, e);
        }
    }

    /// <summary>Reads exactly one frame from <paramref name="frame"/>; trailing bytes are left to the caller through <paramref name="consumed"/>.</summary>
    /// <exception cref="AbciFrameException">the bytes are not a complete, valid frame.</exception>
    public static T ReadFrame<T>(ReadOnlySpan<byte> frame, MessageParser<T> parser, out int consumed, int maxMessageSize = DefaultMaxMessageSize)
        where T : IMessage<T>
    {
        // A copy: ReadOnlySequence cannot wrap a span. This is the convenience path (tests, tools).
        var buffer = new ReadOnlySequence<byte>(frame.ToArray());
        if (!TryReadFrame(ref buffer, isCompleted: true, maxMessageSize, out var body))
        {
            throw new AbciFrameException(AbciFrameError.TruncatedLength, "there are no bytes");
        }
        consumed = (int)(frame.Length - buffer.Length);
        return ParseBody(body, parser);
    }
}

/// <summary>Why bytes on an ABCI socket are not a frame. Each is fatal for the connection it arrived on.</summary>
public enum AbciFrameError
{
    /// <summary>The stream ended inside the varint length prefix.</summary>
    TruncatedLength = 1,

    /// <summary>The varint is longer than 10 bytes or its value overflows 64 bits.</summary>
    LengthOverflow,

    /// <summary>The declared length is over the reader's maximum message size.</summary>
    MessageTooLarge,

    /// <summary>The stream ended before the declared number of body bytes.</summary>
    TruncatedBody,

    /// <summary>The body is not a valid protobuf message of the expected type.</summary>
    InvalidProtobuf,
}

/// <summary>Bytes that are not an ABCI frame; <see cref="Error"/> says which check failed.</summary>
public sealed class AbciFrameException : IOException
{
    public AbciFrameException()
    {
    }

    public AbciFrameException(string message)
        : base(message)
    {
    }

    public AbciFrameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AbciFrameException(AbciFrameError error, string detail, long? declaredLength = null, Exception? innerException = null)
        : base($"ABCI frame error {error}: {detail}", innerException)
    {
        Error = error;
        DeclaredLength = declaredLength;
    }

    public AbciFrameError Error { get; }

    /// <summary>The length the frame's prefix declared, when it was read.</summary>
    public long? DeclaredLength { get; }
}
