using System.Buffers.Binary;
using System.Text.Json;
using Citrine.Chain.Contracts;

namespace Citrine.Samples.Counter;

/// <summary>
/// A sample contract: a counter owned by its instantiator that also keeps the devnet tokens sent
/// to it. Messages are JSON:
/// instantiate <c>{"count":N}</c>; execute <c>{"increment":{}}</c> (anyone; attached funds are
/// recorded as a deposit) or <c>{"reset":{"count":N}}</c> (owner only); query <c>{"get_count":{}}</c>
/// → <c>{"count":N,"deposited":M,"owner":"hex"}</c>.
/// State keys: <c>count</c> and <c>deposited</c> (8-byte big-endian), <c>owner</c> (address bytes).
/// </summary>
public sealed class CounterContract : IContract
{
    public void Instantiate(IContractContext context, byte[] message)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var document = Parse(message);
        var count = document.RootElement.TryGetProperty("count", out var value) ? value.GetUInt64() : 0;
        context.Write("owner"u8, context.Sender);
        WriteNumber(context, "count"u8, count);
        WriteNumber(context, "deposited"u8, context.Funds);
        context.Emit("action", "instantiate");
        context.Emit("count", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public byte[] Execute(IContractContext context, byte[] message)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var document = Parse(message);
        var root = document.RootElement;
        ulong count;
        if (root.TryGetProperty("increment", out _))
        {
            count = checked(ReadNumber(context, "count"u8) + 1);
            context.Emit("action", "increment");
        }
        else if (root.TryGetProperty("reset", out var reset))
        {
            if (!context.Sender.AsSpan().SequenceEqual(context.Read("owner"u8)))
            {
                throw new InvalidOperationException("only the owner may reset the counter");
            }
            count = reset.GetProperty("count").GetUInt64();
            context.Emit("action", "reset");
        }
        else
        {
            throw new ArgumentException("expected {\"increment\":{}} or {\"reset\":{\"count\":N}}", nameof(message));
        }
        WriteNumber(context, "count"u8, count);
        if (context.Funds > 0)
        {
            WriteNumber(context, "deposited"u8, checked(ReadNumber(context, "deposited"u8) + context.Funds));
            context.Emit("deposit", context.Funds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        context.Emit("count", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Json(w => w.WriteNumber("count", count));
    }

    public byte[] Query(IContractQueryContext context, byte[] message)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var document = Parse(message);
        if (!document.RootElement.TryGetProperty("get_count", out _))
        {
            throw new ArgumentException("expected {\"get_count\":{}}", nameof(message));
        }
        return Json(w =>
        {
            w.WriteNumber("count", ReadNumber(context, "count"u8));
            w.WriteNumber("deposited", ReadNumber(context, "deposited"u8));
            w.WriteString("owner", Convert.ToHexStringLower(context.Read("owner"u8) ?? []));
        });
    }

    private static JsonDocument Parse(byte[] message)
    {
        var document = JsonDocument.Parse(message);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new ArgumentException("a message is a JSON object", nameof(message));
        }
        return document;
    }

    private static ulong ReadNumber(IContractQueryContext context, ReadOnlySpan<byte> key) =>
        context.Read(key) is { Length: 8 } bytes ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : 0;

    private static void WriteNumber(IContractContext context, ReadOnlySpan<byte> key, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        context.Write(key, bytes);
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
