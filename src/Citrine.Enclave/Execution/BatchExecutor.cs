using System.Security.Cryptography;
using Citrine.Contracts.Execution;
using Citrine.Crypto;
using Citrine.Crypto.Hpke;
using Citrine.Crypto.Signatures;
using Citrine.Enclave.Runtime;

namespace Citrine.Enclave.Execution;

/// <summary>
/// The order of the proven entries of an Execute call (docs/enclave.md, "Execution"): entry
/// <c>i</c> answers the enclave's claim <c>i</c>, every key under <c>0x03 ‖ contract</c> in the
/// wasm store, all at one query height.
/// </summary>
public static class ExecutionLayout
{
    /// <summary>The session record (<c>session</c>).</summary>
    public const int Session = 0;

    /// <summary><c>queue/head</c>: u64, the first request not yet consumed.</summary>
    public const int QueueHead = 1;

    /// <summary><c>queue/next</c>: u64, the seq the next request gets.</summary>
    public const int QueueNext = 2;

    /// <summary><c>state/hash</c>: 32 bytes, zeros while there is no state.</summary>
    public const int StateHash = 3;

    /// <summary><c>state</c>: the encrypted state blob, or a proof of its absence.</summary>
    public const int State = 4;

    /// <summary>Then <c>queue/&lt;head + i&gt;</c> for i = 0..n−1: the batch's request records, in order.</summary>
    public const int FirstRequest = 5;

    /// <summary>At most this many requests in one batch (docs/execution.md, "Proven inputs").</summary>
    public const int MaxRequests = 1024;
}

/// <summary>What Execute returns: the output body, its Ed25519 signature under the session key, and the facts the host needs to send it.</summary>
public sealed record ExecuteResult(byte[] Body, byte[] Signature, ulong FirstSeq, ulong EndSeq, long VerifiedHeight);

/// <summary>The proven facts of a batch, after the runtime verified the proofs and the session record.</summary>
internal sealed record ProvenBatch(
    string ChainId,
    byte[] Contract,
    ulong SessionId,
    long VerifiedHeight,
    ulong FirstSeq,
    ulong EndSeq,
    byte[] StateHash,
    byte[]? State,
    IReadOnlyList<RequestRecord> Requests);

/// <summary>
/// The part of Execute after proof of publication: state decryption, request opening, the app's
/// handler, deterministic state encryption, the output body and its signature. A pure function
/// of the proven batch, the session's keys and the app.
/// </summary>
internal static class BatchExecutor
{
    private static readonly byte[] RequestInfo = System.Text.Encoding.UTF8.GetBytes(RequestSuite.Info);

    public static EnclaveResult<ExecuteResult> Run(ProvenBatch batch, IEnclaveApp app, ReadOnlySpan<byte> masterSecret, ReadOnlySpan<byte> encryptionKey, Ed25519PrivateKey signingKey)
    {
        using var secrets = new ExecutionSecrets(masterSecret, batch.ChainId, batch.Contract);

        // 1. The previous state, under this session's state key.
        byte[] state = [];
        if (batch.State is { } blob && !secrets.TryDecryptState(blob, out state))
        {
            return Refuse(EnclaveReason.StateUndecryptable,
                $"the proven state ({blob.Length} bytes, hash {Convert.ToHexStringLower(batch.StateHash)}) does not open under this session's state key");
        }

        // 2. Each request, opened with the session key and the AAD rebuilt from its record.
        var requests = new List<AppRequest>(batch.Requests.Count);
        using (var recipient = HpkeSuite.X25519Sha256ChaCha20Poly1305.ImportPrivateKey(encryptionKey))
        {
            foreach (var record in batch.Requests)
            {
                var (opening, plaintext) = Open(record, batch, recipient);
                requests.Add(new AppRequest
                {
                    Seq = record.Seq,
                    Sender = record.Sender,
                    Kind = record.Kind,
                    Funds = record.Funds,
                    Height = record.Height,
                    Opening = opening,
                    Plaintext = plaintext,
                });
            }
        }

        // 3. The handler, on proven inputs only.
        var appBatch = new AppBatch
        {
            ChainId = batch.ChainId,
            Contract = batch.Contract,
            SessionId = batch.SessionId,
            State = state,
            PreviousStateHash = batch.StateHash,
            FirstSeq = batch.FirstSeq,
            EndSeq = batch.EndSeq,
            VerifiedHeight = batch.VerifiedHeight,
            Requests = requests,
        };
        AppBatchResult result;
        try
        {
            result = app.Handle(appBatch, new DeterministicAppContext(secrets, batch.StateHash))
                ?? throw new InvalidOperationException("the handler returned null");
        }
#pragma warning disable CA1031 // A handler's failure of any kind refuses the batch; it must not take the enclave down.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Refuse(EnclaveReason.AppFailed, $"app '{app.Name}' threw {e.GetType().Name}: {e.Message}");
        }
        if (ResultProblem(result, batch) is { } problem)
        {
            return Refuse(EnclaveReason.AppFailed, $"app '{app.Name}': {problem}");
        }

        // 4. Responses: the app's, then the runtime's refusal for each unopened request it left unanswered.
        var responses = new SortedDictionary<ulong, OutputResponse>();
        foreach (var response in result.Responses)
        {
            responses[response.Seq] = new OutputResponse
            {
                Seq = response.Seq,
                Status = response.IsRefused ? ResponseStatus.Refused : ResponseStatus.Ok,
                Payload = response.Payload.ToArray(),
            };
        }
        foreach (var request in requests)
        {
            var reason = request.Opening switch
            {
                AppRequestOpening.Undecryptable => AppResponse.Undecryptable,
                AppRequestOpening.UnsupportedSuite => AppResponse.UnsupportedSuite,
                _ => null,
            };
            if (reason is not null && !responses.ContainsKey(request.Seq))
            {
                responses[request.Seq] = new OutputResponse { Seq = request.Seq, Status = ResponseStatus.Refused, Payload = System.Text.Encoding.UTF8.GetBytes(reason) };
            }
        }

        // 5. The new state, encrypted deterministically, and the signed body.
        var newState = secrets.EncryptState(batch.StateHash, batch.FirstSeq, batch.EndSeq, result.NewState.Span);
        byte[] body;
        try
        {
            body = new OutputBody
            {
                ChainId = batch.ChainId,
                Contract = batch.Contract,
                SessionId = batch.SessionId,
                PrevStateHash = batch.StateHash,
                FirstSeq = batch.FirstSeq,
                EndSeq = batch.EndSeq,
                VerifiedHeight = (ulong)batch.VerifiedHeight,
                NewState = newState,
                Effects = [.. result.Sends.Select(s => OutputEffect.Send(s.To.ToArray(), s.Amount))],
                Responses = [.. responses.Values],
            }.Encode();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            return Refuse(EnclaveReason.AppFailed, $"app '{app.Name}': the output does not encode: {e.Message}");
        }
        var signature = signingKey.Sign(body);
        CryptographicOperations.ZeroMemory(state);
        return EnclaveResult.Ok(new ExecuteResult(body, signature, batch.FirstSeq, batch.EndSeq, batch.VerifiedHeight));
    }

    private static (AppRequestOpening Opening, byte[] Plaintext) Open(RequestRecord record, ProvenBatch batch, HpkePrivateKey recipient)
    {
        var suite = record.AeadId switch
        {
            RequestSuite.ChaCha20Poly1305AeadId => HpkeSuite.X25519Sha256ChaCha20Poly1305,
            RequestSuite.Aes256GcmAeadId => HpkeSuite.X25519Sha256Aes256Gcm,
            _ => null,
        };
        if (suite is null)
        {
            return (AppRequestOpening.UnsupportedSuite, []);
        }
        if (record.Ciphertext.Length == 0 && record.Enc.Length == 0)
        {
            return (AppRequestOpening.NoCiphertext, []);
        }
        // Encrypted for another session: its key is not ours, so it cannot open; say so without trying.
        if (record.SessionId != batch.SessionId || record.Enc.Length != RequestSuite.EncSize)
        {
            return (AppRequestOpening.Undecryptable, []);
        }
        try
        {
            var plaintext = suite.Open(record.Enc, recipient, RequestInfo, record.Aad(batch.ChainId, batch.Contract), record.Ciphertext);
            return (AppRequestOpening.Opened, plaintext);
        }
        catch (CryptoException)
        {
            return (AppRequestOpening.Undecryptable, []);
        }
    }

    private static string? ResultProblem(AppBatchResult result, ProvenBatch batch)
    {
        if (result.Sends is null || result.Responses is null)
        {
            return "the result has no send list or no response list";
        }
        ulong total = 0;
        for (var i = 0; i < result.Sends.Count; i++)
        {
            var send = result.Sends[i];
            if (send is null || send.To.Length != OutputBody.AddressSize || send.Amount == 0)
            {
                return $"send {i} is not to a 20-byte address with a positive amount";
            }
            if (ulong.MaxValue - total < send.Amount)
            {
                return "the sends add up to more than 2^64 − 1";
            }
            total += send.Amount;
        }
        var seen = new HashSet<ulong>();
        foreach (var response in result.Responses)
        {
            if (response is null)
            {
                return "a response is null";
            }
            if (response.Seq < batch.FirstSeq || response.Seq >= batch.EndSeq)
            {
                return $"a response names seq {response.Seq}, outside the batch [{batch.FirstSeq}, {batch.EndSeq})";
            }
            if (!seen.Add(response.Seq))
            {
                return $"two responses name seq {response.Seq}";
            }
        }
        return null;
    }

    private static EnclaveResult<ExecuteResult> Refuse(EnclaveReason reason, string detail) =>
        EnclaveResult.Refused<ExecuteResult>(new EnclaveRefusal(reason, detail));
}
