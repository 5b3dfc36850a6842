using System.Security.Cryptography;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Citrine.Enclave.Execution;
using Citrine.Enclave.Publication;
using Citrine.Enclave.Sealing;

namespace Citrine.Enclave.Runtime;

public sealed partial class EnclaveRuntime
{
    /// <summary>
    /// Execution (docs/execution.md; docs/enclave.md, "Execution"): verify one set of light blocks
    /// and, under header H+1, the proofs of the session record, <c>queue/head</c>, <c>queue/next</c>,
    /// <c>state/hash</c>, <c>state</c> (or its absence) and each request record
    /// <c>queue/&lt;head + i&gt;</c> (entries in <see cref="ExecutionLayout"/> order); check the record
    /// is this enclave's Established session, the batch lies in the proven queue and the state is the
    /// one its hash names; then run the app on the decrypted state and requests, and return the output
    /// body signed with the session key. The same proven inputs give byte-identical output. The
    /// advanced light-client state is sealed before the output is returned.
    /// </summary>
    public async Task<EnclaveResult<ExecuteResult>> ExecuteAsync(PublicationBatchProof proof, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proof);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Execute(proof);
        }
        finally
        {
            _gate.Release();
            OnStateChanged();
        }
    }

    private EnclaveResult<ExecuteResult> Execute(PublicationBatchProof proof)
    {
        // 1. An app to run, and an established session.
        if (_options.App is not { } app)
        {
            return Refuse<ExecuteResult>(EnclaveReason.NoApp, "the enclave was started without an app (EnclaveRuntimeOptions.App, --app NAME)");
        }
        if (_session is not { } session)
        {
            return Refuse<ExecuteResult>(EnclaveReason.NotInstantiated, "Execute before Instantiate");
        }
        if (session.Phase != EnclavePhase.Established)
        {
            return Refuse<ExecuteResult>(EnclaveReason.SessionNotEstablished, $"Execute in phase {session.Phase}: the enclave has issued no session keys");
        }

        // 2. The batch's shape: the five fixed entries, then 1..1,024 request records.
        if (proof.Entries is null || proof.Entries.Count < ExecutionLayout.FirstRequest || proof.Entries.Any(e => e is null))
        {
            return Refuse<ExecuteResult>(EnclaveReason.InputMalformed,
                $"Execute needs {ExecutionLayout.FirstRequest} entries (session, queue/head, queue/next, state/hash, state) before the request records, got {proof.Entries?.Count ?? 0}");
        }
        var count = proof.Entries.Count - ExecutionLayout.FirstRequest;
        if (count == 0)
        {
            return Refuse<ExecuteResult>(EnclaveReason.BatchEmpty, "the call proves no request record");
        }
        if (count > ExecutionLayout.MaxRequests)
        {
            return Refuse<ExecuteResult>(EnclaveReason.BatchTooLarge, $"{count} request records; a batch holds at most {ExecutionLayout.MaxRequests}");
        }

        // 3. The sealed light-client state, not older than any this process has seen.
        var load = _store.Load(_config!.TrustRoot);
        if (!load.IsSuccess)
        {
            _lightAccepted = false;
            return EnclaveResult.Refused<ExecuteResult>(LoadRefusal(load));
        }
        var light = load.State!;
        _light = light;
        _lightAccepted = true;

        // 4. One proof of publication for all claims. The request keys start at the head the host
        // offers; the head itself is proven with them, and checked to be that value below.
        var offeredHead = proof.Entries[ExecutionLayout.QueueHead].Value;
        var headHint = offeredHead is { } offered && ExecutionKeys.TryDecodeU64(offered.Span, out var hinted) ? hinted : 0;
        var claims = new List<PublicationClaim>(proof.Entries.Count)
        {
            Claim(SessionRecord.StateKey),
            Claim(ExecutionKeys.QueueHead),
            Claim(ExecutionKeys.QueueNext),
            Claim(ExecutionKeys.StateHash),
            Claim(ExecutionKeys.State) with { MayBeAbsent = true },
        };
        for (var i = 0; i < count; i++)
        {
            claims.Add(Claim(ExecutionKeys.Request(unchecked(headHint + (ulong)i))));
        }
        var verdict = PublicationVerifier.VerifyBatch(light, claims, proof);
        if (!verdict.IsSuccess)
        {
            return EnclaveResult.Refused<ExecuteResult>(new EnclaveRefusal(EnclaveReason.PublicationRefused, verdict.Detail)
            {
                PublicationReason = verdict.Reason,
                LightClientReason = verdict.LightClientReason,
                Ics23Error = verdict.Ics23Error,
            });
        }
        var values = verdict.Values;
        var height = verdict.VerifiedHeight;

        // 5. The session record: this enclave's Established session, with its nonce and keys.
        if (!SessionFormats.TryDecodeRecord(values[ExecutionLayout.Session], out var record, out var recordError))
        {
            return Refuse<ExecuteResult>(EnclaveReason.RecordMalformed, $"session record proven at height {height}: {recordError}");
        }
        if (record!.Phase != SessionPhase.Established)
        {
            return Refuse<ExecuteResult>(EnclaveReason.RecordNotEstablished, $"the session record proven at height {height} is {record.Phase}, Execute needs Established");
        }
        if (!CryptographicOperations.FixedTimeEquals(record.Nonce, session.Nonce))
        {
            return Refuse<ExecuteResult>(EnclaveReason.NonceMismatch, $"the session record holds nonce {Hex(record.Nonce)}, the enclave's is {Hex(session.Nonce)}");
        }
        if (!record.SigningKey.AsSpan().SequenceEqual(_signingKey!.PublicKey) || !record.EncryptionKey.AsSpan().SequenceEqual(_encryptionPublicKey))
        {
            return Refuse<ExecuteResult>(EnclaveReason.KeysMismatch,
                $"the session record holds keys {Hex(record.SigningKey)}/{Hex(record.EncryptionKey)}, the enclave's are {Hex(_signingKey.PublicKey)}/{Hex(_encryptionPublicKey)}");
        }
        if (record.VerifiedHeight > (ulong)light.Height)
        {
            _lightAccepted = false;
            return EnclaveResult.Refused<ExecuteResult>(new EnclaveRefusal(EnclaveReason.StateRolledBack,
                $"the sealed light-client state is at height {light.Height}, behind the verified height {record.VerifiedHeight} in the chain's session record")
            {
                StateLoadReason = StateLoadReason.BelowFloor,
            });
        }

        // 6. The queue: head ≤ next, the batch [head, head + n) within it.
        if (!ExecutionKeys.TryDecodeU64(values[ExecutionLayout.QueueHead] ?? [], out var head)
            || !ExecutionKeys.TryDecodeU64(values[ExecutionLayout.QueueNext] ?? [], out var next))
        {
            return Refuse<ExecuteResult>(EnclaveReason.ProvenValueMalformed,
                $"queue/head ({values[ExecutionLayout.QueueHead]?.Length ?? 0} bytes) or queue/next ({values[ExecutionLayout.QueueNext]?.Length ?? 0} bytes) proven at height {height} is not a u64");
        }
        if (head > next)
        {
            return Refuse<ExecuteResult>(EnclaveReason.ProvenValueMalformed, $"queue/head {head} is above queue/next {next} at height {height}");
        }
        // The request claims were keyed from the head the host offered, and that offer is what was
        // proven (a membership proof verifies the offered value), so head is that head here.
        var end = head + (ulong)count;
        if (end > next || end < head)
        {
            return Refuse<ExecuteResult>(EnclaveReason.BatchBeyondQueue, $"the batch [{head}, {head + (ulong)count}) reaches past queue/next {next} at height {height}");
        }

        // 7. The state: SHA-256(state) = state/hash; zeros exactly when there is no state.
        var stateHash = values[ExecutionLayout.StateHash];
        if (stateHash is not { Length: ExecutionSecrets.HashSize })
        {
            return Refuse<ExecuteResult>(EnclaveReason.ProvenValueMalformed, $"state/hash proven at height {height} is {stateHash?.Length ?? 0} bytes, not 32");
        }
        var state = values[ExecutionLayout.State];
        var zeros = stateHash.All(b => b == 0);
        if (state is null ? !zeros : zeros || !SHA256.HashData(state).AsSpan().SequenceEqual(stateHash))
        {
            return Refuse<ExecuteResult>(EnclaveReason.StateHashMismatch,
                state is null
                    ? $"the state is proven absent at height {height}, but state/hash is {Hex(stateHash)}"
                    : $"SHA-256 of the proven state is {Hex(SHA256.HashData(state))}, state/hash is {Hex(stateHash)} at height {height}");
        }

        // 8. The request records: each decodes and carries the seq its key names.
        var requests = new List<RequestRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var seq = head + (ulong)i;
            if (!RequestRecord.TryDecode(values[ExecutionLayout.FirstRequest + i], out var request, out var requestError))
            {
                return Refuse<ExecuteResult>(EnclaveReason.RequestMalformed, $"request record queue/{seq} proven at height {height}: {requestError}");
            }
            if (request!.Seq != seq)
            {
                return Refuse<ExecuteResult>(EnclaveReason.RequestSeqMismatch, $"the record under queue/{seq} carries seq {request.Seq}");
            }
            requests.Add(request);
        }

        // 9. Run the batch; seal the advanced light-client state before the output leaves.
        var batch = new ProvenBatch(_config.ChainId, session.Contract, record.Id, height, head, end, stateHash, state, requests);
        var result = BatchExecutor.Run(batch, app, session.MasterSecret, session.EncryptionKey, _signingKey);
        if (!result.IsSuccess)
        {
            return result;
        }
        if (!ReferenceEquals(verdict.State, light)
            && Persist(verdict.State!, session with { LightGeneration = verdict.State!.Generation, LightHeight = verdict.State.Height }) is { } storage)
        {
            return EnclaveResult.Refused<ExecuteResult>(storage);
        }
        return result;

        PublicationClaim Claim(ReadOnlySpan<byte> key) => new(SessionFormats.Store, SessionFormats.ContractKey(session.Contract, key));
    }
}
