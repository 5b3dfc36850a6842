using Citrine.CometBft.LightClient;

namespace Citrine.CometBft.Tests.LightClient;

public class VerdictTests
{
    [Fact]
    public void Default_verdict_is_not_a_success()
    {
        Verdict verdict = default;
        Assert.False(verdict.IsSuccess);
        Assert.Equal(VerdictStatus.Unset, verdict.Status);
        Assert.True(Verdict.Success.IsSuccess);
    }

    /// <summary>The test where only that check fails and its reason is asserted (nameof keeps the names honest).</summary>
    private static readonly Dictionary<VerdictReason, string> TestOfReason = new()
    {
        [VerdictReason.InvalidTrustOptions] = nameof(VerifierTests.Verify_rejects_trust_threshold_outside_one_third_to_one),
        [VerdictReason.ChainIdMismatch] = nameof(LightStoreTests.File_store_refuses_a_stored_block_of_another_chain),
        [VerdictReason.UnsupportedBlockVersion] = nameof(VerifierTests.Verify_rejects_header_with_another_block_protocol),
        [VerdictReason.InvalidHeight] = nameof(VerifierTests.Verify_rejects_header_of_height_zero),
        [VerdictReason.InvalidChainId] = nameof(VerifierTests.Verify_rejects_header_whose_chain_id_is_too_long),
        [VerdictReason.InvalidHeaderField] = nameof(VerifierTests.Verify_rejects_header_whose_data_hash_is_not_32_bytes),
        [VerdictReason.InvalidTime] = nameof(VerifierTests.Verify_rejects_header_with_out_of_range_time),
        [VerdictReason.InvalidValidatorSet] = nameof(VerifierTests.Verify_rejects_validator_with_zero_power),
        [VerdictReason.DuplicateValidator] = nameof(VerifierTests.Verify_rejects_validator_set_with_a_duplicate_validator),
        [VerdictReason.ValidatorsHashMismatch] = nameof(VerifierTests.Verify_rejects_validator_set_that_does_not_hash_to_validators_hash),
        [VerdictReason.NextValidatorsHashMismatch] = nameof(LightStoreTests.File_store_refuses_a_stored_block_whose_next_validators_were_swapped),
        [VerdictReason.CommitHeightMismatch] = nameof(VerifierTests.Verify_rejects_commit_for_another_height),
        [VerdictReason.CommitBlockIdMismatch] = nameof(BisectionTests.Bisection_reports_the_failing_check_of_a_tampered_intermediate_block),
        [VerdictReason.InvalidCommit] = nameof(VerifierTests.Verify_rejects_commit_for_an_empty_block_id),
        [VerdictReason.InvalidCommitSig] = nameof(VerifierTests.Verify_rejects_commit_signature_of_wrong_length),
        [VerdictReason.CommitSignatureCountMismatch] = nameof(VerifierTests.Verify_rejects_commit_with_fewer_signatures_than_validators),
        [VerdictReason.CommitSignerMismatch] = nameof(VerifierTests.Verify_rejects_commit_whose_signatures_are_out_of_validator_order),
        [VerdictReason.InvalidSignature] = nameof(LightStoreTests.File_store_refuses_a_stored_block_whose_signature_was_altered),
        [VerdictReason.TrustedHeaderExpired] = nameof(VerifierTests.Verify_rejects_when_trusted_header_is_past_its_trusting_period),
        [VerdictReason.HeaderFromFuture] = nameof(VerifierTests.Verify_rejects_header_timed_exactly_at_now_plus_max_clock_drift),
        [VerdictReason.NonMonotonicHeight] = nameof(BisectionTests.Bisection_refuses_a_target_below_the_trusted_height),
        [VerdictReason.NonMonotonicTime] = nameof(VerifierTests.Verify_rejects_header_whose_time_is_not_after_the_trusted_time),
        [VerdictReason.AdjacentValidatorsMismatch] = nameof(VerifierTests.Verify_rejects_adjacent_header_whose_validators_are_not_the_trusted_next_validators),
        [VerdictReason.InsufficientVotingPower] = nameof(BisectionTests.Trust_root_requires_two_thirds_of_its_validators),
        [VerdictReason.NotEnoughTrust] = nameof(VerifierTests.Verify_says_not_enough_trust_when_the_trusted_validators_were_all_replaced),
        [VerdictReason.TrustedHashMismatch] = nameof(BisectionTests.Trust_root_is_accepted_only_with_the_matching_hash),
        [VerdictReason.TrustedNextValidatorsMismatch] = nameof(VerifierTests.Verify_rejects_a_trusted_block_whose_next_validators_are_not_the_ones_its_header_names),
        [VerdictReason.NoWitnesses] = nameof(ForkDetectorTests.Detector_refuses_without_witnesses),
        [VerdictReason.WitnessUnavailable] = nameof(ForkDetectorTests.Detector_refuses_when_a_witness_is_unreachable_even_if_another_agrees),
        [VerdictReason.WitnessBadResponse] = nameof(ForkDetectorTests.Detector_refuses_a_witness_that_answers_with_another_height),
        [VerdictReason.WitnessBehind] = nameof(ForkDetectorTests.Detector_refuses_a_witness_still_behind_the_target_time_after_waiting),
        [VerdictReason.FaultyWitness] = nameof(ForkDetectorTests.Detector_refuses_a_witness_whose_conflicting_block_does_not_verify),
        [VerdictReason.LightClientAttack] = nameof(ForkDetectorTests.Detector_proves_an_attack_from_a_witness_with_a_conflicting_verified_block),
        [VerdictReason.ProposerPrioritiesDiverge] = nameof(ForkDetectorTests.Detector_refuses_a_witness_with_the_same_block_but_other_proposer_priorities),
    };

    [Fact]
    public void Every_verdict_reason_has_a_test_where_only_its_check_fails()
    {
        var missing = Enum.GetValues<VerdictReason>().Where(r => r != VerdictReason.None && !TestOfReason.ContainsKey(r)).ToList();
        Assert.True(missing.Count == 0, "reasons without a dedicated test: " + string.Join(", ", missing));
    }
}
