using Citrine.CometBft.Types;
using Citrine.Host.Proofs;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Wire = Citrine.Enclave.Protocol.V1;

namespace Citrine.Host.Enclave;

/// <summary>What went wrong calling the enclave.</summary>
public enum EnclaveErrorKind
{
    /// <summary>The enclave process could not be reached or did not answer in time.</summary>
    Unreachable,
    /// <summary>The enclave refused the call; <see cref="EnclaveClientException.Reason"/> is its reason string.</summary>
    Refused,
    /// <summary>The enclave answered with something that is not a well-formed response (missing evidence, wrong sizes).</summary>
    BadResponse,
}

/// <summary>A typed failure of an enclave call, carrying the enclave's own reason string.</summary>
public sealed class EnclaveClientException : Exception
{
    public EnclaveClientException()
    {
    }

    public EnclaveClientException(string message)
        : base(message)
    {
    }

    public EnclaveClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EnclaveClientException(EnclaveErrorKind kind, string call, string reason, Exception? innerException = null)
        : base($"enclave {call}: {kind}: {reason}", innerException)
    {
        Kind = kind;
        Call = call;
        Reason = reason;
    }

    public EnclaveErrorKind Kind { get; }

    public string Call { get; } = "";

    /// <summary>The enclave's reason (the gRPC status detail), or the transport's.</summary>
    public string Reason { get; } = "";
}

/// <summary>The enclave calls the handshake makes (docs/session.md, "The enclave's gRPC protocol").</summary>
public interface IEnclaveClient
{
    Task<Wire.StatusResponse> StatusAsync(CancellationToken cancellationToken = default);

    Task<Wire.InstantiateResponse> InstantiateAsync(ReadOnlyMemory<byte> config, LightBlock trustedBlock, CancellationToken cancellationToken = default);

    Task<Wire.SessionCreateResponse> SessionCreateAsync(ReadOnlyMemory<byte> contract, CancellationToken cancellationToken = default);

    Task<Wire.SessionKeysResponse> SessionSetPubKeyAsync(HostPublicationProof proof, CancellationToken cancellationToken = default);

    Task<Wire.SessionKeysResponse> SessionReattestAsync(HostPublicationProof proof, CancellationToken cancellationToken = default);
}

/// <summary>
/// A thin wrapper over the generated gRPC client (HTTP/2 cleartext to loopback): light blocks go
/// as <c>tendermint.types.LightBlock</c> protobuf, every gRPC failure becomes an
/// <see cref="EnclaveClientException"/>, and answers are checked for shape (32-byte nonce and keys,
/// evidence present) before the caller sees them. Nothing is verified here: the contract checks
/// the attestations.
/// </summary>
public sealed class EnclaveClient : IEnclaveClient, IExecutionEnclave, IDisposable
{
    private readonly GrpcChannel? _channel;
    private readonly Wire.Enclave.EnclaveClient _client;
    private readonly TimeSpan _timeout;

    public EnclaveClient(Wire.Enclave.EnclaveClient client, TimeSpan? timeout = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _timeout = timeout ?? TimeSpan.FromSeconds(60);
    }

    private EnclaveClient(GrpcChannel channel, TimeSpan? timeout)
        : this(new Wire.Enclave.EnclaveClient(channel), timeout)
    {
        _channel = channel;
    }

    /// <summary>A client of the enclave at <paramref name="address"/> (e.g. <c>http://127.0.0.1:7400</c>).</summary>
    public static EnclaveClient Connect(Uri address, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"'{address}' is not an http(s) address", nameof(address));
        }
        return new EnclaveClient(GrpcChannel.ForAddress(address), timeout);
    }

    public Task<Wire.StatusResponse> StatusAsync(CancellationToken cancellationToken = default) =>
        CallAsync("Status", o => _client.StatusAsync(new Wire.StatusRequest(), o), _ => null, cancellationToken);

    public Task<Wire.InstantiateResponse> InstantiateAsync(ReadOnlyMemory<byte> config, LightBlock trustedBlock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trustedBlock);
        var request = new Wire.InstantiateRequest
        {
            Config = ByteString.CopyFrom(config.Span),
            TrustedBlock = PublicationProofBuilder.ToWire(trustedBlock),
        };
        return CallAsync("Instantiate", o => _client.InstantiateAsync(request, o), r => EvidenceProblem(r.Evidence), cancellationToken);
    }

    public Task<Wire.SessionCreateResponse> SessionCreateAsync(ReadOnlyMemory<byte> contract, CancellationToken cancellationToken = default)
    {
        var request = new Wire.SessionCreateRequest { Contract = ByteString.CopyFrom(contract.Span) };
        return CallAsync("SessionCreate", o => _client.SessionCreateAsync(request, o),
            r => r.Nonce.Length != 32 ? $"nonce is {r.Nonce.Length} bytes, not 32" : EvidenceProblem(r.Evidence), cancellationToken);
    }

    public Task<Wire.SessionKeysResponse> SessionSetPubKeyAsync(HostPublicationProof proof, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var request = new Wire.SessionProofRequest { Proof = proof.ToProtocol() };
        return CallAsync("SessionSetPubKey", o => _client.SessionSetPubKeyAsync(request, o), KeysProblem, cancellationToken);
    }

    public Task<Wire.SessionKeysResponse> SessionReattestAsync(HostPublicationProof proof, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var request = new Wire.SessionProofRequest { Proof = proof.ToProtocol() };
        return CallAsync("SessionReattest", o => _client.SessionReattestAsync(request, o), KeysProblem, cancellationToken);
    }

    public async Task<EnclaveOutput> ExecuteAsync(HostStateProof proof, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var request = proof.ToExecuteRequest();
        var r = await CallAsync("Execute", o => _client.ExecuteAsync(request, o), r =>
            r.Body.IsEmpty ? "empty output body"
            : r.Signature.Length != 64 ? $"signature is {r.Signature.Length} bytes, not 64"
            : r.EndSeq <= r.FirstSeq ? $"range [{r.FirstSeq}, {r.EndSeq}) is empty"
            : r.VerifiedHeight != proof.QueryHeight + 1 ? $"verified height {r.VerifiedHeight} is not the proof's header {proof.QueryHeight + 1}"
            : null, cancellationToken).ConfigureAwait(false);
        return new EnclaveOutput(r.Body.ToByteArray(), r.Signature.ToByteArray(), r.FirstSeq, r.EndSeq, r.VerifiedHeight);
    }

    public void Dispose() => _channel?.Dispose();

    private static string? KeysProblem(Wire.SessionKeysResponse r) =>
        r.Nonce.Length != 32 ? $"nonce is {r.Nonce.Length} bytes, not 32"
        : r.SigningKey.Length != 32 ? $"signing key is {r.SigningKey.Length} bytes, not 32"
        : r.EncryptionKey.Length != 32 ? $"encryption key is {r.EncryptionKey.Length} bytes, not 32"
        : r.VerifiedHeight <= 0 ? $"verified height {r.VerifiedHeight} is not positive"
        : EvidenceProblem(r.Evidence);

    private static string? EvidenceProblem(Wire.Evidence? evidence) =>
        evidence is null ? "no evidence" : evidence.Quote.IsEmpty ? "evidence without a quote" : null;

    private async Task<T> CallAsync<T>(string call, Func<CallOptions, AsyncUnaryCall<T>> invoke, Func<T, string?> problem, CancellationToken cancellationToken)
    {
        T response;
        try
        {
            response = await invoke(new CallOptions(deadline: DateTime.UtcNow + _timeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            var kind = e.StatusCode switch
            {
                StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled => EnclaveErrorKind.Unreachable,
                // An enclave without the method, or a reply the client cannot decode.
                StatusCode.Unimplemented or StatusCode.DataLoss => EnclaveErrorKind.BadResponse,
                _ => EnclaveErrorKind.Refused,
            };
            throw new EnclaveClientException(kind, call, $"{e.StatusCode}: {e.Status.Detail}", e);
        }
        var bad = response is null ? "no response" : problem(response);
        if (bad is not null)
        {
            throw new EnclaveClientException(EnclaveErrorKind.BadResponse, call, bad);
        }
        return response;
    }
}
