using Citrine.CometBft.Encoding;
using Citrine.Enclave.Runtime;
using Google.Protobuf;
using Grpc.Core;
using Proto = Citrine.Enclave.Protocol.V1;

namespace Citrine.Enclave.Service;

/// <summary>
/// Between the wire types of proto/citrine/enclave/v1/enclave.proto and the runtime's: decoding
/// that refuses with <see cref="EnclaveReason.InputMalformed"/>, evidence out, and refusals as
/// gRPC statuses carrying the reason codes.
/// </summary>
public static class ProtocolMapping
{
    /// <summary>Trailer with the <see cref="EnclaveReason"/> name of a refusal.</summary>
    public const string ReasonTrailer = "citrine-reason";

    /// <summary>Trailer with the inner verifier's code (e.g. <c>NotChained</c>), when there is one.</summary>
    public const string InnerReasonTrailer = "citrine-inner-reason";

    /// <summary>At most this many light blocks in one proof: bisection needs a handful; this bounds the work a host can ask for.</summary>
    public const int MaxLightBlocks = 256;

    public static StatusCode StatusCodeOf(EnclaveReason reason) => reason switch
    {
        EnclaveReason.InputMalformed or EnclaveReason.ConfigInvalid or EnclaveReason.TrustRootRefused
            or EnclaveReason.PublicationRefused or EnclaveReason.RecordMalformed
            or EnclaveReason.BatchEmpty or EnclaveReason.BatchTooLarge or EnclaveReason.BatchBeyondQueue => StatusCode.InvalidArgument,
        EnclaveReason.AlreadyInstantiated or EnclaveReason.NotInstantiated or EnclaveReason.ContractMismatch
            or EnclaveReason.SessionNotCreated or EnclaveReason.SessionEstablished or EnclaveReason.SessionNotEstablished
            or EnclaveReason.RecordNotCreated or EnclaveReason.NonceMismatch or EnclaveReason.RecordNotEstablished
            or EnclaveReason.KeysMismatch or EnclaveReason.NoApp
            or EnclaveReason.ProvenValueMalformed or EnclaveReason.StateHashMismatch or EnclaveReason.RequestMalformed
            or EnclaveReason.RequestSeqMismatch or EnclaveReason.StateUndecryptable => StatusCode.FailedPrecondition,
        EnclaveReason.AppFailed => StatusCode.Internal,
        EnclaveReason.StateRolledBack or EnclaveReason.SealedStateInvalid => StatusCode.DataLoss,
        EnclaveReason.AttestationFailed => StatusCode.Unavailable,
        EnclaveReason.StorageFailed => StatusCode.Internal,
        _ => StatusCode.Unknown,
    };

    /// <summary>The refusal as an <see cref="RpcException"/>: status code by reason, the message <c>Reason (inner): detail</c>, and both codes as trailers.</summary>
    public static RpcException ToRpcException(EnclaveRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var trailers = new Metadata { { ReasonTrailer, refusal.Reason.ToString() } };
        if (refusal.InnerReason.Length > 0)
        {
            trailers.Add(InnerReasonTrailer, refusal.InnerReason);
        }
        return new RpcException(new Status(StatusCodeOf(refusal.Reason), refusal.ToString()), trailers);
    }

    public static bool TryDecodeLightBlock(Proto.LightBlock? block, string field, out CometBft.Types.LightBlock? decoded, out EnclaveRefusal? refusal)
    {
        decoded = null;
        refusal = null;
        if (block is null)
        {
            refusal = new EnclaveRefusal(EnclaveReason.InputMalformed, $"{field} is missing");
            return false;
        }
        if (!LightBlockProtobuf.TryDecode(block.Encoded.Span, block.NextValidatorSet.Span, out decoded, out var error))
        {
            refusal = new EnclaveRefusal(EnclaveReason.InputMalformed, $"{field} is not a CometBFT light block: {error}");
            return false;
        }
        return true;
    }

    public static bool TryDecodeProof(Proto.PublicationProof? proof, out Publication.PublicationProof? decoded, out EnclaveRefusal? refusal)
    {
        decoded = null;
        refusal = null;
        if (proof is null)
        {
            refusal = new EnclaveRefusal(EnclaveReason.InputMalformed, "the request carries no proof");
            return false;
        }
        if (proof.LightBlocks.Count > MaxLightBlocks)
        {
            refusal = new EnclaveRefusal(EnclaveReason.InputMalformed, $"{proof.LightBlocks.Count} light blocks, at most {MaxLightBlocks}");
            return false;
        }
        var blocks = new List<CometBft.Types.LightBlock>(proof.LightBlocks.Count);
        for (var i = 0; i < proof.LightBlocks.Count; i++)
        {
            if (!TryDecodeLightBlock(proof.LightBlocks[i], $"light_blocks[{i}]", out var block, out refusal))
            {
                return false;
            }
            blocks.Add(block!);
        }
        // proto3 bytes cannot say "absent": an empty value is an absence, which no membership
        // claim accepts (the session record is never empty).
        ReadOnlyMemory<byte>? value = proof.Value.IsEmpty ? null : proof.Value.Memory;
        var ops = proof.ProofOps.Select(o => new Ics23.Abci.ProofOp(o.Type, o.Key.Memory, o.Data.Memory)).ToList();
        decoded = new Publication.PublicationProof(blocks, proof.QueryHeight, value, ops);
        return true;
    }

    /// <summary>At most this many entries in one Execute call: the five fixed ones and 1,024 requests, with room for the runtime to say BatchTooLarge.</summary>
    public const int MaxEntries = Publication.PublicationVerifier.MaxClaims;

    public static bool TryDecodeExecute(Proto.ExecuteRequest? request, out Publication.PublicationBatchProof? decoded, out EnclaveRefusal? refusal)
    {
        decoded = null;
        refusal = null;
        if (request is null)
        {
            refusal = new EnclaveRefusal(EnclaveReason.InputMalformed, "no request");
            return false;
        }
        if (request.LightBlocks.Count > MaxLightBlocks)
        {
            refusal = new EnclaveRefusal(EnclaveReason.InputMalformed, $"{request.LightBlocks.Count} light blocks, at most {MaxLightBlocks}");
            return false;
        }
        if (request.Entries.Count > MaxEntries)
        {
            refusal = new EnclaveRefusal(EnclaveReason.InputMalformed, $"{request.Entries.Count} entries, at most {MaxEntries}");
            return false;
        }
        var blocks = new List<CometBft.Types.LightBlock>(request.LightBlocks.Count);
        for (var i = 0; i < request.LightBlocks.Count; i++)
        {
            if (!TryDecodeLightBlock(request.LightBlocks[i], $"light_blocks[{i}]", out var block, out refusal))
            {
                return false;
            }
            blocks.Add(block!);
        }
        var entries = request.Entries.Select(e => new Publication.ProvenEntry(
            e.Key.Memory,
            e.HasValue ? (ReadOnlyMemory<byte>?)e.Value.Memory : null,
            [.. e.ProofOps.Select(o => new Ics23.Abci.ProofOp(o.Type, o.Key.Memory, o.Data.Memory))])).ToList();
        decoded = new Publication.PublicationBatchProof(blocks, request.QueryHeight, entries);
        return true;
    }

    public static Proto.Evidence ToProto(Attestation.Attestors.AttestationEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        return new Proto.Evidence
        {
            Kind = evidence.Kind switch
            {
                Attestation.Attestors.TeeKind.Mock => Proto.TeeKind.Mock,
                Attestation.Attestors.TeeKind.Sgx => Proto.TeeKind.Sgx,
                Attestation.Attestors.TeeKind.Tdx => Proto.TeeKind.Tdx,
                _ => Proto.TeeKind.Unspecified,
            },
            Quote = ByteString.CopyFrom(evidence.Quote),
            ReportData = ByteString.CopyFrom(evidence.ReportData),
            Source = evidence.Source,
        };
    }

    public static string PhaseName(EnclavePhase phase) => phase switch
    {
        EnclavePhase.Uninitialised => "uninitialised",
        EnclavePhase.Instantiated => "instantiated",
        EnclavePhase.Created => "created",
        EnclavePhase.Established => "established",
        _ => phase.ToString(),
    };
}
