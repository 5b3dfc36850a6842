using Citrine.Enclave.Runtime;
using Google.Protobuf;
using Grpc.Core;
using Proto = Citrine.Enclave.Protocol.V1;

namespace Citrine.Enclave.Service;

/// <summary>
/// The enclave's gRPC service (proto/citrine/enclave/v1/enclave.proto) over an
/// <see cref="EnclaveRuntime"/>. Requests are decoded here (undecodable input is
/// <see cref="StatusCode.InvalidArgument"/> with <see cref="EnclaveReason.InputMalformed"/>);
/// every refusal of the runtime becomes the status of <see cref="ProtocolMapping.StatusCodeOf"/>
/// with the reason codes in the message and the trailers. Nothing the host sends can crash it.
/// </summary>
public sealed class EnclaveService(EnclaveRuntime runtime) : Proto.Enclave.EnclaveBase
{
    private readonly EnclaveRuntime _runtime = runtime ?? throw new ArgumentNullException(nameof(runtime));

    public override async Task<Proto.InstantiateResponse> Instantiate(Proto.InstantiateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (!ProtocolMapping.TryDecodeLightBlock(request.TrustedBlock, "trusted_block", out var block, out var refusal))
        {
            throw ProtocolMapping.ToRpcException(refusal!);
        }
        var result = Unwrap(await _runtime.InstantiateAsync(request.Config.Memory, block!, context.CancellationToken).ConfigureAwait(false));
        return new Proto.InstantiateResponse { Evidence = ProtocolMapping.ToProto(result.Evidence), ConfigHash = ByteString.CopyFrom(result.ConfigHash) };
    }

    public override async Task<Proto.SessionCreateResponse> SessionCreate(Proto.SessionCreateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var result = Unwrap(await _runtime.SessionCreateAsync(request.Contract.Memory, context.CancellationToken).ConfigureAwait(false));
        return new Proto.SessionCreateResponse { Nonce = ByteString.CopyFrom(result.Nonce), Evidence = ProtocolMapping.ToProto(result.Evidence) };
    }

    public override async Task<Proto.SessionKeysResponse> SessionSetPubKey(Proto.SessionProofRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var proof = DecodeProof(request);
        return Keys(Unwrap(await _runtime.SessionSetPubKeyAsync(proof, context.CancellationToken).ConfigureAwait(false)));
    }

    public override async Task<Proto.SessionKeysResponse> SessionReattest(Proto.SessionProofRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var proof = DecodeProof(request);
        return Keys(Unwrap(await _runtime.SessionReattestAsync(proof, context.CancellationToken).ConfigureAwait(false)));
    }

    public override Task<Proto.StatusResponse> Status(Proto.StatusRequest request, ServerCallContext context)
    {
        var status = _runtime.Status();
        return Task.FromResult(new Proto.StatusResponse
        {
            Mode = status.Mode,
            Phase = ProtocolMapping.PhaseName(status.Phase),
            ChainId = status.ChainId,
            Contract = ByteString.CopyFrom(status.Contract),
            ConfigHash = ByteString.CopyFrom(status.ConfigHash),
            Nonce = ByteString.CopyFrom(status.Nonce),
            SigningKey = ByteString.CopyFrom(status.SigningKey),
            EncryptionKey = ByteString.CopyFrom(status.EncryptionKey),
            TrustedHeight = status.TrustedHeight,
            TrustedHash = ByteString.CopyFrom(status.TrustedHash),
            TrustedTimeUnixNanos = status.TrustedTime is { } time ? checked((time.Seconds * 1_000_000_000L) + time.Nanos) : 0,
            Measurement = ByteString.CopyFrom(status.Measurement),
            Insecure = status.Insecure,
        });
    }

    public override async Task<Proto.ExecuteResponse> Execute(Proto.ExecuteRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (!ProtocolMapping.TryDecodeExecute(request, out var proof, out var refusal))
        {
            throw ProtocolMapping.ToRpcException(refusal!);
        }
        var result = Unwrap(await _runtime.ExecuteAsync(proof!, context.CancellationToken).ConfigureAwait(false));
        return new Proto.ExecuteResponse
        {
            Body = ByteString.CopyFrom(result.Body),
            Signature = ByteString.CopyFrom(result.Signature),
            FirstSeq = result.FirstSeq,
            EndSeq = result.EndSeq,
            VerifiedHeight = result.VerifiedHeight,
        };
    }

    private static Publication.PublicationProof DecodeProof(Proto.SessionProofRequest request) =>
        ProtocolMapping.TryDecodeProof(request.Proof, out var proof, out var refusal) ? proof! : throw ProtocolMapping.ToRpcException(refusal!);

    private static T Unwrap<T>(EnclaveResult<T> result)
        where T : class => result.IsSuccess ? result.Value! : throw ProtocolMapping.ToRpcException(result.Refusal!);

    private static Proto.SessionKeysResponse Keys(SessionKeysResult keys) => new()
    {
        Nonce = ByteString.CopyFrom(keys.Nonce),
        SigningKey = ByteString.CopyFrom(keys.SigningKey),
        EncryptionKey = ByteString.CopyFrom(keys.EncryptionKey),
        VerifiedHeight = keys.VerifiedHeight,
        Evidence = ProtocolMapping.ToProto(keys.Evidence),
    };
}
