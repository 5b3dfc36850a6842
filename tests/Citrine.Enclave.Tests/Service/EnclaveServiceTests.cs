using System.Net;
using Citrine.Attestation.Attestors;
using Citrine.CometBft.Encoding;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Citrine.Enclave.Runtime;
using Citrine.Enclave.Sealing;
using Citrine.Enclave.Service;
using Citrine.Enclave.Tests.Runtime;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Proto = Citrine.Enclave.Protocol.V1;

namespace Citrine.Enclave.Tests.Service;

/// <summary>The gRPC service over a real loopback server (port 0), called with Grpc.Net.Client as the host does.</summary>
public sealed class EnclaveServiceTests : IAsyncLifetime, IDisposable
{
    private readonly Devnet _chain = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("citrine-grpc-").FullName;
    private readonly byte[] _contract;
    private readonly long _trustedHeight;
    private InsecureFileSealer? _sealer;
    private EnclaveRuntime? _runtime;
    private EnclaveServer? _server;
    private GrpcChannel? _channel;

    public EnclaveServiceTests()
    {
        _chain.Produce(2);
        _contract = _chain.InstantiateRecordContract();
        _trustedHeight = _chain.Node.Height;
    }

    private Proto.Enclave.EnclaveClient Client => new(_channel);

    private Health.HealthClient HealthClient => new(_channel);

    public async Task InitializeAsync()
    {
        _sealer = InsecureFileSealer.OpenOrCreate(_directory);
        _runtime = EnclaveRuntime.Open(new EnclaveRuntimeOptions
        {
            Attestor = new MockAttestor(EnclaveRuntimeTests.MockMeasurement),
            Sealer = _sealer,
            StorageDirectory = _directory,
            Measurement = EnclaveRuntimeTests.MockMeasurement,
            App = new Execution.CounterApp(),
        });
        _server = await EnclaveServer.StartAsync(_runtime, "127.0.0.1:0");
        _channel = GrpcChannel.ForAddress(_server.Uri);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _runtime?.Dispose();
        _sealer?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose() => _chain.Dispose();

    private static Proto.LightBlock Wire(CometBft.Types.LightBlock block)
    {
        var (encoded, next) = LightBlockProtobuf.Encode(block);
        return new Proto.LightBlock { Encoded = ByteString.CopyFrom(encoded), NextValidatorSet = ByteString.CopyFrom(next) };
    }

    private static Proto.SessionProofRequest Wire(Citrine.Enclave.Publication.PublicationProof proof)
    {
        var wire = new Proto.PublicationProof { QueryHeight = proof.QueryHeight, Value = ByteString.CopyFrom(proof.Value!.Value.Span) };
        wire.LightBlocks.AddRange(proof.LightBlocks.Select(Wire));
        wire.ProofOps.AddRange(proof.ProofOps.Select(o => new Proto.ProofOp { Type = o.Type, Key = ByteString.CopyFrom(o.Key.Span), Data = ByteString.CopyFrom(o.Data.Span) }));
        return new Proto.SessionProofRequest { Proof = wire };
    }

    private async Task<HealthCheckResponse.Types.ServingStatus> HealthStatus(string service = "") =>
        (await HealthClient.CheckAsync(new HealthCheckRequest { Service = service })).Status;

    private static async Task<RpcException> AssertRefused(StatusCode code, EnclaveReason reason, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, error.StatusCode);
        Assert.Equal(reason.ToString(), error.Trailers.GetValue(ProtocolMapping.ReasonTrailer));
        Assert.StartsWith(reason.ToString(), error.Status.Detail, StringComparison.Ordinal);
        return error;
    }

    private async Task<Proto.SessionKeysResponse> Establish()
    {
        var config = EnclaveRuntimeTests.Config(_chain, _trustedHeight);
        var instantiated = await Client.InstantiateAsync(new Proto.InstantiateRequest { Config = ByteString.CopyFrom(config), TrustedBlock = Wire(_chain.Block(_trustedHeight)) });
        Assert.Equal(Proto.TeeKind.Mock, instantiated.Evidence.Kind);
        var created = await Client.SessionCreateAsync(new Proto.SessionCreateRequest { Contract = ByteString.CopyFrom(_contract) });
        _chain.PublishRecord(_contract, EnclaveRuntimeTests.Record(SessionPhase.Created, created.Nonce.ToByteArray()));
        return await Client.SessionSetPubKeyAsync(Wire(_chain.RecordProof(_contract, _trustedHeight + 1)));
    }

    [Fact]
    public async Task The_server_binds_loopback_port_0_and_reports_the_bound_port()
    {
        Assert.Equal(IPAddress.Loopback, _server!.Address.Address);
        Assert.NotEqual(0, _server.Address.Port);
        var status = await Client.StatusAsync(new Proto.StatusRequest());
        Assert.Equal("mock", status.Mode);
        Assert.Equal("uninitialised", status.Phase);
        Assert.True(status.Insecure);
    }

    [Fact]
    public async Task Handshake_over_gRPC_turns_health_from_NOT_SERVING_to_SERVING()
    {
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await HealthStatus());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await HealthStatus(EnclaveServer.ServiceName));
        var keys = await Establish();
        Assert.Equal(32, keys.SigningKey.Length);
        Assert.Equal(32, keys.EncryptionKey.Length);
        Assert.Equal(64, keys.Evidence.ReportData.Length);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await HealthStatus());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await HealthStatus(EnclaveServer.ServiceName));

        var status = await Client.StatusAsync(new Proto.StatusRequest());
        Assert.Equal("established", status.Phase);
        Assert.Equal(keys.SigningKey, status.SigningKey);
        Assert.Equal(keys.VerifiedHeight, status.TrustedHeight);
        Assert.Equal(_chain.ChainId, status.ChainId);
    }

    [Fact]
    public async Task Health_returns_to_NOT_SERVING_when_the_established_state_is_lost()
    {
        var lightPath = Path.Combine(_directory, EnclaveRuntime.LightClientFileName);
        var config = EnclaveRuntimeTests.Config(_chain, _trustedHeight);
        await Client.InstantiateAsync(new Proto.InstantiateRequest { Config = ByteString.CopyFrom(config), TrustedBlock = Wire(_chain.Block(_trustedHeight)) });
        var older = File.ReadAllBytes(lightPath);
        var created = await Client.SessionCreateAsync(new Proto.SessionCreateRequest { Contract = ByteString.CopyFrom(_contract) });
        _chain.PublishRecord(_contract, EnclaveRuntimeTests.Record(SessionPhase.Created, created.Nonce.ToByteArray()));
        var keys = await Client.SessionSetPubKeyAsync(Wire(_chain.RecordProof(_contract, _trustedHeight + 1)));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await HealthStatus());

        File.WriteAllBytes(lightPath, older);
        var error = await AssertRefused(StatusCode.DataLoss, EnclaveReason.StateRolledBack,
            async () => await Client.SessionReattestAsync(Wire(_chain.RecordProof(_contract, keys.VerifiedHeight + 1))));
        Assert.Equal("OlderThanSeen", error.Trailers.GetValue(ProtocolMapping.InnerReasonTrailer));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await HealthStatus());
    }

    [Fact]
    public async Task An_undecodable_light_block_is_InvalidArgument()
    {
        var config = EnclaveRuntimeTests.Config(_chain, _trustedHeight);
        var garbage = new Proto.LightBlock { Encoded = ByteString.CopyFrom(0xff, 0xff, 0xff), NextValidatorSet = ByteString.Empty };
        var error = await AssertRefused(StatusCode.InvalidArgument, EnclaveReason.InputMalformed,
            async () => await Client.InstantiateAsync(new Proto.InstantiateRequest { Config = ByteString.CopyFrom(config), TrustedBlock = garbage }));
        Assert.Contains("trusted_block", error.Status.Detail, StringComparison.Ordinal);
        // Without its next validator set the block decodes (an empty set is well-formed) but the
        // light client refuses it: the header names another set.
        var (encoded, _) = LightBlockProtobuf.Encode(_chain.Block(_trustedHeight));
        await AssertRefused(StatusCode.InvalidArgument, EnclaveReason.TrustRootRefused,
            async () => await Client.InstantiateAsync(new Proto.InstantiateRequest { Config = ByteString.CopyFrom(config), TrustedBlock = new Proto.LightBlock { Encoded = ByteString.CopyFrom(encoded) } }));
        Assert.Equal("uninitialised", (await Client.StatusAsync(new Proto.StatusRequest())).Phase);
    }

    [Fact]
    public async Task Garbage_proof_ops_are_InvalidArgument_with_the_reason()
    {
        var config = EnclaveRuntimeTests.Config(_chain, _trustedHeight);
        await Client.InstantiateAsync(new Proto.InstantiateRequest { Config = ByteString.CopyFrom(config), TrustedBlock = Wire(_chain.Block(_trustedHeight)) });
        var created = await Client.SessionCreateAsync(new Proto.SessionCreateRequest { Contract = ByteString.CopyFrom(_contract) });
        _chain.PublishRecord(_contract, EnclaveRuntimeTests.Record(SessionPhase.Created, created.Nonce.ToByteArray()));
        var request = Wire(_chain.RecordProof(_contract, _trustedHeight + 1));
        request.Proof.ProofOps[0].Data = ByteString.CopyFrom(0xff, 0x01, 0x02);
        var error = await AssertRefused(StatusCode.InvalidArgument, EnclaveReason.PublicationRefused, async () => await Client.SessionSetPubKeyAsync(request));
        Assert.Equal("ProofMalformed", error.Trailers.GetValue(ProtocolMapping.InnerReasonTrailer));
        // A request with no proof at all.
        await AssertRefused(StatusCode.InvalidArgument, EnclaveReason.InputMalformed, async () => await Client.SessionSetPubKeyAsync(new Proto.SessionProofRequest()));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await HealthStatus());
    }

    [Fact]
    public async Task Execute_over_gRPC_returns_the_signed_output_body()
    {
        var keys = await Establish();
        _chain.PublishRecord(_contract, EnclaveRuntimeTests.Record(SessionPhase.Established, keys.Nonce.ToByteArray(), keys.SigningKey.ToByteArray(), keys.EncryptionKey.ToByteArray(), (ulong)keys.VerifiedHeight));
        var kind = "add";
        var aad = RequestAad.Build(_chain.ChainId, _contract, _chain.Address(0), 1, kind);
        var sealedRequest = Citrine.Crypto.Hpke.HpkeSuite.X25519Sha256ChaCha20Poly1305.Seal(keys.EncryptionKey.Span, System.Text.Encoding.UTF8.GetBytes(RequestSuite.Info), aad, Execution.CounterApp.U64(42));
        var record = new RequestRecord
        {
            Seq = 0, SessionId = 1, Sender = _chain.Address(0), Kind = kind, AeadId = RequestSuite.ChaCha20Poly1305AeadId,
            Enc = sealedRequest.EncapsulatedKey, Ciphertext = sealedRequest.Ciphertext, Height = (ulong)_chain.Node.Height,
        };
        _chain.WriteContractState(_contract,
            (ExecutionKeys.Request(0), record.Encode()),
            (ExecutionKeys.QueueHead.ToArray(), ExecutionKeys.EncodeU64(0)),
            (ExecutionKeys.QueueNext.ToArray(), ExecutionKeys.EncodeU64(1)),
            (ExecutionKeys.StateHash.ToArray(), new byte[32]));
        var (queryHeight, entries) = _chain.ProveContractKeys(_contract,
            [SessionRecord.StateKey.ToArray(), ExecutionKeys.QueueHead.ToArray(), ExecutionKeys.QueueNext.ToArray(), ExecutionKeys.StateHash.ToArray(), ExecutionKeys.State.ToArray(), ExecutionKeys.Request(0)]);
        var request = new Proto.ExecuteRequest { QueryHeight = queryHeight };
        request.LightBlocks.AddRange(_chain.Blocks(keys.VerifiedHeight + 1, queryHeight + 1).Select(Wire));
        foreach (var entry in entries)
        {
            var wire = new Proto.ProvenEntry { Key = ByteString.CopyFrom(entry.Key.Span) };
            if (entry.Value is { } value)
            {
                wire.Value = ByteString.CopyFrom(value.Span);
            }
            wire.ProofOps.AddRange(entry.ProofOps.Select(o => new Proto.ProofOp { Type = o.Type, Key = ByteString.CopyFrom(o.Key.Span), Data = ByteString.CopyFrom(o.Data.Span) }));
            request.Entries.Add(wire);
        }

        var response = await Client.ExecuteAsync(request);
        Assert.Equal((0ul, 1ul, queryHeight + 1), (response.FirstSeq, response.EndSeq, response.VerifiedHeight));
        Assert.True(Citrine.Crypto.Signatures.Ed25519.Verify(keys.SigningKey.Span, response.Body.Span, response.Signature.Span));
        Assert.True(OutputBody.TryDecode(response.Body.Span, out var body, out var error), error);
        Assert.Equal(Execution.CounterApp.U64(42), Assert.Single(body!.Responses).Payload);

        // The same request with the state entry dropped: refused before any proof is checked.
        request.Entries.Clear();
        await AssertRefused(StatusCode.InvalidArgument, EnclaveReason.InputMalformed, async () => await Client.ExecuteAsync(request));
    }

    [Fact]
    public async Task Calls_out_of_order_are_FailedPrecondition_with_the_reason()
    {
        await AssertRefused(StatusCode.FailedPrecondition, EnclaveReason.NotInstantiated,
            async () => await Client.SessionCreateAsync(new Proto.SessionCreateRequest { Contract = ByteString.CopyFrom(_contract) }));
    }

    [Fact]
    public void ParseListen_refuses_a_non_loopback_address_unless_allowed()
    {
        Assert.Throws<ArgumentException>(() => EnclaveServer.ParseListen("0.0.0.0:7000"));
        Assert.Throws<ArgumentException>(() => EnclaveServer.ParseListen("10.1.2.3:7000"));
        Assert.Throws<ArgumentException>(() => EnclaveServer.ParseListen("example.org:7000"));
        Assert.Throws<ArgumentException>(() => EnclaveServer.ParseListen("127.0.0.1"));
        Assert.Equal(new IPEndPoint(IPAddress.Any, 7000), EnclaveServer.ParseListen("0.0.0.0:7000", allowNonLoopback: true));
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 0), EnclaveServer.ParseListen("[::1]:0"));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5), EnclaveServer.ParseListen("localhost:5"));
    }

    [Fact]
    public async Task StartAsync_refuses_a_non_loopback_bind_without_the_flag() =>
        await Assert.ThrowsAsync<ArgumentException>(() => EnclaveServer.StartAsync(_runtime!, "0.0.0.0:0"));

    [Fact]
    public void Every_reason_maps_to_a_status_other_than_Unknown()
    {
        foreach (var reason in Enum.GetValues<EnclaveReason>().Where(r => r != EnclaveReason.None))
        {
            Assert.NotEqual(StatusCode.Unknown, ProtocolMapping.StatusCodeOf(reason));
        }
    }
}
