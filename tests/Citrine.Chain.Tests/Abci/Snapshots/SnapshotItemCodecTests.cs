using Citrine.Chain.Abci.Snapshots;
using Citrine.Store.Snapshots;
using FsCheck.Xunit;
using static Citrine.Chain.Tests.Abci.Snapshots.SnapshotFixture;

namespace Citrine.Chain.Tests.Abci.Snapshots;

public sealed class SnapshotItemCodecTests
{
    private static byte[] Encode(IEnumerable<SnapshotItem> items)
    {
        using var output = new MemoryStream();
        SnapshotItemCodec.Write(items, output);
        return output.ToArray();
    }

    private static List<SnapshotItem> Decode(byte[] bytes) => [.. SnapshotItemCodec.Read(new MemoryStream(bytes))];

    [Fact]
    public void Encoding_is_tag_then_varint_fields_as_documented()
    {
        var bytes = Encode([new SnapshotStoreItem("ab"), new SnapshotNodeItem(B("k"), B("vv"), 300, 0), new SnapshotNodeItem(B("k"), null, 2, 1)]);
        Assert.Equal(
            "010261620200ac02016b027676" + "020102016b" + "00",
            Convert.ToHexStringLower(bytes));
    }

    [Property(MaxTest = 200)]
    public bool Decode_inverts_encode(string[] names, byte[][] keys, long[] versions)
    {
        var items = new List<SnapshotItem>();
        for (var i = 0; i < Math.Min(keys.Length, versions.Length); i++)
        {
            var height = i % 3;
            items.Add(new SnapshotNodeItem(keys[i] ?? [], height == 0 ? keys[i] ?? [1] : null, Math.Abs(versions[i] % long.MaxValue), height));
        }
        foreach (var name in names.Where(n => n is not null && !n.Any(char.IsSurrogate)))
        {
            items.Add(new SnapshotStoreItem(name));
        }
        var decoded = Decode(Encode(items));
        return decoded.Count == items.Count && decoded.Zip(items).All(p => Same(p.First, p.Second));
    }

    [Theory]
    [InlineData("", "the stream ends without the end marker")]
    [InlineData("010261", "run past the end")]
    [InlineData("01026162", "ends without the end marker")]
    [InlineData("03", "unknown item tag 0x03")]
    [InlineData("0000", "bytes follow the end marker")]
    [InlineData("0200ac02016b0276", "run past the end")]
    [InlineData("02ffffffffffffffffff01", "height")]
    [InlineData("0101ff00", "not UTF-8")]
    public void Decode_refuses_malformed_streams_with_the_offset_and_field(string hex, string detail)
    {
        var bytes = Convert.FromHexString(hex);
        var ex = Assert.Throws<InvalidDataException>(() => Decode(bytes));
        Assert.Contains("offset", ex.Message, StringComparison.Ordinal);
        Assert.Contains(detail, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_refuses_a_length_over_the_limit_before_allocating()
    {
        var ex = Assert.Throws<InvalidDataException>(() => Decode(Convert.FromHexString("0200" + "01" + "ffffffff0f")));
        Assert.Contains("key length", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_valid_stream_is_refused()
    {
        var bytes = Encode([new SnapshotStoreItem("acc"), new SnapshotNodeItem(B("key"), B("value"), 5, 0), new SnapshotNodeItem(B("key"), null, 5, 1)]);
        for (var n = 0; n < bytes.Length; n++)
        {
            Assert.Throws<InvalidDataException>(() => Decode(bytes[..n]));
        }
    }

    private static bool Same(SnapshotItem a, SnapshotItem b) => (a, b) switch
    {
        (SnapshotStoreItem x, SnapshotStoreItem y) => x.Name == y.Name,
        (SnapshotNodeItem x, SnapshotNodeItem y) => x.Key.AsSpan().SequenceEqual(y.Key) && x.Version == y.Version && x.Height == y.Height
            && (x.Value is null ? y.Value is null : y.Value is not null && x.Value.AsSpan().SequenceEqual(y.Value)),
        _ => false,
    };
}

public sealed class SnapshotStreamTamperTests
{
    [Fact]
    public void Every_one_bit_flip_of_a_snapshot_stream_is_refused_at_import_and_leaves_the_store_empty()
    {
        var source = SnapshotFixture.NewStore();
        SnapshotFixture.Fill(source, 3, keysPerVersion: 3);
        byte[] bytes;
        using (var export = source.Export(3))
        using (var output = new MemoryStream())
        {
            SnapshotItemCodec.Write(export.Items(), output);
            bytes = output.ToArray();
        }
        var appHash = source.LastAppHash;
        var reasons = new HashSet<ImportError>();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bit = 1 << (i % 8);
            bytes[i] ^= (byte)bit;
            var target = SnapshotFixture.NewStore();
            var ex = Assert.Throws<SnapshotImportException>(() => target.Import(3, SnapshotItemCodec.Read(new MemoryStream(bytes)), appHash));
            reasons.Add(ex.Reason);
            Assert.Equal(0, target.LatestVersion);
            bytes[i] ^= (byte)bit;
        }
        Assert.Contains(ImportError.AppHashMismatch, reasons);
        Assert.Contains(ImportError.Malformed, reasons);
        Assert.Equal(appHash, SnapshotFixture.NewStore().Import(3, SnapshotItemCodec.Read(new MemoryStream(bytes)), appHash).AppHash);
    }
}
