using Citrine.CometBft.Encoding;
using Citrine.CometBft.Types;

namespace Citrine.CometBft.LightClient;

/// <summary>
/// The light-client verification step (CometBFT spec light-client/verification, CometBFT
/// light/verifier.go, tendermint-rs light-client-verifier <c>verify_update_header</c>): decides
/// whether an untrusted light block can be trusted given a trusted one. Pure: the time is a
/// parameter. Checks run in a fixed order and the first failure is the verdict:
/// <list type="number">
/// <item>trust options valid; the trusted next validator set is the one the trusted header names; trusted
/// header within the trusting period;</item>
/// <item>untrusted header, commit and validator sets well-formed (ValidateBasic), same chain;</item>
/// <item>header strictly before now + max clock drift;</item>
/// <item>validator set and next validator set match the header's hashes; the commit is for this header;</item>
/// <item>commit structure matches the validator set (count, signer addresses);</item>
/// <item>time and height increase;</item>
/// <item>adjacent: the header's validators are the trusted next validators; non-adjacent: at least the
/// trust threshold of the trusted next validators signed (else <see cref="VerdictStatus.NotEnoughTrust"/>);</item>
/// <item>more than 2/3 of the header's own validators signed.</item>
/// </list>
/// Signature checks stop once enough power is counted (as CometBFT does).
/// </summary>
public static class Verifier
{
    public const int MaxChainIdLength = 50;

    /// <summary>Verifies <paramref name="untrusted"/> from <paramref name="trusted"/>, adjacent or skipping as the heights say.</summary>
    public static Verdict Verify(LightBlock trusted, LightBlock untrusted, TrustOptions options, DateTimeOffset now) =>
        Verify(trusted, untrusted, options, Timestamp.FromDateTimeOffset(now));

    public static Verdict Verify(LightBlock trusted, LightBlock untrusted, TrustOptions options, Timestamp now)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        ArgumentNullException.ThrowIfNull(untrusted);
        ArgumentNullException.ThrowIfNull(options);

        if (options.Problem() is { } optionsProblem)
        {
            return Verdict.Invalid(VerdictReason.InvalidTrustOptions, optionsProblem);
        }
        var trustedHeader = trusted.Header;
        if (trustedHeader.ChainId != options.ChainId)
        {
            return Verdict.Invalid(VerdictReason.ChainIdMismatch, $"trusted header is for chain '{trustedHeader.ChainId}', expected '{options.ChainId}'");
        }
        if (trusted.NextValidators.Problem is { Kind: not ValidatorSetProblemKind.Empty } trustedProblem)
        {
            return Verdict.Invalid(VerdictReason.InvalidValidatorSet, $"trusted next validator set: {trustedProblem.Message}");
        }
        // The skipping step counts signatures of trusted.NextValidators: a set that the trusted header
        // does not name would let whoever assembled the trusted block choose who is trusted.
        if (!trusted.NextValidators.HashSpan.SequenceEqual(trustedHeader.NextValidatorsHash))
        {
            return Verdict.Invalid(VerdictReason.TrustedNextValidatorsMismatch,
                $"trusted next validator set hashes to {Convert.ToHexString(trusted.NextValidators.HashSpan)}, trusted header {trustedHeader.Height} says {Convert.ToHexString(trustedHeader.NextValidatorsHash)}");
        }
        var expires = trustedHeader.Time.AddNanoseconds(ToNanoseconds(options.TrustingPeriod));
        if (expires <= now)
        {
            return Verdict.Invalid(VerdictReason.TrustedHeaderExpired,
                $"trusted header {trustedHeader.Height} (time {trustedHeader.Time}) expired at {expires}, now {now}");
        }

        var basic = ValidateLightBlock(untrusted, options.ChainId);
        if (!basic.IsSuccess)
        {
            return basic;
        }
        var header = untrusted.Header;
        if (FromTheFuture(header, options, now) is { } future)
        {
            return future;
        }
        var binding = CheckHashesAndCommitShape(untrusted);
        if (!binding.IsSuccess)
        {
            return binding;
        }
        if (header.Time <= trustedHeader.Time)
        {
            return Verdict.Invalid(VerdictReason.NonMonotonicTime,
                $"header time {header.Time} is not after trusted header time {trustedHeader.Time}");
        }
        if (header.Height <= trustedHeader.Height)
        {
            return Verdict.Invalid(VerdictReason.NonMonotonicHeight,
                $"header height {header.Height} is not above trusted height {trustedHeader.Height}");
        }

        var commit = untrusted.Commit;
        var template = new VoteSignBytes(options.ChainId, commit.Height, commit.Round, commit.BlockId);
        Span<bool> verified = commit.Signatures.Count <= 512 ? stackalloc bool[commit.Signatures.Count] : new bool[commit.Signatures.Count];
        if (header.Height == trustedHeader.Height + 1)
        {
            if (!header.ValidatorsHash.AsSpan().SequenceEqual(trustedHeader.NextValidatorsHash))
            {
                return Verdict.Invalid(VerdictReason.AdjacentValidatorsMismatch,
                    $"validators hash {Convert.ToHexString(header.ValidatorsHash)} differs from the trusted next validators hash {Convert.ToHexString(trustedHeader.NextValidatorsHash)}");
            }
        }
        else
        {
            var trusting = VerifyCommitTrusting(trusted.NextValidators, commit, template, options.TrustThreshold, verified);
            if (!trusting.IsSuccess)
            {
                return trusting;
            }
        }
        return VerifyCommitLight(untrusted.Validators, commit, template, verified);
    }

    /// <summary>
    /// Checks a trust root: <paramref name="block"/> hashes to <paramref name="trustedHash"/>, is
    /// well-formed and bound to its validator sets, is within the trusting period and not from the
    /// future, and more than 2/3 of its validators signed it.
    /// </summary>
    public static Verdict VerifyTrustRoot(LightBlock block, ReadOnlySpan<byte> trustedHash, TrustOptions options, Timestamp now)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } optionsProblem)
        {
            return Verdict.Invalid(VerdictReason.InvalidTrustOptions, optionsProblem);
        }
        var basic = ValidateLightBlock(block, options.ChainId);
        if (!basic.IsSuccess)
        {
            return basic;
        }
        var hash = block.Header.Hash();
        if (!hash.AsSpan().SequenceEqual(trustedHash))
        {
            return Verdict.Invalid(VerdictReason.TrustedHashMismatch,
                $"block {block.Height} hashes to {Convert.ToHexString(hash)}, the trusted hash is {Convert.ToHexString(trustedHash)}");
        }
        var expires = block.Header.Time.AddNanoseconds(ToNanoseconds(options.TrustingPeriod));
        if (expires <= now)
        {
            return Verdict.Invalid(VerdictReason.TrustedHeaderExpired, $"trusted header {block.Height} (time {block.Header.Time}) expired at {expires}, now {now}");
        }
        if (FromTheFuture(block.Header, options, now) is { } future)
        {
            return future;
        }
        var binding = CheckHashesAndCommitShape(block);
        if (!binding.IsSuccess)
        {
            return binding;
        }
        var commit = block.Commit;
        var template = new VoteSignBytes(options.ChainId, commit.Height, commit.Round, commit.BlockId);
        Span<bool> none = commit.Signatures.Count <= 512 ? stackalloc bool[commit.Signatures.Count] : new bool[commit.Signatures.Count];
        return VerifyCommitLight(block.Validators, commit, template, none);
    }

    /// <summary>
    /// Re-checks a block read back from storage, with no trusted block to hand: well-formed for
    /// <paramref name="chainId"/>, bound to its validator sets, its commit for its header, and more than
    /// 2/3 of its own validators signed it. A file that was altered after it was verified fails here,
    /// before the light client trusts it again. Neither time nor the trusting period is checked:
    /// that is the verifier's job when the block is next used as the trusted one.
    /// </summary>
    public static Verdict VerifyStored(LightBlock block, string chainId)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentException.ThrowIfNullOrEmpty(chainId);
        var basic = ValidateLightBlock(block, chainId);
        if (!basic.IsSuccess)
        {
            return basic;
        }
        var binding = CheckHashesAndCommitShape(block);
        if (!binding.IsSuccess)
        {
            return binding;
        }
        var commit = block.Commit;
        var template = new VoteSignBytes(chainId, commit.Height, commit.Round, commit.BlockId);
        Span<bool> none = commit.Signatures.Count <= 512 ? stackalloc bool[commit.Signatures.Count] : new bool[commit.Signatures.Count];
        return VerifyCommitLight(block.Validators, commit, template, none);
    }

    /// <summary>
    /// ValidateBasic of a light block (CometBFT types Header/Commit/CommitSig/ValidatorSet
    /// <c>ValidateBasic</c>) for <paramref name="chainId"/>.
    /// </summary>
    public static Verdict ValidateLightBlock(LightBlock block, string chainId)
    {
        ArgumentNullException.ThrowIfNull(block);
        var header = block.Header;
        if (header.Version.Block != Header.BlockProtocol)
        {
            return Verdict.Invalid(VerdictReason.UnsupportedBlockVersion, $"block protocol {header.Version.Block}, expected {Header.BlockProtocol}");
        }
        if (header.ChainId.Length > MaxChainIdLength)
        {
            return Verdict.Invalid(VerdictReason.InvalidChainId, $"chain id is {header.ChainId.Length} characters, at most {MaxChainIdLength}");
        }
        if (header.ChainId != chainId)
        {
            return Verdict.Invalid(VerdictReason.ChainIdMismatch, $"header is for chain '{header.ChainId}', expected '{chainId}'");
        }
        if (header.Height <= 0)
        {
            return Verdict.Invalid(VerdictReason.InvalidHeight, $"header height {header.Height} is not positive");
        }
        if (!header.Time.IsValid)
        {
            return Verdict.Invalid(VerdictReason.InvalidTime, $"header time {header.Time} is out of range");
        }
        var fieldProblem = HeaderFieldProblem(header);
        if (fieldProblem is not null)
        {
            return Verdict.Invalid(VerdictReason.InvalidHeaderField, fieldProblem);
        }
        var commitCheck = ValidateCommit(block.Commit, header.Height);
        if (!commitCheck.IsSuccess)
        {
            return commitCheck;
        }
        foreach (var (set, name) in new[] { (block.Validators, "validator set"), (block.NextValidators, "next validator set") })
        {
            // An empty next validator set is well-formed here (a chain that halts); it can never
            // be trusted for a later header, since no power can sign.
            if (set.Problem is { } problem && !(problem.Kind == ValidatorSetProblemKind.Empty && name == "next validator set"))
            {
                var reason = problem.Kind == ValidatorSetProblemKind.DuplicateValidator ? VerdictReason.DuplicateValidator : VerdictReason.InvalidValidatorSet;
                return Verdict.Invalid(reason, $"{name}: {problem.Message}");
            }
        }
        return Verdict.Success;
    }

    /// <summary>
    /// A header must be strictly before now + max clock drift: CometBFT light/verifier.go
    /// <c>verifyNewHeaderAndVals</c> (<c>!Time.Before(now.Add(maxClockDrift))</c> is an error) and
    /// tendermint-rs <c>is_header_from_past</c> (<c>untrusted_time &lt; now + drift</c>) both refuse a header
    /// timed exactly at the bound.
    /// </summary>
    private static Verdict? FromTheFuture(Header header, TrustOptions options, Timestamp now)
    {
        var bound = now.AddNanoseconds(ToNanoseconds(options.MaxClockDrift));
        return header.Time >= bound
            ? Verdict.Invalid(VerdictReason.HeaderFromFuture, $"header time {header.Time} is not before now {now} plus max clock drift {options.MaxClockDrift} ({bound})")
            : null;
    }

    private static string? HeaderFieldProblem(Header header)
    {
        if (!IsHashLength(header.LastBlockId.Hash) || !IsHashLength(header.LastBlockId.PartSetHeader.Hash))
        {
            return "last_block_id hash must be 32 bytes or empty";
        }
        (byte[] Value, string Name)[] hashes =
        [
            (header.LastCommitHash, "last_commit_hash"), (header.DataHash, "data_hash"),
            (header.ValidatorsHash, "validators_hash"), (header.NextValidatorsHash, "next_validators_hash"),
            (header.ConsensusHash, "consensus_hash"), (header.LastResultsHash, "last_results_hash"),
            (header.EvidenceHash, "evidence_hash"),
        ];
        foreach (var (value, name) in hashes)
        {
            if (!IsHashLength(value))
            {
                return $"{name} must be 32 bytes or empty, got {value.Length}";
            }
        }
        if (header.ProposerAddress.Length != Validator.AddressSize)
        {
            return $"proposer_address must be {Validator.AddressSize} bytes, got {header.ProposerAddress.Length}";
        }
        return null;
    }

    private static bool IsHashLength(byte[] hash) => hash.Length is 0 or Merkle.HashSize;

    /// <summary>Commit.ValidateBasic plus the height check against the header.</summary>
    private static Verdict ValidateCommit(Commit commit, long headerHeight)
    {
        if (commit.Height != headerHeight)
        {
            return Verdict.Invalid(VerdictReason.CommitHeightMismatch, $"commit height {commit.Height} differs from header height {headerHeight}");
        }
        if (commit.Round < 0)
        {
            return Verdict.Invalid(VerdictReason.InvalidCommit, $"commit round {commit.Round} is negative");
        }
        if (commit.BlockId.IsZero || !IsHashLength(commit.BlockId.Hash) || !IsHashLength(commit.BlockId.PartSetHeader.Hash))
        {
            return Verdict.Invalid(VerdictReason.InvalidCommit, "commit block id is empty or malformed");
        }
        if (commit.Signatures.Count == 0)
        {
            return Verdict.Invalid(VerdictReason.InvalidCommit, "commit has no signatures");
        }
        for (var i = 0; i < commit.Signatures.Count; i++)
        {
            var sig = commit.Signatures[i];
            var problem = sig.Flag switch
            {
                // The timestamp of an absent vote is neither signed nor used by a light client; CometBFT
                // wants Go's zero time there, tendermint-rs (and its test vectors) write the Unix epoch.
                BlockIdFlag.Absent when sig.ValidatorAddress.Length != 0 || sig.Signature.Length != 0 =>
                    "absent vote carries an address or a signature",
                BlockIdFlag.Absent => null,
                BlockIdFlag.Commit or BlockIdFlag.Nil when sig.ValidatorAddress.Length != Validator.AddressSize =>
                    $"validator address must be {Validator.AddressSize} bytes, got {sig.ValidatorAddress.Length}",
                BlockIdFlag.Commit or BlockIdFlag.Nil when sig.Signature.Length is 0 or > 64 =>
                    $"signature must be 1..64 bytes, got {sig.Signature.Length}",
                BlockIdFlag.Commit or BlockIdFlag.Nil when !sig.Timestamp.IsValid => $"timestamp {sig.Timestamp} out of range",
                BlockIdFlag.Commit or BlockIdFlag.Nil => null,
                _ => $"unknown block id flag {(int)sig.Flag}",
            };
            if (problem is not null)
            {
                return Verdict.Invalid(VerdictReason.InvalidCommitSig, $"commit signature {i}: {problem}");
            }
        }
        return Verdict.Success;
    }

    /// <summary>The header binds the validator sets and the commit binds the header.</summary>
    private static Verdict CheckHashesAndCommitShape(LightBlock block)
    {
        var header = block.Header;
        if (!block.Validators.HashSpan.SequenceEqual(header.ValidatorsHash))
        {
            return Verdict.Invalid(VerdictReason.ValidatorsHashMismatch,
                $"validator set hashes to {Convert.ToHexString(block.Validators.HashSpan)}, header says {Convert.ToHexString(header.ValidatorsHash)}");
        }
        if (!block.NextValidators.HashSpan.SequenceEqual(header.NextValidatorsHash))
        {
            return Verdict.Invalid(VerdictReason.NextValidatorsHashMismatch,
                $"next validator set hashes to {Convert.ToHexString(block.NextValidators.HashSpan)}, header says {Convert.ToHexString(header.NextValidatorsHash)}");
        }
        var headerHash = header.Hash();
        if (!block.Commit.BlockId.Hash.AsSpan().SequenceEqual(headerHash))
        {
            return Verdict.Invalid(VerdictReason.CommitBlockIdMismatch,
                $"commit is for block {Convert.ToHexString(block.Commit.BlockId.Hash)}, header hashes to {Convert.ToHexString(headerHash)}");
        }
        var validators = block.Validators.Validators;
        var signatures = block.Commit.Signatures;
        if (signatures.Count != validators.Count)
        {
            return Verdict.Invalid(VerdictReason.CommitSignatureCountMismatch,
                $"commit has {signatures.Count} signatures for {validators.Count} validators");
        }
        for (var i = 0; i < signatures.Count; i++)
        {
            var sig = signatures[i];
            if (sig.Flag != BlockIdFlag.Absent && !sig.ValidatorAddress.AsSpan().SequenceEqual(validators[i].Address))
            {
                return Verdict.Invalid(VerdictReason.CommitSignerMismatch,
                    $"commit signature {i} is from {Convert.ToHexString(sig.ValidatorAddress)}, validator {i} is {Convert.ToHexString(validators[i].Address)}");
            }
        }
        return Verdict.Success;
    }

    /// <summary>
    /// CometBFT <c>VerifyCommitLightTrusting</c>: signatures of the trusted validators (looked up by
    /// address) must carry more than <paramref name="threshold"/> of their total power.
    /// </summary>
    private static Verdict VerifyCommitTrusting(ValidatorSet trustedValidators, Commit commit, VoteSignBytes template, Fraction threshold, Span<bool> verified)
    {
        var needed = (Int128)trustedValidators.TotalVotingPower * (Int128)threshold.Numerator / (Int128)threshold.Denominator;
        Int128 tallied = 0;
        Span<byte> signBytes = stackalloc byte[256];
        if (template.MaxLength > signBytes.Length)
        {
            signBytes = new byte[template.MaxLength];
        }
        var signatures = commit.Signatures;
        for (var i = 0; i < signatures.Count; i++)
        {
            var sig = signatures[i];
            if (sig.Flag != BlockIdFlag.Commit)
            {
                continue;
            }
            var index = trustedValidators.IndexOf(sig.ValidatorAddress);
            if (index < 0)
            {
                continue;
            }
            // Two signatures from one validator are impossible here: signatures were matched to the
            // untrusted set by index and address, and that set has no duplicate addresses.
            var validator = trustedValidators.Validators[index];
            var length = template.Write(signBytes, forBlock: true, sig.Timestamp);
            if (!validator.VerifySignature(signBytes[..length], sig.Signature))
            {
                return Verdict.Invalid(VerdictReason.InvalidSignature, $"wrong signature from validator {Convert.ToHexString(sig.ValidatorAddress)} (commit index {i})");
            }
            verified[i] = true;
            tallied += validator.VotingPower;
            if (tallied > needed)
            {
                return Verdict.Success;
            }
        }
        return new Verdict(VerdictStatus.NotEnoughTrust, VerdictReason.NotEnoughTrust,
            $"trusted validators that signed have {tallied} of {trustedValidators.TotalVotingPower} voting power, need more than {needed} ({threshold})");
    }

    /// <summary>
    /// CometBFT <c>VerifyCommitLight</c>: more than 2/3 of <paramref name="validators"/>' power signed
    /// the block (signatures are matched to validators by index; their addresses were checked).
    /// </summary>
    private static Verdict VerifyCommitLight(ValidatorSet validators, Commit commit, VoteSignBytes template, ReadOnlySpan<bool> alreadyVerified)
    {
        var needed = (Int128)validators.TotalVotingPower * 2 / 3;
        Int128 tallied = 0;
        Span<byte> signBytes = stackalloc byte[256];
        if (template.MaxLength > signBytes.Length)
        {
            signBytes = new byte[template.MaxLength];
        }
        var signatures = commit.Signatures;
        for (var i = 0; i < signatures.Count; i++)
        {
            var sig = signatures[i];
            if (sig.Flag != BlockIdFlag.Commit)
            {
                continue;
            }
            var validator = validators.Validators[i];
            // A signature already checked with the same key (same address, and addresses are
            // derived from keys) in the trusting step is not checked again.
            if (!alreadyVerified[i])
            {
                var length = template.Write(signBytes, forBlock: true, sig.Timestamp);
                if (!validator.VerifySignature(signBytes[..length], sig.Signature))
                {
                    return Verdict.Invalid(VerdictReason.InvalidSignature, $"wrong signature from validator {Convert.ToHexString(sig.ValidatorAddress)} (commit index {i})");
                }
            }
            tallied += validator.VotingPower;
            if (tallied > needed)
            {
                return Verdict.Success;
            }
        }
        return Verdict.Invalid(VerdictReason.InsufficientVotingPower,
            $"validators that signed have {tallied} of {validators.TotalVotingPower} voting power, need more than {needed} (2/3)");
    }

    private static Int128 ToNanoseconds(TimeSpan span) => (Int128)span.Ticks * 100;
}
