using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.Types;
using Citrine.Ics23.Proofs;
using Citrine.Store.Iavl;
using Google.Protobuf;

namespace Citrine.Benchmarks;

/// <summary>
/// The protobuf hot paths written with our hand-written codec (the baseline of each pair) next to
/// the same bytes written or read with Google.Protobuf's public primitives (<c>CodedOutputStream</c>
/// over a pre-sized array, <c>CodedInputStream</c>; its <c>WriteContext</c>/<c>ParseContext</c>
/// are reachable only from inside an <c>IBufferMessage</c>). Setup checks both produce the same
/// bytes (or the same proof), so the pair measures only the codec. Issue 10 keeps Google.Protobuf
/// if it is within 5 % of the baseline.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ProtobufCodecBenchmarks
{
    private const string ChainId = "citrine-devnet-1";
    private readonly BlockId _blockId = new(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), new PartSetHeader(1, Enumerable.Range(32, 32).Select(i => (byte)i).ToArray()));
    private readonly Timestamp _time = new(1_764_700_000, 123_456_789);
    private readonly byte[] _signBytes = new byte[256];
    private VoteSignBytes _template = null!;
    private byte[] _existenceProof = null!;

    [GlobalSetup]
    public void Setup()
    {
        _template = new VoteSignBytes(ChainId, 1_234_567, 0, _blockId);
        if (!VoteSignBytes.For(ChainId, 1_234_567, 0, _blockId, _time).AsSpan().SequenceEqual(GoogleVoteSignBytes(ChainId, 1_234_567, 0, _blockId, _time)))
        {
            throw new InvalidOperationException("the Google.Protobuf vote sign bytes differ from ours");
        }
        if (!IavlHashing.Header(7, 120, 3_000_000).AsSpan().SequenceEqual(GoogleIavlHeader(7, 120, 3_000_000)))
        {
            throw new InvalidOperationException("the Google.Protobuf IAVL header differs from ours");
        }
        _existenceProof = ProofCodec.Encode(new CommitmentProof { Exist = SyntheticIavlProof(depth: 20) });
        var ours = ProofCodec.DecodeCommitmentProof(_existenceProof).Exist!;
        var theirs = GoogleDecodeExistence(_existenceProof);
        if (!ours.Key.Span.SequenceEqual(theirs.Key.Span) || ours.Path.Count != theirs.Path.Count
            || !ours.Path[^1].Prefix.Span.SequenceEqual(theirs.Path[^1].Prefix.Span) || ours.Leaf != theirs.Leaf && !ours.Leaf!.Prefix.Span.SequenceEqual(theirs.Leaf!.Prefix.Span))
        {
            throw new InvalidOperationException("the Google.Protobuf existence proof differs from ours");
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("vote")]
    public byte[] Vote_sign_bytes_ours() => VoteSignBytes.For(ChainId, 1_234_567, 0, _blockId, _time);

    [Benchmark, BenchmarkCategory("vote")]
    public byte[] Vote_sign_bytes_google_protobuf() => GoogleVoteSignBytes(ChainId, 1_234_567, 0, _blockId, _time);

    [Benchmark(Baseline = true), BenchmarkCategory("commit-vote")]
    public int Commit_vote_from_template_ours() => _template.Write(_signBytes, forBlock: true, _time);

    [Benchmark, BenchmarkCategory("commit-vote")]
    public int Commit_vote_google_protobuf() => GoogleVoteSignBytesInto(_signBytes, ChainId, 1_234_567, 0, _blockId, _time);

    [Benchmark(Baseline = true), BenchmarkCategory("iavl")]
    public byte[] Iavl_node_header_ours() => IavlHashing.Header(7, 120, 3_000_000);

    [Benchmark, BenchmarkCategory("iavl")]
    public byte[] Iavl_node_header_google_protobuf() => GoogleIavlHeader(7, 120, 3_000_000);

    [Benchmark(Baseline = true), BenchmarkCategory("ics23")]
    public ExistenceProof Ics23_decode_ours() => ProofCodec.DecodeCommitmentProof(_existenceProof).Exist!;

    [Benchmark, BenchmarkCategory("ics23")]
    public ExistenceProof Ics23_decode_google_protobuf() => GoogleDecodeExistence(_existenceProof);

    private static ExistenceProof SyntheticIavlProof(int depth)
    {
        var path = new InnerOp[depth];
        for (var i = 0; i < depth; i++)
        {
            byte[] prefix = [(byte)(2 * (i + 1)), (byte)(2 * (i + 10)), 0xc8, 0x01, 0x20, .. new byte[32]];
            path[i] = new InnerOp { Hash = HashOp.Sha256, Prefix = prefix };
        }
        return new ExistenceProof
        {
            Key = "store/key/000042"u8.ToArray(),
            Value = new byte[64],
            Leaf = new LeafOp { Hash = HashOp.Sha256, PrehashValue = HashOp.Sha256, Length = LengthOp.VarProto, Prefix = new byte[] { 0, 2, 0xc8, 0x01 } },
            Path = path,
        };
    }

    // CanonicalVote, CanonicalBlockID, CanonicalPartSetHeader and Timestamp sizes (see VoteSignBytes).
    private static int GoogleVoteBodySize(string chainId, long height, int round, BlockId id, Timestamp time, out int blockIdSize, out int partsSize, out int timeSize)
    {
        partsSize = (id.PartSetHeader.Total != 0 ? 1 + CodedOutputStream.ComputeUInt32Size(id.PartSetHeader.Total) : 0)
            + (id.PartSetHeader.Hash.Length != 0 ? 1 + CodedOutputStream.ComputeLengthSize(id.PartSetHeader.Hash.Length) + id.PartSetHeader.Hash.Length : 0);
        blockIdSize = (id.Hash.Length != 0 ? 1 + CodedOutputStream.ComputeLengthSize(id.Hash.Length) + id.Hash.Length : 0)
            + 1 + CodedOutputStream.ComputeLengthSize(partsSize) + partsSize;
        timeSize = (time.Seconds != 0 ? 1 + CodedOutputStream.ComputeInt64Size(time.Seconds) : 0)
            + (time.Nanos != 0 ? 1 + CodedOutputStream.ComputeInt32Size(time.Nanos) : 0);
        return 1 + CodedOutputStream.ComputeEnumSize(VoteSignBytes.PrecommitType)
            + (height != 0 ? 9 : 0) + (round != 0 ? 9 : 0)
            + 1 + CodedOutputStream.ComputeLengthSize(blockIdSize) + blockIdSize
            + 1 + CodedOutputStream.ComputeLengthSize(timeSize) + timeSize
            + (chainId.Length != 0 ? CodedOutputStream.ComputeStringSize(chainId) + 1 : 0);
    }

    private static byte[] GoogleVoteSignBytes(string chainId, long height, int round, BlockId id, Timestamp time)
    {
        var body = GoogleVoteBodySize(chainId, height, round, id, time, out _, out _, out _);
        var buffer = new byte[CodedOutputStream.ComputeLengthSize(body) + body];
        GoogleVoteSignBytesInto(buffer, chainId, height, round, id, time);
        return buffer;
    }

    private static int GoogleVoteSignBytesInto(byte[] buffer, string chainId, long height, int round, BlockId id, Timestamp time)
    {
        var body = GoogleVoteBodySize(chainId, height, round, id, time, out var blockIdSize, out var partsSize, out var timeSize);
        var output = new CodedOutputStream(buffer);
        output.WriteLength(body);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteEnum(VoteSignBytes.PrecommitType);
        if (height != 0)
        {
            output.WriteTag(2, WireFormat.WireType.Fixed64);
            output.WriteSFixed64(height);
        }
        if (round != 0)
        {
            output.WriteTag(3, WireFormat.WireType.Fixed64);
            output.WriteSFixed64(round);
        }
        output.WriteTag(4, WireFormat.WireType.LengthDelimited);
        output.WriteLength(blockIdSize);
        if (id.Hash.Length != 0)
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(UnsafeByteOperations.UnsafeWrap(id.Hash));
        }
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteLength(partsSize);
        if (id.PartSetHeader.Total != 0)
        {
            output.WriteTag(1, WireFormat.WireType.Varint);
            output.WriteUInt32(id.PartSetHeader.Total);
        }
        if (id.PartSetHeader.Hash.Length != 0)
        {
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(UnsafeByteOperations.UnsafeWrap(id.PartSetHeader.Hash));
        }
        output.WriteTag(5, WireFormat.WireType.LengthDelimited);
        output.WriteLength(timeSize);
        if (time.Seconds != 0)
        {
            output.WriteTag(1, WireFormat.WireType.Varint);
            output.WriteInt64(time.Seconds);
        }
        if (time.Nanos != 0)
        {
            output.WriteTag(2, WireFormat.WireType.Varint);
            output.WriteInt32(time.Nanos);
        }
        if (chainId.Length != 0)
        {
            output.WriteTag(6, WireFormat.WireType.LengthDelimited);
            output.WriteString(chainId);
        }
        output.Flush();
        return (int)output.Position;
    }

    // IAVL hashes Go PutVarint (zig-zag) of height, size and version: protobuf sint64.
    private static byte[] GoogleIavlHeader(int height, long size, long version)
    {
        var buffer = new byte[CodedOutputStream.ComputeSInt64Size(height) + CodedOutputStream.ComputeSInt64Size(size) + CodedOutputStream.ComputeSInt64Size(version)];
        var output = new CodedOutputStream(buffer);
        output.WriteSInt64(height);
        output.WriteSInt64(size);
        output.WriteSInt64(version);
        output.Flush();
        return buffer;
    }

    private static ExistenceProof GoogleDecodeExistence(byte[] commitmentProof)
    {
        var input = new CodedInputStream(commitmentProof);
        ExistenceProof? exist = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag == 10)
            {
                exist = ReadExistence(Embedded(input));
            }
            else
            {
                input.SkipLastField();
            }
        }
        return exist ?? throw new InvalidOperationException("no existence proof");
    }

    private static ExistenceProof ReadExistence(CodedInputStream input)
    {
        byte[] key = [], value = [];
        LeafOp? leaf = null;
        var path = new List<InnerOp>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (tag)
            {
                case 10:
                    key = input.ReadBytes().ToByteArray();
                    break;
                case 18:
                    value = input.ReadBytes().ToByteArray();
                    break;
                case 26:
                    leaf = ReadLeaf(Embedded(input));
                    break;
                case 34:
                    path.Add(ReadInner(Embedded(input)));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return new ExistenceProof { Key = key, Value = value, Leaf = leaf, Path = path };
    }

    private static LeafOp ReadLeaf(CodedInputStream input)
    {
        var leaf = new LeafOp();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            leaf = tag switch
            {
                8 => leaf with { Hash = (HashOp)input.ReadEnum() },
                16 => leaf with { PrehashKey = (HashOp)input.ReadEnum() },
                24 => leaf with { PrehashValue = (HashOp)input.ReadEnum() },
                32 => leaf with { Length = (LengthOp)input.ReadEnum() },
                42 => leaf with { Prefix = input.ReadBytes().ToByteArray() },
                _ => Skip(input, leaf),
            };
        }
        return leaf;
    }

    private static InnerOp ReadInner(CodedInputStream input)
    {
        var hash = HashOp.NoHash;
        byte[] prefix = [], suffix = [];
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (tag)
            {
                case 8:
                    hash = (HashOp)input.ReadEnum();
                    break;
                case 18:
                    prefix = input.ReadBytes().ToByteArray();
                    break;
                case 26:
                    suffix = input.ReadBytes().ToByteArray();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return new InnerOp { Hash = hash, Prefix = prefix, Suffix = suffix };
    }

    // PushLimit/PopLimit are internal: an embedded message is read as bytes and given its own stream (no copy).
    private static CodedInputStream Embedded(CodedInputStream input)
    {
        var body = input.ReadBytes();
        return MemoryMarshal.TryGetArray(body.Memory, out var segment)
            ? new CodedInputStream(segment.Array!, segment.Offset, segment.Count)
            : new CodedInputStream(body.ToByteArray());
    }

    private static T Skip<T>(CodedInputStream input, T value)
    {
        input.SkipLastField();
        return value;
    }
}
