using Citrine.CometBft.Encoding;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;
using Citrine.Host.Chain;
using Citrine.Ics23.Abci;
using Google.Protobuf;
using Wire = Citrine.Enclave.Protocol.V1;

namespace Citrine.Host.Proofs;

/// <summary>What the enclave trusts now (from its <c>Status</c>) and the config's trust parameters.</summary>
public sealed record EnclaveTrust(long TrustedHeight, ReadOnlyMemory<byte> TrustedHash, TrustOptions Options, ulong MaxBlockLag);

/// <summary>
/// A proof of publication as the enclave takes it (docs/enclave.md, "Proof of publication"): light
/// blocks above the enclave's trusted height up to header <c>QueryHeight + 1</c>, ascending, and
/// the <c>abci_query</c> answer at <c>QueryHeight</c> (ops innermost first).
/// </summary>
public sealed record HostPublicationProof(IReadOnlyList<LightBlock> LightBlocks, long QueryHeight, byte[]? Value, IReadOnlyList<ProofOp> ProofOps)
{
    /// <summary>The gRPC message: light blocks as <c>tendermint.types.LightBlock</c> protobuf bytes.</summary>
    public Wire.PublicationProof ToProtocol()
    {
        var proof = new Wire.PublicationProof { QueryHeight = QueryHeight };
        if (Value is not null)
        {
            proof.Value = ByteString.CopyFrom(Value);
        }
        foreach (var block in LightBlocks)
        {
            proof.LightBlocks.Add(PublicationProofBuilder.ToWire(block));
        }
        foreach (var op in ProofOps)
        {
            proof.ProofOps.Add(new Wire.ProofOp { Type = op.Type, Key = ByteString.CopyFrom(op.Key.Span), Data = ByteString.CopyFrom(op.Data.Span) });
        }
        return proof;
    }
}

/// <summary>Where the handshake gets proofs of publication (the builder; a fake in tests).</summary>
public interface IPublicationProofSource
{
    Task<HostPublicationProof> BuildAsync(string store, ReadOnlyMemory<byte> key, EnclaveTrust trust, long? queryHeight = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// Builds the proof of publication of a state key for the enclave. The host is untrusted, so
/// nothing here is a security check: the point is to send only what the enclave will accept, and
/// to say precisely why when the node cannot serve it. The light-block path mirrors the enclave's
/// checks (Citrine.Enclave <c>PublicationVerifier</c>, step 2): same chain, ascending heights,
/// strictly later times, the hash link on adjacent steps, and the CometBFT light client judged at
/// the candidate's own time; intermediate heights are chosen by bisection (CometBFT
/// <c>verifySkipping</c>) where a skip lacks trusted power.
/// </summary>
public sealed class PublicationProofBuilder(IChainClient chain) : IPublicationProofSource, IStateProofSource
{
    /// <summary>
    /// A light block as the enclave's protocol carries it: CometBFT's protobuf <c>LightBlock</c> and,
    /// beside it, the next validator set (which that message lacks and the light client needs).
    /// </summary>
    public static Wire.LightBlock ToWire(LightBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var (encoded, next) = LightBlockProtobuf.Encode(block);
        return new Wire.LightBlock { Encoded = ByteString.CopyFrom(encoded), NextValidatorSet = ByteString.CopyFrom(next) };
    }

    /// <summary>The devnet's contract store (Cosmos <c>x/wasm</c>).</summary>
    public const string WasmStore = "wasm";

    /// <summary>A bound on light-client steps, so a misbehaving node cannot keep the builder busy.</summary>
    public const int MaxSteps = 4096;

    private readonly IChainClient _chain = chain ?? throw new ArgumentNullException(nameof(chain));

    /// <summary>A contract's state key in the wasm store: <c>0x03 ‖ contract ‖ key</c> (docs/devnet.md, "Contracts").</summary>
    public static byte[] ContractStateKey(ReadOnlySpan<byte> contract, ReadOnlySpan<byte> key)
    {
        if (contract.Length != 20)
        {
            throw new ArgumentException($"a contract address is 20 bytes, got {contract.Length}", nameof(contract));
        }
        return [0x03, .. contract, .. key];
    }

    /// <summary>
    /// The proof of <paramref name="key"/> in <paramref name="store"/> at <paramref name="queryHeight"/>
    /// (null: the newest height whose next header the node has, i.e. latest − 1, but never below the
    /// enclave's trusted height − 1).
    /// </summary>
    /// <exception cref="PublicationProofException">the node cannot serve the proof; <see cref="PublicationProofException.Error"/> says why.</exception>
    public async Task<HostPublicationProof> BuildAsync(string store, ReadOnlyMemory<byte> key, EnclaveTrust trust, long? queryHeight = null, CancellationToken cancellationToken = default)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("the key must not be empty", nameof(key));
        }
        var proof = await BuildManyAsync(store, [key], trust, queryHeight, cancellationToken).ConfigureAwait(false);
        var only = proof.Keys[0];
        return new HostPublicationProof(proof.LightBlocks, proof.QueryHeight, only.Value, only.ProofOps);
    }

    /// <summary>
    /// One light-block chain from the enclave's trusted block to header <c>H + 1</c> and, at
    /// <c>H</c> = <paramref name="queryHeight"/> (null: as <see cref="BuildAsync"/>), the
    /// <c>abci_query prove=true</c> answer for each of <paramref name="keys"/> in
    /// <paramref name="store"/>, present or absent, in the order given.
    /// </summary>
    /// <exception cref="PublicationProofException">the node cannot serve a part of the proof; <see cref="PublicationProofException.Error"/> says why.</exception>
    public async Task<HostStateProof> BuildManyAsync(string store, IReadOnlyList<ReadOnlyMemory<byte>> keys, EnclaveTrust trust, long? queryHeight = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(store);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(trust);
        if (keys.Count == 0 || keys.Any(k => k.IsEmpty))
        {
            throw new ArgumentException("at least one key, none of them empty", nameof(keys));
        }
        if (trust.TrustedHeight <= 0 || trust.TrustedHash.Length != 32)
        {
            throw new ArgumentException("the enclave's trusted height must be positive and its hash 32 bytes", nameof(trust));
        }

        var latest = (await Call(c => c.StatusAsync(cancellationToken), "status").ConfigureAwait(false)).LatestBlockHeight;
        var height = queryHeight ?? Math.Max(latest - 1, trust.TrustedHeight - 1);
        if (height < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(queryHeight), "the query height must not be negative");
        }
        if (height + 1 < trust.TrustedHeight)
        {
            throw new PublicationProofException(ProofBuildError.BehindTrustedState,
                $"a proof at query height {height} is under header {height + 1}, below the enclave's trusted height {trust.TrustedHeight}");
        }
        if (height + 1 > latest)
        {
            throw new PublicationProofException(ProofBuildError.HeightUnavailable,
                $"a proof at query height {height} needs header {height + 1}; the node's latest height is {latest}");
        }

        // The values and their proofs at H, a few queries at a time.
        var answers = new KeyProof[keys.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), new ParallelOptions { MaxDegreeOfParallelism = QueryConcurrency, CancellationToken = cancellationToken }, async (i, ct) =>
            answers[i] = await QueryAsync(store, keys[i], height, ct).ConfigureAwait(false)).ConfigureAwait(false);

        // Light blocks from the trusted block to H + 1.
        var trusted = await Block(trust.TrustedHeight, cancellationToken).ConfigureAwait(false);
        var trustedHash = trusted.Header.Hash();
        if (!trustedHash.AsSpan().SequenceEqual(trust.TrustedHash.Span))
        {
            throw new PublicationProofException(ProofBuildError.TrustedBlockMismatch,
                $"the node's block {trust.TrustedHeight} hashes to {Convert.ToHexString(trustedHash)}, the enclave trusts {Convert.ToHexString(trust.TrustedHash.Span)}");
        }
        var path = new List<LightBlock>();
        if (height + 1 > trusted.Height)
        {
            await PathAsync(trusted, await Block(height + 1, cancellationToken).ConfigureAwait(false), trust.Options, path, cancellationToken).ConfigureAwait(false);
        }
        return new HostStateProof(path, height, store, answers);
    }

    /// <summary>How many <c>abci_query</c> calls a multi-key proof keeps in flight.</summary>
    public const int QueryConcurrency = 4;

    private async Task<KeyProof> QueryAsync(string store, ReadOnlyMemory<byte> key, long height, CancellationToken cancellationToken)
    {
        var answer = await Call(c => c.AbciQueryAsync($"/store/{store}/key", key, height, prove: true, cancellationToken), "abci_query").ConfigureAwait(false);
        if (!answer.IsOk)
        {
            throw new PublicationProofException(ProofBuildError.QueryRefused, $"abci_query /store/{store}/key {Convert.ToHexString(key.Span)} at {height}: code {answer.Code} ({answer.Codespace}) {answer.Log}");
        }
        if (answer.Height != height)
        {
            throw new PublicationProofException(ProofBuildError.BadAnswer, $"asked abci_query at height {height}, the node answered for {answer.Height}");
        }
        if (answer.ProofOps.Count == 0)
        {
            throw new PublicationProofException(ProofBuildError.BadAnswer, $"abci_query of {Convert.ToHexString(key.Span)} at height {height} came back without proof ops");
        }
        return new KeyProof(key.ToArray(), answer.Value, answer.ProofOps);
    }

    /// <summary>Bisection from <paramref name="trusted"/> to <paramref name="target"/>; every verified block is appended to <paramref name="path"/>.</summary>
    private async Task PathAsync(LightBlock trusted, LightBlock target, TrustOptions options, List<LightBlock> path, CancellationToken cancellationToken)
    {
        var verified = trusted;
        var pending = new Stack<LightBlock>();
        pending.Push(target);
        for (var steps = 0; pending.Count > 0; steps++)
        {
            if (steps >= MaxSteps)
            {
                throw new PublicationProofException(ProofBuildError.StepRefused, $"no path from {trusted.Height} to {target.Height} within {MaxSteps} steps");
            }
            var candidate = pending.Peek();
            var (verdict, problem) = Step(verified, candidate, options);
            if (problem is null && verdict.IsSuccess)
            {
                path.Add(candidate);
                verified = candidate;
                pending.Pop();
                continue;
            }
            if (problem is null && verdict.Status == VerdictStatus.NotEnoughTrust && candidate.Height > verified.Height + 1)
            {
                pending.Push(await Block(verified.Height + ((candidate.Height - verified.Height) / 2), cancellationToken).ConfigureAwait(false));
                continue;
            }
            throw new PublicationProofException(ProofBuildError.StepRefused,
                $"step from height {verified.Height} to {candidate.Height}: {problem ?? verdict.ToString()}");
        }
    }

    /// <summary>The enclave's checks of one step (PublicationVerifier 2a–2e), in its order.</summary>
    private static (Verdict Verdict, string? Problem) Step(LightBlock previous, LightBlock block, TrustOptions options)
    {
        var header = block.Header;
        if (header.ChainId != options.ChainId)
        {
            return (default, $"block is for chain '{header.ChainId}', the enclave's is '{options.ChainId}'");
        }
        if (header.Height <= previous.Height)
        {
            return (default, $"height {header.Height} is not above {previous.Height}");
        }
        if (header.Time <= previous.Header.Time)
        {
            return (default, $"time {header.Time} is not after {previous.Header.Time}");
        }
        if (header.Height == previous.Height + 1 && !header.LastBlockId.Hash.AsSpan().SequenceEqual(previous.Header.Hash()))
        {
            return (default, $"block {header.Height} does not name block {previous.Height} as its last block");
        }
        return (Verifier.Verify(previous, block, options, header.Time), null);
    }

    private async Task<LightBlock> Block(long height, CancellationToken cancellationToken)
    {
        var block = await Call(c => c.LightBlockAsync(height, cancellationToken), "light block").ConfigureAwait(false);
        if (block.Height != height)
        {
            throw new PublicationProofException(ProofBuildError.BadAnswer, $"asked for light block {height}, got {block.Height}");
        }
        return block;
    }

    private async Task<T> Call<T>(Func<IChainClient, Task<T>> call, string what)
    {
        try
        {
            return await call(_chain).ConfigureAwait(false);
        }
        catch (ChainClientException e)
        {
            var error = e.Kind switch
            {
                ChainErrorKind.Unreachable => ProofBuildError.NodeUnreachable,
                ChainErrorKind.NotFound => ProofBuildError.HeightUnavailable,
                ChainErrorKind.Refused => ProofBuildError.QueryRefused,
                _ => ProofBuildError.BadAnswer,
            };
            throw new PublicationProofException(error, $"{what}: {e.Message}", e);
        }
    }
}
