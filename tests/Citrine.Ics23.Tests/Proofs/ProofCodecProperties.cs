using System.Text;
using Citrine.Ics23.Proofs;
using FsCheck.Xunit;

namespace Citrine.Ics23.Tests.Proofs;

/// <summary>Encode/decode round trips of CommitmentProofs of every kind, built from FsCheck-generated entropy.</summary>
public sealed class ProofCodecProperties
{
    [Property(MaxTest = 300)]
    public bool CommitmentProof_survives_encode_then_decode(byte[] entropy)
    {
        var proof = new ProofBuilder(entropy ?? []).Commitment();
        var bytes = ProofCodec.Encode(proof);
        var decoded = ProofCodec.DecodeCommitmentProof(bytes);
        return Render(decoded) == Render(proof) && ProofCodec.Encode(decoded).AsSpan().SequenceEqual(bytes);
    }

    [Property(MaxTest = 100)]
    public bool ProofSpec_survives_encode_then_decode(byte[] entropy)
    {
        var b = new ProofBuilder(entropy ?? []);
        var spec = new ProofSpec
        {
            LeafSpec = b.Leaf(),
            InnerSpec = new InnerSpec
            {
                ChildOrder = [.. Enumerable.Range(0, b.Next() % 4).Select(_ => b.Next() - 100)],
                ChildSize = b.Next(),
                MinPrefixLength = b.Next(),
                MaxPrefixLength = -b.Next(),
                EmptyChild = b.Bytes(),
                Hash = (HashOp)(b.Next() % 10),
            },
            MaxDepth = b.Next(),
            MinDepth = b.Next(),
            PrehashKeyBeforeComparison = b.Next() % 2 == 0,
        };
        var decoded = ProofCodec.DecodeProofSpec(ProofCodec.Encode(spec));
        return Render(decoded) == Render(spec);
    }

    [Fact]
    public void Decoder_accepts_unpacked_repeated_child_order()
    {
        // InnerSpec { child_order: 0 (unpacked), child_order: 1 (unpacked), child_size: 32 } inside ProofSpec.inner_spec
        byte[] inner = [0x08, 0x00, 0x08, 0x01, 0x10, 0x20];
        byte[] spec = [0x12, (byte)inner.Length, .. inner];
        var decoded = ProofCodec.DecodeProofSpec(spec);
        Assert.Equal([0, 1], decoded.InnerSpec!.ChildOrder);
        Assert.Equal(32, decoded.InnerSpec.ChildSize);
    }

    [Fact]
    public void Decoder_skips_unknown_fields()
    {
        // ExistenceProof { key: "k", 15: varint 7, 16: bytes "xy", value: "v" }
        byte[] data = [0x0a, 0x01, (byte)'k', 0x78, 0x07, 0x82, 0x01, 0x02, (byte)'x', (byte)'y', 0x12, 0x01, (byte)'v'];
        var p = ProofCodec.DecodeExistenceProof(data);
        Assert.Equal("k"u8.ToArray(), p.Key.ToArray());
        Assert.Equal("v"u8.ToArray(), p.Value.ToArray());
    }

    [Theory]
    [InlineData("0a", "CommitmentProof.exist", 1)] // length missing
    [InlineData("0a05", "CommitmentProof.exist", 1)] // length beyond the end
    [InlineData("0a011a", "ExistenceProof.leaf", 3)] // nested length missing
    [InlineData("0b", "CommitmentProof.tag", 0)] // group wire type
    [InlineData("00", "CommitmentProof.tag", 0)] // field number 0
    [InlineData("0800", "CommitmentProof.exist", 1)] // exist as varint
    [InlineData("0a001200", "CommitmentProof.nonexist", 3)] // two oneof members
    [InlineData("0a041a001a00", "ExistenceProof.leaf", 5)] // duplicate leaf
    [InlineData("0affffffffffffffffffff01", "CommitmentProof.exist", 1)] // varint overflow
    public void Decoder_rejects_malformed_input_naming_field_and_offset(string hex, string field, int offset)
    {
        var e = Assert.Throws<Ics23FormatException>(() => ProofCodec.DecodeCommitmentProof(Convert.FromHexString(hex)));
        Assert.Equal(field, e.Field);
        Assert.Equal(offset, e.Offset);
        Assert.False(ProofCodec.TryDecodeCommitmentProof(Convert.FromHexString(hex), out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Encoder_writes_negative_int32_as_ten_byte_varint()
    {
        var bytes = ProofCodec.Encode(new ProofSpec { MaxDepth = -1 });
        Assert.Equal("18ffffffffffffffffff01", Convert.ToHexString(bytes).ToLowerInvariant());
        Assert.Equal(-1, ProofCodec.DecodeProofSpec(bytes).MaxDepth);
    }

    /// <summary>A codec-independent rendering of every field, so a field both sides drop still shows.</summary>
    internal static string Render(object? o)
    {
        var sb = new StringBuilder();
        Append(sb, o);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, object? o)
    {
        switch (o)
        {
            case null:
                sb.Append("null");
                break;
            case ReadOnlyMemory<byte> m:
                sb.Append(Convert.ToHexString(m.Span));
                break;
            case string or int or bool or Enum:
                sb.Append(o);
                break;
            case System.Collections.IEnumerable list:
                sb.Append('[');
                foreach (var item in list)
                {
                    Append(sb, item);
                    sb.Append(',');
                }
                sb.Append(']');
                break;
            default:
                sb.Append(o.GetType().Name).Append('{');
                foreach (var p in o.GetType().GetProperties().Where(p => p.Name != "EqualityContract").OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    sb.Append(p.Name).Append('=');
                    Append(sb, p.GetValue(o));
                    sb.Append(';');
                }
                sb.Append('}');
                break;
        }
    }

    /// <summary>Builds proofs from a byte stream (zeros once exhausted), so FsCheck can generate and shrink them.</summary>
    internal sealed class ProofBuilder(byte[] entropy)
    {
        private int _position;

        public int Next() => _position < entropy.Length ? entropy[_position++] : 0;

        public byte[] Bytes()
        {
            var n = Next() % 40;
            return [.. Enumerable.Range(0, n).Select(_ => (byte)Next())];
        }

        public LeafOp Leaf() => new()
        {
            Hash = (HashOp)(Next() % 10),
            PrehashKey = (HashOp)(Next() % 10),
            PrehashValue = (HashOp)(Next() % 10),
            Length = (LengthOp)(Next() % 9),
            Prefix = Bytes(),
        };

        public InnerOp Inner() => new() { Hash = (HashOp)(Next() % 10), Prefix = Bytes(), Suffix = Bytes() };

        public ExistenceProof Existence() => new()
        {
            Key = Bytes(),
            Value = Bytes(),
            Leaf = Next() % 5 == 0 ? null : Leaf(),
            Path = [.. Enumerable.Range(0, Next() % 6).Select(_ => Inner())],
        };

        public NonExistenceProof NonExistence() => new()
        {
            Key = Bytes(),
            Left = Next() % 3 == 0 ? null : Existence(),
            Right = Next() % 3 == 0 ? null : Existence(),
        };

        public CompressedExistenceProof CompressedExistence() => new()
        {
            Key = Bytes(),
            Value = Bytes(),
            Leaf = Next() % 5 == 0 ? null : Leaf(),
            Path = [.. Enumerable.Range(0, Next() % 6).Select(_ => Next() - 20)],
        };

        public CommitmentProof Commitment() => (Next() % 5) switch
        {
            0 => new CommitmentProof { Exist = Existence() },
            1 => new CommitmentProof { Nonexist = NonExistence() },
            2 => new CommitmentProof
            {
                Batch = new BatchProof
                {
                    Entries = [.. Enumerable.Range(0, Next() % 4).Select(_ => Next() % 2 == 0 ? new BatchEntry { Exist = Existence() } : new BatchEntry { Nonexist = NonExistence() })],
                },
            },
            3 => new CommitmentProof
            {
                Compressed = new CompressedBatchProof
                {
                    Entries = [.. Enumerable.Range(0, Next() % 4).Select(_ => Next() % 2 == 0
                        ? new CompressedBatchEntry { Exist = CompressedExistence() }
                        : new CompressedBatchEntry { Nonexist = new CompressedNonExistenceProof { Key = Bytes(), Left = Next() % 3 == 0 ? null : CompressedExistence(), Right = CompressedExistence() } })],
                    LookupInners = [.. Enumerable.Range(0, Next() % 4).Select(_ => Inner())],
                },
            },
            _ => new CommitmentProof(),
        };
    }
}
