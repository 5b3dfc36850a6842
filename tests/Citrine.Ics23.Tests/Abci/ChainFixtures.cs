using System.Text;
using System.Text.Json;
using Citrine.Ics23.Abci;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Tests.Conformance;

namespace Citrine.Ics23.Tests.Abci;

/// <summary>Chained proofs for tests: the real eureka fixture re-expressed as ABCI ProofOps, and a two-level tree built here.</summary>
internal static class ChainFixtures
{
    public const string EurekaId = "verify_membership_key_0.json";

    public static EurekaFixtureTests.Fixture Eureka() => EurekaFixtureTests.Load(EurekaId);

    /// <summary>The fixture's MerkleProof as the ops an abci_query with prove=true returns (innermost first).</summary>
    public static IReadOnlyList<ProofOp> EurekaOps(EurekaFixtureTests.Fixture f) =>
    [
        new(ProofOps.IavlType, f.KeyPath[1], ProofCodec.Encode(f.Proof.Proofs[0])),
        new(ProofOps.SimpleType, f.KeyPath[0], ProofCodec.Encode(f.Proof.Proofs[1])),
    ];

    /// <summary>A whole JSON-RPC abci_query response carrying <paramref name="ops"/>.</summary>
    public static string AbciQueryResponse(IReadOnlyList<ProofOp> ops, byte[] key, byte[] value)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteNumber("id", -1);
            w.WriteStartObject("result");
            w.WriteStartObject("response");
            w.WriteNumber("code", 0);
            w.WriteString("log", string.Empty);
            w.WriteString("index", "0");
            w.WriteBase64String("key", key);
            w.WriteBase64String("value", value);
            w.WritePropertyName("proofOps");
            WriteOps(w, ops);
            w.WriteString("height", "37");
            w.WriteString("codespace", string.Empty);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Just the ProofOps object: {"ops": [...]}.</summary>
    public static string ProofOpsObject(IReadOnlyList<ProofOp> ops)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            WriteOps(w, ops);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteOps(Utf8JsonWriter w, IReadOnlyList<ProofOp> ops)
    {
        w.WriteStartObject();
        w.WriteStartArray("ops");
        foreach (var op in ops)
        {
            w.WriteStartObject();
            w.WriteString("type", op.Type);
            w.WriteBase64String("key", op.Key.Span);
            w.WriteBase64String("data", op.Data.Span);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// A store tree (keys k10..k80) whose root is the value of "ibc" in a multistore tree
    /// ("acc", "bank", "ibc", "wasm"); the multistore root plays the app hash.
    /// </summary>
    public sealed class TwoLevel
    {
        public TwoLevel()
        {
            Store = new SimpleMerkleTree(Enumerable.Range(1, 8).Select(i => (B($"k{i * 10}"), B($"value {i}"))));
            Multi = new SimpleMerkleTree(new[] { "acc", "bank", "ibc", "wasm" }.Select(n => (B(n), n == "ibc" ? Store.Root : B($"root of {n}"))));
        }

        public SimpleMerkleTree Store { get; }

        public SimpleMerkleTree Multi { get; }

        public byte[] AppHash => Multi.Root;

        public ExistenceProof StoreInMulti => Multi.Prove(Enumerable.Range(0, Multi.Count).First(i => Multi.Key(i).AsSpan().SequenceEqual("ibc"u8)));

        public IReadOnlyList<ProofOp> Membership(int leaf) =>
        [
            new(ProofOps.SimpleType, Store.Key(leaf), ProofCodec.Encode(new CommitmentProof { Exist = Store.Prove(leaf) })),
            new(ProofOps.SimpleType, B("ibc"), ProofCodec.Encode(new CommitmentProof { Exist = StoreInMulti })),
        ];

        public IReadOnlyList<ProofOp> NonMembership(string key, int left, int right) =>
        [
            new(ProofOps.SimpleType, B(key), ProofCodec.Encode(new CommitmentProof { Nonexist = new NonExistenceProof { Key = B(key), Left = Store.Prove(left), Right = Store.Prove(right) } })),
            new(ProofOps.SimpleType, B("ibc"), ProofCodec.Encode(new CommitmentProof { Exist = StoreInMulti })),
        ];
    }

    public static byte[] B(string s) => Encoding.ASCII.GetBytes(s);
}
