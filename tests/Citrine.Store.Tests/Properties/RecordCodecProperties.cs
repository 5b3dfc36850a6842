using Citrine.Testing;
using Citrine.Crypto.Encoding.Protobuf;
using Citrine.Store.Iavl;
using Citrine.Store.Multistore;
using Citrine.Store.Storage;
using FsCheck.Xunit;
using static Citrine.Store.Tests.TestTrees;

namespace Citrine.Store.Tests.Properties;

/// <summary>
/// The store's record codecs as the fuzz targets in fuzz/Citrine.Fuzz/StoreTargets.cs drive them
/// (decode, then re-encode what decoded): varint properties, and seeded mutations — bit flips,
/// boundary bytes, insertions, deletions, truncations, duplicated runs — of real records where
/// only <see cref="StoreException"/> may escape.
/// </summary>
public class RecordCodecProperties
{
    private const int Mutations = 4000;

    [Property(MaxTest = 300)]
    public bool Unsigned_varints_round_trip_in_their_minimal_length(ulong value)
    {
        Span<byte> buffer = stackalloc byte[Varint.MaxLength];
        var written = Varint.WriteUnsigned(buffer, value);
        return written == Varint.UnsignedLength(value)
            && Varint.TryReadUnsigned(buffer[..written], out var read, out var length) && read == value && length == written
            && !Varint.TryReadUnsigned(buffer[..(written - 1)], out _, out _);
    }

    [Property(MaxTest = 300)]
    public bool Signed_varints_round_trip(long value)
    {
        Span<byte> buffer = stackalloc byte[Varint.MaxLength];
        var written = Varint.WriteSigned(buffer, value);
        return Varint.TryReadSigned(buffer[..written], out var read, out var length) && read == value && length == written;
    }

    [Property(MaxTest = 500)]
    public bool Reading_a_varint_from_any_bytes_never_throws_and_stays_in_bounds(byte[] data)
    {
        data ??= [];
        Span<byte> buffer = stackalloc byte[Varint.MaxLength];
        if (!Varint.TryReadUnsigned(data, out var value, out var read))
        {
            // (value is not reset on the overlong path; callers use only the bool.)
            return read == 0;
        }
        // Non-minimal encodings (0x80 0x00 for 0) are accepted, so only "no longer than read" holds.
        return read >= 1 && read <= data.Length && read <= Varint.MaxLength && Varint.WriteUnsigned(buffer, value) <= read;
    }

    private static void OnlyStoreExceptions(IReadOnlyList<byte[]> seeds, int seed, Action<byte[]> decode)
    {
        var rejected = 0;
        foreach (var input in ByteMutator.Mutate(seeds, seed, Mutations))
        {
            try
            {
                decode(input);
            }
            catch (StoreException e)
            {
                Assert.Equal(StoreError.CorruptRecord, e.Error);
                rejected++;
            }
        }
        Assert.InRange(rejected, 1, Mutations - 1);
    }

    [Fact]
    public void Mutated_iavl_node_records_only_raise_corrupt_record()
    {
        var db = new MemoryKeyValueDb();
        var tree = new MutableTree(db);
        for (var i = 0; i < 24; i++)
        {
            tree.Set(B($"key{i:D2}"), B(new string('v', i * 7)));
        }
        tree.SaveVersion();
        var records = tree.NodeDb.AllNodeIds().Select(id =>
        {
            var key = new byte[1 + NodeKey.Size];
            key[0] = (byte)'n';
            id.Write(key.AsSpan(1));
            return (Id: id, Record: db.TryGet(key)!);
        }).ToList();
        Assert.Contains(records, r => !NodeCodec.Decode(r.Id, r.Record).IsLeaf);
        var id = records[0].Id;
        OnlyStoreExceptions([.. records.Select(r => r.Record)], 11, bytes =>
        {
            var node = NodeCodec.Decode(id, bytes);
            var again = NodeCodec.Decode(id, NodeCodec.Encode(node));
            Assert.Equal(node.Hash, again.Hash);
        });
    }

    [Fact]
    public void Mutated_commit_info_records_only_raise_store_exceptions()
    {
        var stores = new[] { "acc", "bank", "staking", "wasm" };
        byte[][] seeds =
        [
            new CommitInfo(3, stores.Select((s, i) => new StoreInfo(s, Enumerable.Repeat((byte)i, 32).ToArray()))).Encode(),
            new CommitInfo(4, [new StoreInfo("only", new byte[32])]).Encode(),
            new CommitInfo(5, []).Encode(),
        ];
        var rejected = 0;
        foreach (var input in ByteMutator.Mutate(seeds, 12, Mutations))
        {
            try
            {
                var info = CommitInfo.Decode(5, input);
                Assert.Equal(info.AppHash, CommitInfo.Decode(5, info.Encode()).AppHash);
                foreach (var store in info.Stores)
                {
                    _ = info.ProofFor(store.Name);
                }
            }
            catch (StoreException e)
            {
                // Two names that decode alike (invalid UTF-8 becomes U+FFFD) are refused as duplicates.
                Assert.True(e.Error is StoreError.CorruptRecord or StoreError.InvalidArgument, e.Message);
                rejected++;
            }
        }
        Assert.InRange(rejected, 1, Mutations - 1);
    }
}
