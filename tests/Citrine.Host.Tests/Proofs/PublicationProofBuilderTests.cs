using Citrine.Chain.App;
using Citrine.CometBft.Encoding;
using Citrine.Enclave.LightClient;
using Citrine.Enclave.Publication;
using Citrine.Host.Proofs;

namespace Citrine.Host.Tests.Proofs;

public sealed class PublicationProofBuilderTests
{
    private static EnclaveTrust Trust(TrustedState state) =>
        new(state.Height, state.Hash.ToArray(), state.Root.Options, state.Root.MaxBlockLag);

    private static PublicationVerdict Verify(TrustedState state, PublicationClaim claim, HostPublicationProof proof) =>
        PublicationVerifier.Verify(state, claim, new PublicationProof(proof.LightBlocks, proof.QueryHeight, proof.Value is { } v ? (ReadOnlyMemory<byte>?)v : null, proof.ProofOps));

    [Fact]
    public async Task Proof_over_adjacent_blocks_is_accepted_by_the_enclave_verifier()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(2);
        devnet.Submit(devnet.SendTx(0, 1, 5, 0));
        devnet.Produce(2);
        var state = devnet.State(3);
        var proof = await new PublicationProofBuilder(devnet.Client).BuildAsync(ChainApp.BankStore, devnet.Address(1), Trust(state));

        Assert.Equal(3, proof.QueryHeight);
        Assert.Equal([4L], proof.LightBlocks.Select(b => b.Height));
        var verdict = Verify(state, new PublicationClaim(ChainApp.BankStore, devnet.Address(1)), proof);
        Assert.True(verdict.IsSuccess, verdict.ToString());
        Assert.Equal(4, verdict.VerifiedHeight);
    }

    [Fact]
    public async Task Proof_skips_blocks_when_the_validators_keep_enough_trust()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(12);
        var state = devnet.State(2);
        var proof = await new PublicationProofBuilder(devnet.Client).BuildAsync(ChainApp.BankStore, devnet.Address(0), Trust(state));

        Assert.Equal(11, proof.QueryHeight);
        Assert.Equal([12L], proof.LightBlocks.Select(b => b.Height));
        var verdict = Verify(state, new PublicationClaim(ChainApp.BankStore, devnet.Address(0)), proof);
        Assert.True(verdict.IsSuccess, verdict.ToString());
    }

    [Fact]
    public async Task Proof_bisects_across_a_full_validator_replacement()
    {
        await using var devnet = await Devnet.StartAsync(validators: 2, extraKeys: 2);
        devnet.Produce(2);
        devnet.ReplaceValidators(2, 2, sequence: 0);
        devnet.Produce(7); // decided at 3, in force from 5; tip 9
        var state = devnet.State(2);
        var proof = await new PublicationProofBuilder(devnet.Client).BuildAsync(ChainApp.BankStore, devnet.Address(0), Trust(state));

        Assert.Equal(8, proof.QueryHeight);
        // 2 → 9 lacks trust (no validator of 3 signs 9), so are 2 → 5 and 3 → 5; adjacent steps get over the change.
        Assert.Equal([3L, 4L, 5L, 9L], proof.LightBlocks.Select(b => b.Height));
        var verdict = Verify(state, new PublicationClaim(ChainApp.BankStore, devnet.Address(0)), proof);
        Assert.True(verdict.IsSuccess, verdict.ToString());
        // The skip the builder avoided is refused by the enclave.
        var skipped = Verify(state, new PublicationClaim(ChainApp.BankStore, devnet.Address(0)), proof with { LightBlocks = [proof.LightBlocks[^1]] });
        Assert.Equal(PublicationReason.LightClientRefused, skipped.Reason);
    }

    [Fact]
    public async Task Proof_of_an_absent_key_carries_no_value_and_proves_absence()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(4);
        var state = devnet.State(1);
        var key = Enumerable.Repeat((byte)0x42, 20).ToArray();
        var proof = await new PublicationProofBuilder(devnet.Client).BuildAsync(ChainApp.BankStore, key, Trust(state));

        Assert.Null(proof.Value);
        var verdict = Verify(state, new PublicationClaim(ChainApp.BankStore, key) { Absent = true }, proof);
        Assert.True(verdict.IsSuccess, verdict.ToString());
    }

    [Fact]
    public async Task Proof_under_the_trusted_header_itself_needs_no_light_block()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(5);
        var state = devnet.State(5);
        var proof = await new PublicationProofBuilder(devnet.Client).BuildAsync(ChainApp.BankStore, devnet.Address(0), Trust(state), queryHeight: 4);

        Assert.Empty(proof.LightBlocks);
        Assert.True(Verify(state, new PublicationClaim(ChainApp.BankStore, devnet.Address(0)), proof).IsSuccess);
    }

    [Fact]
    public async Task Protocol_message_carries_light_blocks_as_tendermint_protobuf_and_ops_in_order()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(4);
        var proof = await new PublicationProofBuilder(devnet.Client).BuildAsync(ChainApp.BankStore, devnet.Address(0), Trust(devnet.State(1)));
        var wire = proof.ToProtocol();

        Assert.Equal(proof.QueryHeight, wire.QueryHeight);
        Assert.Equal(proof.LightBlocks.Select(b => LightBlockProtobuf.Encode(b).LightBlock), wire.LightBlocks.Select(b => b.Encoded.ToByteArray()));
        Assert.Equal(proof.LightBlocks.Select(b => LightBlockProtobuf.Encode(b).NextValidatorSet), wire.LightBlocks.Select(b => b.NextValidatorSet.ToByteArray()));
        Assert.Equal(proof.ProofOps.Select(o => o.Type), wire.ProofOps.Select(o => o.Type));
        Assert.Equal(proof.Value, wire.Value.ToByteArray());
    }

    [Fact]
    public async Task Builder_refuses_a_query_height_the_node_cannot_serve_yet()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(3);
        var e = await Assert.ThrowsAsync<PublicationProofException>(() =>
            new PublicationProofBuilder(devnet.Client).BuildAsync(ChainApp.BankStore, devnet.Address(0), Trust(devnet.State(1)), queryHeight: 3));
        Assert.Equal(ProofBuildError.HeightUnavailable, e.Error);
    }

    [Fact]
    public async Task Builder_refuses_a_proof_behind_the_enclaves_trusted_height()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(6);
        var e = await Assert.ThrowsAsync<PublicationProofException>(() =>
            new PublicationProofBuilder(devnet.Client).BuildAsync(ChainApp.BankStore, devnet.Address(0), Trust(devnet.State(5)), queryHeight: 2));
        Assert.Equal(ProofBuildError.BehindTrustedState, e.Error);
    }

    [Fact]
    public async Task Builder_refuses_when_the_node_is_not_on_the_enclaves_chain()
    {
        await using var devnet = await Devnet.StartAsync();
        await using var other = await Devnet.StartAsync(chainId: "citrine-other");
        devnet.Produce(4);
        other.Produce(4);
        var e = await Assert.ThrowsAsync<PublicationProofException>(() =>
            new PublicationProofBuilder(other.Client).BuildAsync(ChainApp.BankStore, devnet.Address(0), Trust(devnet.State(2))));
        Assert.Equal(ProofBuildError.TrustedBlockMismatch, e.Error);
    }

    [Fact]
    public async Task Builder_reports_an_unreachable_node()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(3);
        var state = devnet.State(1);
        using var http = new HttpClient();
        var closed = new Citrine.Host.Chain.CometRpcClient(new Uri($"http://127.0.0.1:{FakeHttpServer.ClosedPort()}/"), http, new Citrine.Host.Chain.ChainClientOptions { Retries = 0 });
        var e = await Assert.ThrowsAsync<PublicationProofException>(() =>
            new PublicationProofBuilder(closed).BuildAsync(ChainApp.BankStore, devnet.Address(0), Trust(state)));
        Assert.Equal(ProofBuildError.NodeUnreachable, e.Error);
    }

    private static PublicationBatchProof ToBatch(HostStateProof proof) =>
        new(proof.LightBlocks, proof.QueryHeight, [.. proof.Keys.Select(k => new ProvenEntry(k.Key, k.Value is { } v ? (ReadOnlyMemory<byte>?)v : null, k.ProofOps))]);

    [Fact]
    public async Task Many_keys_at_one_height_present_and_absent_are_accepted_by_the_enclaves_batch_verifier()
    {
        await using var devnet = await Devnet.StartAsync(validators: 2, extraKeys: 2);
        devnet.Produce(2);
        devnet.ReplaceValidators(2, 2, sequence: 0);
        devnet.Produce(7);
        var state = devnet.State(2);
        var absent = Enumerable.Repeat((byte)0x42, 20).ToArray();
        ReadOnlyMemory<byte>[] keys = [devnet.Address(0), absent, devnet.Address(2), devnet.Address(1)];

        var proof = await new PublicationProofBuilder(devnet.Client).BuildManyAsync(ChainApp.BankStore, keys, Trust(state));

        Assert.Equal(8, proof.QueryHeight);
        Assert.Equal([3L, 4L, 5L, 9L], proof.LightBlocks.Select(b => b.Height)); // one bisected chain for all keys
        Assert.Equal(keys.Select(k => k.ToArray()), proof.Keys.Select(k => k.Key));
        Assert.Null(proof.Keys[1].Value);
        var claims = keys.Select((k, i) => new PublicationClaim(ChainApp.BankStore, k) { Absent = i == 1 }).ToList();
        var verdict = PublicationVerifier.VerifyBatch(state, claims, ToBatch(proof));
        Assert.True(verdict.IsSuccess, verdict.ToString());
        Assert.Equal(9, verdict.VerifiedHeight);
        Assert.Equal(proof.Keys.Select(k => k.Value), verdict.Values);

        // Entries out of the claims' order are refused by the claim they fail.
        var swapped = ToBatch(proof with { Keys = [proof.Keys[0], proof.Keys[1], proof.Keys[3], proof.Keys[2]] });
        var refused = PublicationVerifier.VerifyBatch(state, claims, swapped);
        Assert.False(refused.IsSuccess);
        Assert.Equal(2, refused.ClaimIndex);
    }

    [Fact]
    public async Task Execute_request_carries_one_entry_per_key_in_order_and_no_value_for_an_absent_key()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(4);
        var absent = Enumerable.Repeat((byte)0x42, 20).ToArray();
        var proof = await new PublicationProofBuilder(devnet.Client).BuildManyAsync(ChainApp.BankStore, [devnet.Address(0), absent], Trust(devnet.State(1)));
        var wire = proof.ToExecuteRequest();

        Assert.Equal(proof.QueryHeight, wire.QueryHeight);
        Assert.Equal(proof.LightBlocks.Select(b => LightBlockProtobuf.Encode(b).LightBlock), wire.LightBlocks.Select(b => b.Encoded.ToByteArray()));
        Assert.Equal([devnet.Address(0), absent], wire.Entries.Select(e => e.Key.ToByteArray()));
        Assert.True(wire.Entries[0].HasValue);
        Assert.Equal(proof.Keys[0].Value, wire.Entries[0].Value.ToByteArray());
        Assert.False(wire.Entries[1].HasValue);
        Assert.Equal(proof.Keys[1].ProofOps.Select(o => o.Data.ToArray()), wire.Entries[1].ProofOps.Select(o => o.Data.ToByteArray()));
    }

    [Fact]
    public async Task A_single_key_proof_is_the_one_key_case_of_the_multi_key_proof()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(4);
        var builder = new PublicationProofBuilder(devnet.Client);
        var one = await builder.BuildAsync(ChainApp.BankStore, devnet.Address(0), Trust(devnet.State(1)), queryHeight: 3);
        var many = await builder.BuildManyAsync(ChainApp.BankStore, [devnet.Address(0)], Trust(devnet.State(1)), queryHeight: 3);

        Assert.Equal(one.LightBlocks.Select(b => b.Height), many.LightBlocks.Select(b => b.Height));
        Assert.Equal(one.Value, many.Keys[0].Value);
        Assert.Equal(one.ProofOps.Select(o => o.Data.ToArray()), many.Keys[0].ProofOps.Select(o => o.Data.ToArray()));
    }
}
