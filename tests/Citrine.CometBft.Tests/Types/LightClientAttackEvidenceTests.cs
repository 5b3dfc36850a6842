using Citrine.CometBft.Encoding;
using Citrine.CometBft.Testing;
using Citrine.CometBft.Types;
using Citrine.Crypto;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.CometBft.Tests.Types;

public sealed class LightClientAttackEvidenceTests : IDisposable
{
    private readonly SyntheticChain _chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 10, Validators = 4, VariedPower = true });

    public void Dispose() => _chain.Dispose();

    /// <summary>Block 5 again, one second later: every deterministic field is the same.</summary>
    private LightBlock Equivocation(int round, Func<int, BlockIdFlag>? vote = null)
    {
        var honest = _chain.LightBlockAt(5);
        var header = honest.Header with { Time = honest.Header.Time.AddNanoseconds(1_000_000_000) };
        return honest with { SignedHeader = new SignedHeader(header, _chain.SignCommit(header, honest.Validators, vote, round)) };
    }

    [Fact]
    public void Evidence_for_a_same_round_conflict_blames_the_validators_that_signed_both_blocks_at_the_trusted_height()
    {
        var conflicting = Equivocation(0, i => i == 1 ? BlockIdFlag.Absent : BlockIdFlag.Commit);
        var evidence = LightClientAttackEvidence.Create(conflicting, _chain.LightBlockAt(5), _chain.LightBlockAt(2));
        Assert.False(evidence.ConflictingHeaderIsInvalid(_chain.HeaderAt(5)));
        Assert.Equal(5, evidence.CommonHeight);
        Assert.Equal(_chain.HeaderAt(5).Time, evidence.Timestamp);
        var expected = _chain.ValidatorsAt(5).Validators.Where((_, i) => i != 1)
            .OrderByDescending(v => v.VotingPower).ThenBy(v => Convert.ToHexString(v.Address), StringComparer.Ordinal)
            .Select(v => Convert.ToHexString(v.Address));
        Assert.Equal(expected, evidence.ByzantineValidators.Select(v => Convert.ToHexString(v.Address)));
    }

    [Fact]
    public void Evidence_for_a_conflict_in_another_round_blames_nobody()
    {
        var evidence = LightClientAttackEvidence.Create(Equivocation(1), _chain.LightBlockAt(5), _chain.LightBlockAt(2));
        Assert.Equal(5, evidence.CommonHeight);
        Assert.Empty(evidence.ByzantineValidators);
    }

    [Fact]
    public void Evidence_for_a_header_with_another_app_hash_is_lunatic_and_measured_at_the_common_block()
    {
        using var fork = SyntheticChain.Generate(_chain.Options with { ForkFromHeight = 4 });
        var evidence = LightClientAttackEvidence.Create(fork.LightBlockAt(5), _chain.LightBlockAt(5), _chain.LightBlockAt(2));
        Assert.True(evidence.ConflictingHeaderIsInvalid(_chain.HeaderAt(5)));
        Assert.Equal(2, evidence.CommonHeight);
        Assert.Equal(_chain.HeaderAt(2).Time, evidence.Timestamp);
        Assert.Equal(_chain.ValidatorsAt(2).TotalVotingPower, evidence.TotalVotingPower);
        Assert.Equal(4, evidence.ByzantineValidators.Count);
    }

    [Fact]
    public void Evidence_hash_is_cometbfts_over_31_header_hash_bytes_and_the_zigzag_common_height()
    {
        var evidence = LightClientAttackEvidence.Create(Equivocation(0), _chain.LightBlockAt(5), _chain.LightBlockAt(2));
        var slot = new byte[33];
        Equivocation(0).Header.Hash().AsSpan(0, 31).CopyTo(slot);
        slot[32] = 10; // zig-zag of 5
        Assert.Equal(Hashing.Sha256(slot), evidence.Hash());
    }

    [Fact]
    public void Evidence_protobuf_is_an_evidence_oneof_around_the_light_block_with_its_header_and_commit()
    {
        var conflicting = Equivocation(0);
        var evidence = LightClientAttackEvidence.Create(conflicting, _chain.LightBlockAt(5), _chain.LightBlockAt(2));
        var bytes = evidence.ToProtobuf();
        var inner = EvidenceEncoder.EncodeLightClientAttackEvidence(evidence);
        // Evidence{light_client_attack_evidence = 2}: tag 0x12, varint length, the message.
        Assert.Equal(0x12, bytes[0]);
        Assert.Equal(inner, bytes[(1 + ProtoWriter.VarintSize((ulong)inner.Length))..]);
        var lightBlock = EvidenceEncoder.EncodeLightBlock(conflicting);
        Assert.Equal(0x0a, inner[0]);
        Assert.Equal(lightBlock, inner.AsSpan(1 + ProtoWriter.VarintSize((ulong)lightBlock.Length), lightBlock.Length).ToArray());
        Assert.True(lightBlock.AsSpan().IndexOf(BlockEncoder.EncodeHeader(conflicting.Header)) > 0);
        Assert.True(lightBlock.AsSpan().IndexOf(BlockEncoder.EncodeCommit(conflicting.Commit)) > 0);
    }
}
