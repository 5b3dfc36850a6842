using Citrine.Chain.App;
using Citrine.CometBft.LightClient;
using Citrine.Crypto.Signatures;
using Citrine.Enclave.Publication;
using Citrine.Ics23.Abci;
using Citrine.Ics23.Verification;

namespace Citrine.Enclave.Tests.Publication;

public sealed class PublicationVerifierTests : IDisposable
{
    // Heights 1..8; the balance of account 1 changes in block 3 (state version 3).
    private readonly Devnet _chain = new();

    public PublicationVerifierTests()
    {
        _chain.Produce(2);
        _chain.SendAndProduce(77, 0);
        _chain.Produce(5);
    }

    public void Dispose() => _chain.Dispose();

    private static PublicationVerdict AssertRefused(PublicationReason reason, PublicationVerdict verdict)
    {
        Assert.False(verdict.IsSuccess);
        Assert.True(reason == verdict.Reason, $"expected {reason}, got {verdict}");
        Assert.Null(verdict.State);
        Assert.NotEmpty(verdict.Detail);
        return verdict;
    }

    [Fact]
    public void Verify_accepts_adjacent_light_blocks_and_a_bank_record_proof()
    {
        var state = _chain.State(2);
        var verdict = PublicationVerifier.Verify(state, _chain.BalanceClaim(1), _chain.Proof(1, from: 3, queryHeight: 4));
        Assert.True(verdict.IsSuccess, verdict.ToString());
        Assert.Equal(5, verdict.VerifiedHeight);
        Assert.Equal(4, verdict.StateHeight);
        Assert.Equal(_chain.Query(1, 4).Value, verdict.Value);
        Assert.Equal(5, verdict.State!.Height);
        Assert.Equal(1UL, verdict.State.Generation);
        Assert.Equal(_chain.Block(5).Header.Time, verdict.State.Clock);
    }

    private PublicationBatchProof BatchProof(long from, long queryHeight, params int[] accounts) =>
        new(_chain.Blocks(from, queryHeight + 1), queryHeight, [.. accounts.Select(a =>
        {
            var (value, ops) = _chain.Query(a, queryHeight);
            return new ProvenEntry(_chain.Address(a), value, ops);
        })]);

    [Fact]
    public void VerifyBatch_proves_several_claims_under_one_set_of_light_blocks()
    {
        var verdict = PublicationVerifier.VerifyBatch(_chain.State(2), [_chain.BalanceClaim(0), _chain.BalanceClaim(1)], BatchProof(3, 4, 0, 1));
        Assert.True(verdict.IsSuccess, verdict.ToString());
        Assert.Equal(5, verdict.VerifiedHeight);
        Assert.Equal(_chain.Query(0, 4).Value, verdict.Values[0]);
        Assert.Equal(_chain.Query(1, 4).Value, verdict.Values[1]);
        Assert.Equal(5, verdict.State!.Height);
    }

    [Fact]
    public void VerifyBatch_names_the_claim_whose_entry_failed()
    {
        // Entry 1 proves account 0's record where account 1's is claimed.
        var verdict = PublicationVerifier.VerifyBatch(_chain.State(2), [_chain.BalanceClaim(0), _chain.BalanceClaim(1)], BatchProof(3, 4, 0, 0));
        AssertRefused(PublicationReason.WrongKey, verdict);
        Assert.Equal(1, verdict.ClaimIndex);
        Assert.StartsWith("claim 1 (", verdict.Detail, StringComparison.Ordinal);

        // A failure of the header is about no claim.
        var proof = BatchProof(3, 4, 0, 1);
        var missing = PublicationVerifier.VerifyBatch(_chain.State(2), [_chain.BalanceClaim(0), _chain.BalanceClaim(1)], proof with { LightBlocks = [.. proof.LightBlocks.SkipLast(1)] });
        AssertRefused(PublicationReason.ProofHeaderMissing, missing);
        Assert.Null(missing.ClaimIndex);

        // One entry for two claims is malformed.
        AssertRefused(PublicationReason.MalformedInput,
            PublicationVerifier.VerifyBatch(_chain.State(2), [_chain.BalanceClaim(0), _chain.BalanceClaim(1)], proof with { Entries = [proof.Entries[0]] }));
    }

    [Fact]
    public void Verify_accepts_a_skipping_step_checked_by_the_light_client()
    {
        var state = _chain.State(1);
        var (value, ops) = _chain.Query(1, 6);
        var verdict = PublicationVerifier.Verify(state, _chain.BalanceClaim(1), new PublicationProof([_chain.Block(7)], 6, value, ops));
        Assert.True(verdict.IsSuccess, verdict.ToString());
        Assert.Equal(7, verdict.State!.Height);
    }

    [Fact]
    public void Verify_accepts_a_proof_under_the_trusted_header_and_keeps_the_state()
    {
        var state = _chain.State(5);
        var (value, ops) = _chain.Query(1, 4);
        var verdict = PublicationVerifier.Verify(state, _chain.BalanceClaim(1), new PublicationProof([], 4, value, ops));
        Assert.True(verdict.IsSuccess, verdict.ToString());
        Assert.Same(state, verdict.State);
    }

    [Fact]
    public void Verify_accepts_a_proof_of_absence()
    {
        var state = _chain.State(2);
        var unknown = new byte[20];
        var result = _chain.Node.QueryState(ChainApp.BankStore, unknown, 4, prove: true);
        Assert.Null(result.Value);
        var claim = new PublicationClaim(ChainApp.BankStore, unknown) { Absent = true };
        var verdict = PublicationVerifier.Verify(state, claim, new PublicationProof(_chain.Blocks(3, 5), 4, null, result.ProofOps!));
        Assert.True(verdict.IsSuccess, verdict.ToString());
        Assert.Null(verdict.Value);
    }

    [Fact]
    public void Verify_refuses_a_membership_proof_without_a_value() =>
        AssertRefused(PublicationReason.MalformedInput,
            PublicationVerifier.Verify(_chain.State(2), _chain.BalanceClaim(1), _chain.Proof(1, 3, 4) with { Value = null }));

    [Fact]
    public void Verify_refuses_a_light_block_of_another_chain()
    {
        var block = _chain.Block(3);
        var other = block with { SignedHeader = block.SignedHeader with { Header = block.Header with { ChainId = "other-chain" } } };
        var proof = _chain.Proof(1, 3, 4);
        AssertRefused(PublicationReason.ChainIdMismatch,
            PublicationVerifier.Verify(_chain.State(2), _chain.BalanceClaim(1), proof with { LightBlocks = [other, .. proof.LightBlocks.Skip(1)] }));
    }

    [Fact]
    public void Verify_refuses_a_light_block_at_the_trusted_height()
    {
        var proof = _chain.Proof(1, 3, 4);
        AssertRefused(PublicationReason.HeightNotAscending,
            PublicationVerifier.Verify(_chain.State(3), _chain.BalanceClaim(1), proof));
    }

    [Fact]
    public void Verify_refuses_a_block_that_winds_the_enclave_clock_back()
    {
        var state = _chain.State(2);
        var good = _chain.Block(3);
        // Signed by the real validator key, so only the time is wrong: the host (or a validator
        // it controls) tries to make the enclave believe it is earlier than it knows.
        var forged = Devnet.Resign(good, good.Header with { Time = state.Clock }, _chain.ValidatorKeys());
        var proof = _chain.Proof(1, 3, 4);
        AssertRefused(PublicationReason.ClockWoundBack,
            PublicationVerifier.Verify(state, _chain.BalanceClaim(1), proof with { LightBlocks = [forged, .. proof.LightBlocks.Skip(1)] }));
    }

    [Fact]
    public void Verify_refuses_a_first_block_that_does_not_chain_to_the_trusted_hash()
    {
        // A fork signed by the same validator: same genesis, another transaction in block 3.
        using var fork = new Devnet();
        fork.Produce(2);
        fork.SendAndProduce(5, 0);
        fork.Produce(2);
        var state = _chain.State(3);
        var (value, ops) = fork.Query(1, 4);
        var verdict = AssertRefused(PublicationReason.NotChained,
            PublicationVerifier.Verify(state, fork.BalanceClaim(1), new PublicationProof(fork.Blocks(4, 5), 4, value, ops)));
        Assert.Contains(Convert.ToHexString(state.Hash), verdict.Detail, StringComparison.Ordinal);
        // The light client alone would have accepted the adjacent step: the hash link is this verifier's check.
        Assert.True(Verifier.Verify(state.Block, fork.Block(4), state.Root.Options, fork.Block(4).Header.Time).IsSuccess);
    }

    [Fact]
    public void Verify_refuses_a_forged_chain_signed_by_other_keys()
    {
        var good = _chain.Block(3);
        using var forger = Ed25519PrivateKey.FromSeed(new byte[32]);
        var forged = Devnet.Resign(good, good.Header with { AppHash = new byte[32] }, [forger]);
        var proof = _chain.Proof(1, 3, 4);
        var verdict = AssertRefused(PublicationReason.LightClientRefused,
            PublicationVerifier.Verify(_chain.State(2), _chain.BalanceClaim(1), proof with { LightBlocks = [forged, .. proof.LightBlocks.Skip(1)] }));
        Assert.Equal(VerdictReason.InvalidSignature, verdict.LightClientReason);
    }

    [Fact]
    public void Verify_refuses_a_proof_under_a_header_behind_the_trusted_state()
    {
        var (value, ops) = _chain.Query(1, 3);
        AssertRefused(PublicationReason.ProofBehindTrustedState,
            PublicationVerifier.Verify(_chain.State(5), _chain.BalanceClaim(1), new PublicationProof([], 3, value, ops)));
    }

    [Fact]
    public void Verify_refuses_a_proof_whose_header_is_not_given()
    {
        var (value, ops) = _chain.Query(1, 5);
        AssertRefused(PublicationReason.ProofHeaderMissing,
            PublicationVerifier.Verify(_chain.State(2), _chain.BalanceClaim(1), new PublicationProof(_chain.Blocks(3, 4), 5, value, ops)));
    }

    [Fact]
    public void Verify_refuses_a_proof_older_than_max_block_lag()
    {
        var (value, ops) = _chain.Query(1, 3);
        var verdict = AssertRefused(PublicationReason.ProofTooOld,
            PublicationVerifier.Verify(_chain.State(2, maxBlockLag: 2), _chain.BalanceClaim(1), new PublicationProof(_chain.Blocks(3, 7), 3, value, ops)));
        Assert.Contains("max block lag is 2", verdict.Detail, StringComparison.Ordinal);
        // At the lag bound itself the proof is still fresh.
        Assert.True(PublicationVerifier.Verify(_chain.State(2, maxBlockLag: 2), _chain.BalanceClaim(1), new PublicationProof(_chain.Blocks(3, 6), 3, value, ops)).IsSuccess);
    }

    [Fact]
    public void Verify_refuses_a_proof_that_is_not_key_in_store_in_multistore()
    {
        var proof = _chain.Proof(1, 3, 4);
        AssertRefused(PublicationReason.ProofShapeMismatch,
            PublicationVerifier.Verify(_chain.State(2), _chain.BalanceClaim(1), proof with { ProofOps = [proof.ProofOps[0]] }));
    }

    [Fact]
    public void Verify_refuses_a_proof_for_another_store()
    {
        AssertRefused(PublicationReason.WrongStore,
            PublicationVerifier.Verify(_chain.State(2), _chain.BalanceClaim(1) with { Store = ChainApp.AccountStore }, _chain.Proof(1, 3, 4)));
    }

    [Fact]
    public void Verify_refuses_a_proof_for_another_key()
    {
        AssertRefused(PublicationReason.WrongKey,
            PublicationVerifier.Verify(_chain.State(2), _chain.BalanceClaim(2), _chain.Proof(1, 3, 4)));
    }

    [Fact]
    public void Verify_refuses_a_value_other_than_the_expected_one()
    {
        var claim = _chain.BalanceClaim(1) with { ExpectedValue = _chain.Query(1, 2).Value };
        AssertRefused(PublicationReason.WrongValue, PublicationVerifier.Verify(_chain.State(2), claim, _chain.Proof(1, 3, 4)));
    }

    [Fact]
    public void Verify_refuses_proof_ops_whose_data_does_not_decode()
    {
        var proof = _chain.Proof(1, 3, 4);
        var broken = proof.ProofOps[0] with { Data = new byte[] { 0xff, 0xff, 0xff } };
        AssertRefused(PublicationReason.ProofMalformed,
            PublicationVerifier.Verify(_chain.State(2), _chain.BalanceClaim(1), proof with { ProofOps = [broken, proof.ProofOps[1]] }));
    }

    [Fact]
    public void Verify_refuses_a_proof_under_a_wrong_app_hash()
    {
        // The record as it was before the send of block 3, passed off as the state at height 4.
        var (value, ops) = _chain.Query(1, 2);
        var verdict = AssertRefused(PublicationReason.AppHashMismatch,
            PublicationVerifier.Verify(_chain.State(2), _chain.BalanceClaim(1), new PublicationProof(_chain.Blocks(3, 5), 4, value, ops)));
        Assert.Equal(Ics23Error.AppHashMismatch, verdict.Ics23Error);
    }

    [Fact]
    public void Verify_refuses_swapped_specs_whatever_the_ops_claim()
    {
        var proof = _chain.Proof(1, 3, 4);
        ProofOp[] swapped = [proof.ProofOps[0] with { Type = ProofOps.SimpleType }, proof.ProofOps[1] with { Type = ProofOps.IavlType }];
        var verdict = AssertRefused(PublicationReason.Ics23Refused,
            PublicationVerifier.Verify(_chain.State(2), _chain.BalanceClaim(1), proof with { ProofOps = swapped }));
        Assert.Equal(Ics23Error.ProofOpTypeMismatch, verdict.Ics23Error);
    }

    /// <summary>A flipped bit in any byte of the host's proof ops is a refusal with a reason, never a success or an exception.</summary>
    [Fact]
    public void Verify_refuses_every_bit_flip_of_the_proof_ops()
    {
        var proof = _chain.Proof(1, 3, 4);
        var state = _chain.State(2);
        var claim = _chain.BalanceClaim(1);
        for (var index = 0; index < proof.ProofOps.Count; index++)
        {
            var original = proof.ProofOps[index].Data.ToArray();
            for (var position = 0; position < original.Length; position++)
            {
                foreach (var bit in new byte[] { 0x01, 0x80 })
                {
                    var data = (byte[])original.Clone();
                    data[position] ^= bit;
                    var changed = index;
                    ProofOp[] ops = [.. proof.ProofOps.Select((o, i) => i == changed ? o with { Data = data } : o)];
                    var verdict = PublicationVerifier.Verify(state, claim, proof with { ProofOps = ops });
                    Assert.True(verdict.Reason is PublicationReason.ProofMalformed or PublicationReason.AppHashMismatch or PublicationReason.Ics23Refused,
                        $"op {index} byte {position} ^ {bit:x2}: {verdict}");
                }
            }
        }
    }

    [Fact]
    public void Default_verdict_is_not_a_success() => Assert.False(new PublicationVerdict().IsSuccess);

    [Fact]
    public void Every_reason_has_a_test()
    {
        var tested = typeof(PublicationVerifierTests).GetMethods()
            .Where(m => m.GetCustomAttributes(typeof(FactAttribute), false).Length > 0)
            .Select(m => m.Name)
            .ToHashSet(StringComparer.Ordinal);
        var expectedTests = new Dictionary<PublicationReason, string>
        {
            [PublicationReason.None] = nameof(Verify_accepts_adjacent_light_blocks_and_a_bank_record_proof),
            [PublicationReason.MalformedInput] = nameof(Verify_refuses_a_membership_proof_without_a_value),
            [PublicationReason.ChainIdMismatch] = nameof(Verify_refuses_a_light_block_of_another_chain),
            [PublicationReason.HeightNotAscending] = nameof(Verify_refuses_a_light_block_at_the_trusted_height),
            [PublicationReason.ClockWoundBack] = nameof(Verify_refuses_a_block_that_winds_the_enclave_clock_back),
            [PublicationReason.NotChained] = nameof(Verify_refuses_a_first_block_that_does_not_chain_to_the_trusted_hash),
            [PublicationReason.LightClientRefused] = nameof(Verify_refuses_a_forged_chain_signed_by_other_keys),
            [PublicationReason.ProofBehindTrustedState] = nameof(Verify_refuses_a_proof_under_a_header_behind_the_trusted_state),
            [PublicationReason.ProofHeaderMissing] = nameof(Verify_refuses_a_proof_whose_header_is_not_given),
            [PublicationReason.ProofTooOld] = nameof(Verify_refuses_a_proof_older_than_max_block_lag),
            [PublicationReason.ProofShapeMismatch] = nameof(Verify_refuses_a_proof_that_is_not_key_in_store_in_multistore),
            [PublicationReason.WrongStore] = nameof(Verify_refuses_a_proof_for_another_store),
            [PublicationReason.WrongKey] = nameof(Verify_refuses_a_proof_for_another_key),
            [PublicationReason.WrongValue] = nameof(Verify_refuses_a_value_other_than_the_expected_one),
            [PublicationReason.ProofMalformed] = nameof(Verify_refuses_proof_ops_whose_data_does_not_decode),
            [PublicationReason.AppHashMismatch] = nameof(Verify_refuses_a_proof_under_a_wrong_app_hash),
            [PublicationReason.Ics23Refused] = nameof(Verify_refuses_swapped_specs_whatever_the_ops_claim),
        };
        foreach (var reason in Enum.GetValues<PublicationReason>())
        {
            Assert.True(expectedTests.TryGetValue(reason, out var test) && tested.Contains(test), $"reason {reason} has no test");
        }
    }
}
