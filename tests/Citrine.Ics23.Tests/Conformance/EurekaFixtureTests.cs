using System.Text;
using System.Text.Json;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Encoding.Protobuf;
using Citrine.Ics23.Abci;
using Citrine.Testing;

namespace Citrine.Ics23.Tests.Conformance;

/// <summary>
/// Real-chain chained proofs captured by cosmos/solidity-ibc-eureka (SOURCES.md §3.3): every
/// fixture with a <c>membership_msg</c>; the app hash is the root in its consensus state.
/// </summary>
[Trait("Category", "Conformance")]
[Trait("Area", "Ics23")]
public sealed class EurekaFixtureTests
{
    private const string Folder = "ics23/solidity-ibc-eureka";

    public static TheoryData<string> Cases => Vectors.Cases(Folder, root =>
        Directory.EnumerateFiles(root, "*.json")
            .Where(file => File.ReadAllText(file).Contains("\"membership_msg\"", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Fixture_proof_chain_verifies_against_the_consensus_root(string id)
    {
        Vectors.SkipIfMissing(id);
        var f = Load(id);
        var verdict = f.Value.Length > 0
            ? f.Proof.VerifyMembership(f.AppHash, f.KeyPath, f.Value)
            : f.Proof.VerifyNonMembership(f.AppHash, f.KeyPath);
        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.Equal(f.AppHash, verdict.Root.ToArray());
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Fixture_proof_reencodes_to_the_same_bytes(string id)
    {
        Vectors.SkipIfMissing(id);
        var f = Load(id);
        Assert.Equal(Convert.ToHexString(f.ProofBytes), Convert.ToHexString(f.Proof.Encode()));
    }

    internal sealed record Fixture(byte[] AppHash, IReadOnlyList<ReadOnlyMemory<byte>> KeyPath, byte[] Value, byte[] ProofBytes, MerkleProof Proof);

    internal static Fixture Load(string id)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Vectors.Require(Folder), id)));
        var r = doc.RootElement;
        var msg = r.GetProperty("membership_msg");
        var proofBytes = Hex.Decode(msg.GetProperty("proof").GetString()!);
        var value = msg.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? Hex.Decode(v.GetString()!) : [];
        var keyPath = msg.GetProperty("path").EnumerateArray()
            .Select(e => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(e.GetString()!))
            .ToList();
        var appHash = ConsensusRoot(Hex.Decode(r.GetProperty("consensus_state_hex").GetString()!));
        return new Fixture(appHash, keyPath, value, proofBytes, MerkleProof.Decode(proofBytes));
    }

    /// <summary>ibc.lightclients.tendermint.v1.ConsensusState: root = 2 (MerkleRoot { hash = 1 }).</summary>
    private static byte[] ConsensusRoot(byte[] consensusState)
    {
        var r = new ProtoReader(consensusState, "ConsensusState");
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            if (field == 2 && type == WireType.LengthDelimited)
            {
                var root = new ProtoReader(r.ReadLengthDelimited("root", out _), "MerkleRoot");
                while (!root.End)
                {
                    var (f, t) = root.ReadTag();
                    if (f == 1 && t == WireType.LengthDelimited)
                    {
                        return root.ReadBytes("hash").ToArray();
                    }
                    root.Skip(t, "unknown");
                }
            }
            else
            {
                r.Skip(type, "unknown");
            }
        }
        throw new InvalidOperationException("consensus state has no root hash");
    }
}
