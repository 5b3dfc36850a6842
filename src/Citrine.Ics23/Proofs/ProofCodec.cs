using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.Ics23.Proofs;

/// <summary>
/// Protobuf codec for the <c>cosmos.ics23.v1</c> messages. Field numbers follow the ICS23 proto
/// definition (CommitmentProof: exist=1, nonexist=2, batch=3, compressed=4; ExistenceProof: key=1,
/// value=2, leaf=3, path=4; ...). Unknown fields are skipped as protobuf requires; a singular
/// embedded message that appears twice is rejected instead of merged, since no honest encoder
/// writes one and merging would let two different proofs hide in one encoding.
/// </summary>
public static class ProofCodec
{
    // The shared wire reader raises ProtoFormatException; callers of this library see
    // Ics23FormatException (same field and offset) and nothing else.
    public static CommitmentProof DecodeCommitmentProof(ReadOnlySpan<byte> data)
    {
        try
        {
            return ReadCommitmentProof(data, 0);
        }
        catch (ProtoFormatException e)
        {
            throw Ics23FormatException.From(e);
        }
    }

    public static bool TryDecodeCommitmentProof(ReadOnlySpan<byte> data, out CommitmentProof? proof, out Ics23FormatException? error)
    {
        try
        {
            proof = DecodeCommitmentProof(data);
            error = null;
            return true;
        }
        catch (Ics23FormatException e)
        {
            proof = null;
            error = e;
            return false;
        }
    }

    public static ExistenceProof DecodeExistenceProof(ReadOnlySpan<byte> data)
    {
        try
        {
            return ReadExistenceProof(data, 0);
        }
        catch (ProtoFormatException e)
        {
            throw Ics23FormatException.From(e);
        }
    }

    public static NonExistenceProof DecodeNonExistenceProof(ReadOnlySpan<byte> data)
    {
        try
        {
            return ReadNonExistenceProof(data, 0);
        }
        catch (ProtoFormatException e)
        {
            throw Ics23FormatException.From(e);
        }
    }

    public static ProofSpec DecodeProofSpec(ReadOnlySpan<byte> data)
    {
        try
        {
            return ReadProofSpec(data, 0);
        }
        catch (ProtoFormatException e)
        {
            throw Ics23FormatException.From(e);
        }
    }

    public static LeafOp DecodeLeafOp(ReadOnlySpan<byte> data)
    {
        try
        {
            return ReadLeafOp(data, 0);
        }
        catch (ProtoFormatException e)
        {
            throw Ics23FormatException.From(e);
        }
    }

    public static InnerOp DecodeInnerOp(ReadOnlySpan<byte> data)
    {
        try
        {
            return ReadInnerOp(data, 0);
        }
        catch (ProtoFormatException e)
        {
            throw Ics23FormatException.From(e);
        }
    }

    public static byte[] Encode(CommitmentProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var w = new ProtoWriter();
        WriteCommitmentProof(w, proof);
        return w.ToArray();
    }

    public static byte[] Encode(ExistenceProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var w = new ProtoWriter();
        WriteExistenceProof(w, proof);
        return w.ToArray();
    }

    public static byte[] Encode(NonExistenceProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var w = new ProtoWriter();
        WriteNonExistenceProof(w, proof);
        return w.ToArray();
    }

    public static byte[] Encode(ProofSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var w = new ProtoWriter();
        WriteProofSpec(w, spec);
        return w.ToArray();
    }

    public static byte[] Encode(LeafOp op)
    {
        ArgumentNullException.ThrowIfNull(op);
        var w = new ProtoWriter();
        WriteLeafOp(w, op);
        return w.ToArray();
    }

    public static byte[] Encode(InnerOp op)
    {
        ArgumentNullException.ThrowIfNull(op);
        var w = new ProtoWriter();
        WriteInnerOp(w, op);
        return w.ToArray();
    }

    // ---- decoding ----

    internal static CommitmentProof ReadCommitmentProof(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(CommitmentProof), offset);
        CommitmentProof? result = null;
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            var name = field switch { 1 => "exist", 2 => "nonexist", 3 => "batch", 4 => "compressed", _ => "unknown" };
            if (field is < 1 or > 4)
            {
                r.Skip(type, name);
                continue;
            }
            r.Expect(type, WireType.LengthDelimited, name);
            var start = r.Offset;
            var body = r.ReadLengthDelimited(name, out var at);
            if (result is not null)
            {
                // Members of the oneof: a second one (or a repeat) is a second proof in one encoding.
                throw r.Error("more than one member of the proof oneof is set", name, start);
            }
            result = field switch
            {
                1 => new CommitmentProof { Exist = ReadExistenceProof(body, at) },
                2 => new CommitmentProof { Nonexist = ReadNonExistenceProof(body, at) },
                3 => new CommitmentProof { Batch = ReadBatchProof(body, at) },
                _ => new CommitmentProof { Compressed = ReadCompressedBatchProof(body, at) },
            };
        }
        return result ?? new CommitmentProof();
    }

    private static ExistenceProof ReadExistenceProof(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(ExistenceProof), offset);
        byte[] key = [], value = [];
        LeafOp? leaf = null;
        var path = new List<InnerOp>();
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.LengthDelimited, "key");
                    key = r.ReadBytes("key").ToArray();
                    break;
                case 2:
                    r.Expect(type, WireType.LengthDelimited, "value");
                    value = r.ReadBytes("value").ToArray();
                    break;
                case 3:
                    {
                        r.Expect(type, WireType.LengthDelimited, "leaf");
                        var start = r.Offset;
                        var body = r.ReadLengthDelimited("leaf", out var at);
                        if (leaf is not null)
                        {
                            throw r.Error("duplicate embedded message", "leaf", start);
                        }
                        leaf = ReadLeafOp(body, at);
                        break;
                    }
                case 4:
                    {
                        r.Expect(type, WireType.LengthDelimited, "path");
                        var body = r.ReadLengthDelimited("path", out var at);
                        path.Add(ReadInnerOp(body, at));
                        break;
                    }
                default:
                    r.Skip(type, "unknown");
                    break;
            }
        }
        return new ExistenceProof { Key = key, Value = value, Leaf = leaf, Path = path };
    }

    private static NonExistenceProof ReadNonExistenceProof(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(NonExistenceProof), offset);
        byte[] key = [];
        ExistenceProof? left = null, right = null;
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.LengthDelimited, "key");
                    key = r.ReadBytes("key").ToArray();
                    break;
                case 2:
                case 3:
                    {
                        var name = field == 2 ? "left" : "right";
                        r.Expect(type, WireType.LengthDelimited, name);
                        var start = r.Offset;
                        var body = r.ReadLengthDelimited(name, out var at);
                        if ((field == 2 ? left : right) is not null)
                        {
                            throw r.Error("duplicate embedded message", name, start);
                        }
                        var proof = ReadExistenceProof(body, at);
                        if (field == 2)
                        {
                            left = proof;
                        }
                        else
                        {
                            right = proof;
                        }
                        break;
                    }
                default:
                    r.Skip(type, "unknown");
                    break;
            }
        }
        return new NonExistenceProof { Key = key, Left = left, Right = right };
    }

    private static BatchProof ReadBatchProof(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(BatchProof), offset);
        var entries = new List<BatchEntry>();
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            if (field != 1)
            {
                r.Skip(type, "unknown");
                continue;
            }
            r.Expect(type, WireType.LengthDelimited, "entries");
            var body = r.ReadLengthDelimited("entries", out var at);
            entries.Add(ReadBatchEntry(body, at));
        }
        return new BatchProof { Entries = entries };
    }

    private static BatchEntry ReadBatchEntry(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(BatchEntry), offset);
        BatchEntry? result = null;
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            if (field is not (1 or 2))
            {
                r.Skip(type, "unknown");
                continue;
            }
            var name = field == 1 ? "exist" : "nonexist";
            r.Expect(type, WireType.LengthDelimited, name);
            var start = r.Offset;
            var body = r.ReadLengthDelimited(name, out var at);
            if (result is not null)
            {
                throw r.Error("more than one member of the proof oneof is set", name, start);
            }
            result = field == 1
                ? new BatchEntry { Exist = ReadExistenceProof(body, at) }
                : new BatchEntry { Nonexist = ReadNonExistenceProof(body, at) };
        }
        return result ?? new BatchEntry();
    }

    private static CompressedBatchProof ReadCompressedBatchProof(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(CompressedBatchProof), offset);
        var entries = new List<CompressedBatchEntry>();
        var lookup = new List<InnerOp>();
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1:
                    {
                        r.Expect(type, WireType.LengthDelimited, "entries");
                        var body = r.ReadLengthDelimited("entries", out var at);
                        entries.Add(ReadCompressedBatchEntry(body, at));
                        break;
                    }
                case 2:
                    {
                        r.Expect(type, WireType.LengthDelimited, "lookup_inners");
                        var body = r.ReadLengthDelimited("lookup_inners", out var at);
                        lookup.Add(ReadInnerOp(body, at));
                        break;
                    }
                default:
                    r.Skip(type, "unknown");
                    break;
            }
        }
        return new CompressedBatchProof { Entries = entries, LookupInners = lookup };
    }

    private static CompressedBatchEntry ReadCompressedBatchEntry(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(CompressedBatchEntry), offset);
        CompressedBatchEntry? result = null;
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            if (field is not (1 or 2))
            {
                r.Skip(type, "unknown");
                continue;
            }
            var name = field == 1 ? "exist" : "nonexist";
            r.Expect(type, WireType.LengthDelimited, name);
            var start = r.Offset;
            var body = r.ReadLengthDelimited(name, out var at);
            if (result is not null)
            {
                throw r.Error("more than one member of the proof oneof is set", name, start);
            }
            result = field == 1
                ? new CompressedBatchEntry { Exist = ReadCompressedExistenceProof(body, at) }
                : new CompressedBatchEntry { Nonexist = ReadCompressedNonExistenceProof(body, at) };
        }
        return result ?? new CompressedBatchEntry();
    }

    private static CompressedExistenceProof ReadCompressedExistenceProof(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(CompressedExistenceProof), offset);
        byte[] key = [], value = [];
        LeafOp? leaf = null;
        var path = new List<int>();
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.LengthDelimited, "key");
                    key = r.ReadBytes("key").ToArray();
                    break;
                case 2:
                    r.Expect(type, WireType.LengthDelimited, "value");
                    value = r.ReadBytes("value").ToArray();
                    break;
                case 3:
                    {
                        r.Expect(type, WireType.LengthDelimited, "leaf");
                        var start = r.Offset;
                        var body = r.ReadLengthDelimited("leaf", out var at);
                        if (leaf is not null)
                        {
                            throw r.Error("duplicate embedded message", "leaf", start);
                        }
                        leaf = ReadLeafOp(body, at);
                        break;
                    }
                case 4:
                    ReadRepeatedInt32(ref r, type, "path", path);
                    break;
                default:
                    r.Skip(type, "unknown");
                    break;
            }
        }
        return new CompressedExistenceProof { Key = key, Value = value, Leaf = leaf, Path = path };
    }

    private static CompressedNonExistenceProof ReadCompressedNonExistenceProof(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(CompressedNonExistenceProof), offset);
        byte[] key = [];
        CompressedExistenceProof? left = null, right = null;
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.LengthDelimited, "key");
                    key = r.ReadBytes("key").ToArray();
                    break;
                case 2:
                case 3:
                    {
                        var name = field == 2 ? "left" : "right";
                        r.Expect(type, WireType.LengthDelimited, name);
                        var start = r.Offset;
                        var body = r.ReadLengthDelimited(name, out var at);
                        if ((field == 2 ? left : right) is not null)
                        {
                            throw r.Error("duplicate embedded message", name, start);
                        }
                        var proof = ReadCompressedExistenceProof(body, at);
                        if (field == 2)
                        {
                            left = proof;
                        }
                        else
                        {
                            right = proof;
                        }
                        break;
                    }
                default:
                    r.Skip(type, "unknown");
                    break;
            }
        }
        return new CompressedNonExistenceProof { Key = key, Left = left, Right = right };
    }

    private static LeafOp ReadLeafOp(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(LeafOp), offset);
        var op = new LeafOp();
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.Varint, "hash");
                    op = op with { Hash = (HashOp)r.ReadInt32("hash") };
                    break;
                case 2:
                    r.Expect(type, WireType.Varint, "prehash_key");
                    op = op with { PrehashKey = (HashOp)r.ReadInt32("prehash_key") };
                    break;
                case 3:
                    r.Expect(type, WireType.Varint, "prehash_value");
                    op = op with { PrehashValue = (HashOp)r.ReadInt32("prehash_value") };
                    break;
                case 4:
                    r.Expect(type, WireType.Varint, "length");
                    op = op with { Length = (LengthOp)r.ReadInt32("length") };
                    break;
                case 5:
                    r.Expect(type, WireType.LengthDelimited, "prefix");
                    op = op with { Prefix = r.ReadBytes("prefix").ToArray() };
                    break;
                default:
                    r.Skip(type, "unknown");
                    break;
            }
        }
        return op;
    }

    private static InnerOp ReadInnerOp(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(InnerOp), offset);
        var hash = HashOp.NoHash;
        byte[] prefix = [], suffix = [];
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.Varint, "hash");
                    hash = (HashOp)r.ReadInt32("hash");
                    break;
                case 2:
                    r.Expect(type, WireType.LengthDelimited, "prefix");
                    prefix = r.ReadBytes("prefix").ToArray();
                    break;
                case 3:
                    r.Expect(type, WireType.LengthDelimited, "suffix");
                    suffix = r.ReadBytes("suffix").ToArray();
                    break;
                default:
                    r.Skip(type, "unknown");
                    break;
            }
        }
        return new InnerOp { Hash = hash, Prefix = prefix, Suffix = suffix };
    }

    private static ProofSpec ReadProofSpec(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(ProofSpec), offset);
        var spec = new ProofSpec();
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1:
                    {
                        r.Expect(type, WireType.LengthDelimited, "leaf_spec");
                        var start = r.Offset;
                        var body = r.ReadLengthDelimited("leaf_spec", out var at);
                        if (spec.LeafSpec is not null)
                        {
                            throw r.Error("duplicate embedded message", "leaf_spec", start);
                        }
                        spec = spec with { LeafSpec = ReadLeafOp(body, at) };
                        break;
                    }
                case 2:
                    {
                        r.Expect(type, WireType.LengthDelimited, "inner_spec");
                        var start = r.Offset;
                        var body = r.ReadLengthDelimited("inner_spec", out var at);
                        if (spec.InnerSpec is not null)
                        {
                            throw r.Error("duplicate embedded message", "inner_spec", start);
                        }
                        spec = spec with { InnerSpec = ReadInnerSpec(body, at) };
                        break;
                    }
                case 3:
                    r.Expect(type, WireType.Varint, "max_depth");
                    spec = spec with { MaxDepth = r.ReadInt32("max_depth") };
                    break;
                case 4:
                    r.Expect(type, WireType.Varint, "min_depth");
                    spec = spec with { MinDepth = r.ReadInt32("min_depth") };
                    break;
                case 5:
                    r.Expect(type, WireType.Varint, "prehash_key_before_comparison");
                    spec = spec with { PrehashKeyBeforeComparison = r.ReadBool("prehash_key_before_comparison") };
                    break;
                default:
                    r.Skip(type, "unknown");
                    break;
            }
        }
        return spec;
    }

    private static InnerSpec ReadInnerSpec(ReadOnlySpan<byte> data, int offset)
    {
        var r = new ProtoReader(data, nameof(InnerSpec), offset);
        var order = new List<int>();
        var spec = new InnerSpec();
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1:
                    ReadRepeatedInt32(ref r, type, "child_order", order);
                    break;
                case 2:
                    r.Expect(type, WireType.Varint, "child_size");
                    spec = spec with { ChildSize = r.ReadInt32("child_size") };
                    break;
                case 3:
                    r.Expect(type, WireType.Varint, "min_prefix_length");
                    spec = spec with { MinPrefixLength = r.ReadInt32("min_prefix_length") };
                    break;
                case 4:
                    r.Expect(type, WireType.Varint, "max_prefix_length");
                    spec = spec with { MaxPrefixLength = r.ReadInt32("max_prefix_length") };
                    break;
                case 5:
                    r.Expect(type, WireType.LengthDelimited, "empty_child");
                    spec = spec with { EmptyChild = r.ReadBytes("empty_child").ToArray() };
                    break;
                case 6:
                    r.Expect(type, WireType.Varint, "hash");
                    spec = spec with { Hash = (HashOp)r.ReadInt32("hash") };
                    break;
                default:
                    r.Skip(type, "unknown");
                    break;
            }
        }
        return spec with { ChildOrder = order };
    }

    /// <summary>A repeated int32 may come packed (wire type 2) or one value per tag; readers must accept both.</summary>
    private static void ReadRepeatedInt32(ref ProtoReader r, WireType type, string name, List<int> into)
    {
        if (type == WireType.Varint)
        {
            into.Add(r.ReadInt32(name));
            return;
        }
        r.Expect(type, WireType.LengthDelimited, name);
        var body = r.ReadLengthDelimited(name, out var at);
        var packed = new ProtoReader(body, name, at);
        while (!packed.End)
        {
            into.Add(packed.ReadInt32(name));
        }
    }

    // ---- encoding (proto3 canonical form: field order, defaults omitted, repeated scalars packed) ----

    private static void WriteCommitmentProof(ProtoWriter w, CommitmentProof p)
    {
        switch (p.Kind)
        {
            case CommitmentProofKind.Exist:
                w.WriteMessage(1, p.Exist, WriteExistenceProof);
                break;
            case CommitmentProofKind.Nonexist:
                w.WriteMessage(2, p.Nonexist, WriteNonExistenceProof);
                break;
            case CommitmentProofKind.Batch:
                w.WriteMessage(3, p.Batch, WriteBatchProof);
                break;
            case CommitmentProofKind.Compressed:
                w.WriteMessage(4, p.Compressed, WriteCompressedBatchProof);
                break;
            default:
                break;
        }
    }

    private static void WriteExistenceProof(ProtoWriter w, ExistenceProof p)
    {
        w.WriteBytes(1, p.Key.Span);
        w.WriteBytes(2, p.Value.Span);
        w.WriteMessage(3, p.Leaf, WriteLeafOp);
        foreach (var step in p.Path)
        {
            w.WriteMessage(4, step, WriteInnerOp);
        }
    }

    private static void WriteNonExistenceProof(ProtoWriter w, NonExistenceProof p)
    {
        w.WriteBytes(1, p.Key.Span);
        w.WriteMessage(2, p.Left, WriteExistenceProof);
        w.WriteMessage(3, p.Right, WriteExistenceProof);
    }

    private static void WriteBatchProof(ProtoWriter w, BatchProof p)
    {
        foreach (var entry in p.Entries)
        {
            w.WriteMessage(1, entry, WriteBatchEntry);
        }
    }

    private static void WriteBatchEntry(ProtoWriter w, BatchEntry e)
    {
        if (e.Exist is not null)
        {
            w.WriteMessage(1, e.Exist, WriteExistenceProof);
        }
        else
        {
            w.WriteMessage(2, e.Nonexist, WriteNonExistenceProof);
        }
    }

    private static void WriteCompressedBatchProof(ProtoWriter w, CompressedBatchProof p)
    {
        foreach (var entry in p.Entries)
        {
            w.WriteMessage(1, entry, WriteCompressedBatchEntry);
        }
        foreach (var inner in p.LookupInners)
        {
            w.WriteMessage(2, inner, WriteInnerOp);
        }
    }

    private static void WriteCompressedBatchEntry(ProtoWriter w, CompressedBatchEntry e)
    {
        if (e.Exist is not null)
        {
            w.WriteMessage(1, e.Exist, WriteCompressedExistenceProof);
        }
        else
        {
            w.WriteMessage(2, e.Nonexist, WriteCompressedNonExistenceProof);
        }
    }

    private static void WriteCompressedExistenceProof(ProtoWriter w, CompressedExistenceProof p)
    {
        w.WriteBytes(1, p.Key.Span);
        w.WriteBytes(2, p.Value.Span);
        w.WriteMessage(3, p.Leaf, WriteLeafOp);
        w.WritePackedInt32(4, p.Path);
    }

    private static void WriteCompressedNonExistenceProof(ProtoWriter w, CompressedNonExistenceProof p)
    {
        w.WriteBytes(1, p.Key.Span);
        w.WriteMessage(2, p.Left, WriteCompressedExistenceProof);
        w.WriteMessage(3, p.Right, WriteCompressedExistenceProof);
    }

    private static void WriteLeafOp(ProtoWriter w, LeafOp op)
    {
        w.WriteInt32(1, (int)op.Hash);
        w.WriteInt32(2, (int)op.PrehashKey);
        w.WriteInt32(3, (int)op.PrehashValue);
        w.WriteInt32(4, (int)op.Length);
        w.WriteBytes(5, op.Prefix.Span);
    }

    private static void WriteInnerOp(ProtoWriter w, InnerOp op)
    {
        w.WriteInt32(1, (int)op.Hash);
        w.WriteBytes(2, op.Prefix.Span);
        w.WriteBytes(3, op.Suffix.Span);
    }

    private static void WriteProofSpec(ProtoWriter w, ProofSpec spec)
    {
        w.WriteMessage(1, spec.LeafSpec, WriteLeafOp);
        w.WriteMessage(2, spec.InnerSpec, WriteInnerSpec);
        w.WriteInt32(3, spec.MaxDepth);
        w.WriteInt32(4, spec.MinDepth);
        w.WriteBool(5, spec.PrehashKeyBeforeComparison);
    }

    private static void WriteInnerSpec(ProtoWriter w, InnerSpec spec)
    {
        w.WritePackedInt32(1, spec.ChildOrder);
        w.WriteInt32(2, spec.ChildSize);
        w.WriteInt32(3, spec.MinPrefixLength);
        w.WriteInt32(4, spec.MaxPrefixLength);
        w.WriteBytes(5, spec.EmptyChild.Span);
        w.WriteInt32(6, (int)spec.Hash);
    }
}
