using Citrine.Host.Enclave;
using Citrine.Host.Proofs;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wire = Citrine.Enclave.Protocol.V1;

namespace Citrine.Host.Tests.Enclave;

/// <summary>The client against a stand-in enclave service over real HTTP/2 cleartext on loopback.</summary>
public sealed class EnclaveClientTests : IAsyncLifetime
{
    private WebApplication? _app;
    private Uri _address = null!;

    internal sealed class StandIn : Wire.Enclave.EnclaveBase
    {
        public override Task<Wire.StatusResponse> Status(Wire.StatusRequest request, ServerCallContext context) =>
            Task.FromResult(new Wire.StatusResponse { Mode = "mock", Phase = "uninitialised", TrustedHeight = 7 });

        public override Task<Wire.SessionCreateResponse> SessionCreate(Wire.SessionCreateRequest request, ServerCallContext context) =>
            request.Contract.Length == 20
                ? Task.FromResult(new Wire.SessionCreateResponse { Nonce = ByteString.CopyFrom(new byte[16]), Evidence = new Wire.Evidence { Quote = ByteString.CopyFromUtf8("q") } })
                : throw new RpcException(new Status(StatusCode.FailedPrecondition, "NotInstantiated: the enclave has no config yet"));

        public override Task<Wire.SessionKeysResponse> SessionSetPubKey(Wire.SessionProofRequest request, ServerCallContext context) =>
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"ProofTooOld: {request.Proof.LightBlocks.Count} blocks"));
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        _app = builder.Build();
        _app.MapGrpcService<StandIn>();
        await _app.StartAsync();
        _address = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync() => await _app!.DisposeAsync();

    [Fact]
    public async Task Status_comes_back_over_http2_cleartext()
    {
        using var client = EnclaveClient.Connect(_address);
        var status = await client.StatusAsync();
        Assert.Equal("mock", status.Mode);
        Assert.Equal(7, status.TrustedHeight);
    }

    [Fact]
    public async Task A_refusal_carries_the_enclaves_reason()
    {
        using var client = EnclaveClient.Connect(_address);
        var e = await Assert.ThrowsAsync<EnclaveClientException>(() => client.SessionCreateAsync(new byte[3]));
        Assert.Equal(EnclaveErrorKind.Refused, e.Kind);
        Assert.Contains("NotInstantiated: the enclave has no config yet", e.Reason, StringComparison.Ordinal);

        var proof = await Assert.ThrowsAsync<EnclaveClientException>(() => client.SessionSetPubKeyAsync(new HostPublicationProof([], 4, null, [])));
        Assert.Contains("ProofTooOld: 0 blocks", proof.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_answer_is_a_bad_response()
    {
        using var client = EnclaveClient.Connect(_address);
        var e = await Assert.ThrowsAsync<EnclaveClientException>(() => client.SessionCreateAsync(new byte[20]));
        Assert.Equal(EnclaveErrorKind.BadResponse, e.Kind);
        Assert.Contains("nonce is 16 bytes", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_method_the_enclave_does_not_serve_is_a_bad_response()
    {
        using var client = EnclaveClient.Connect(_address);
        var e = await Assert.ThrowsAsync<EnclaveClientException>(() => client.SessionReattestAsync(new HostPublicationProof([], 4, null, [])));
        Assert.Equal(EnclaveErrorKind.BadResponse, e.Kind);
    }

    [Fact]
    public async Task A_closed_port_is_unreachable()
    {
        using var client = EnclaveClient.Connect(new Uri($"http://127.0.0.1:{FakeHttpServer.ClosedPort()}"), TimeSpan.FromSeconds(10));
        var e = await Assert.ThrowsAsync<EnclaveClientException>(() => client.StatusAsync());
        Assert.Equal(EnclaveErrorKind.Unreachable, e.Kind);
    }
}
