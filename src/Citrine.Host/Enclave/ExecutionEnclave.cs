using Citrine.Host.Proofs;
using Wire = Citrine.Enclave.Protocol.V1;

namespace Citrine.Host.Enclave;

/// <summary>
/// The enclave's answer to one batch: the output body and its Ed25519 signature under the session
/// key (docs/execution.md, "Outputs"), the range it consumed and the height it verified the inputs under.
/// </summary>
public sealed record EnclaveOutput(byte[] Body, byte[] Signature, ulong FirstSeq, ulong EndSeq, long VerifiedHeight);

/// <summary>The enclave calls the execution relay makes.</summary>
public interface IExecutionEnclave
{
    Task<Wire.StatusResponse> StatusAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Executes the batch <paramref name="proof"/> proves (docs/execution.md, "Proven inputs"): its
    /// keys are the session record, <c>queue/head</c>, <c>queue/next</c>, <c>state/hash</c>,
    /// <c>state</c>, then <c>queue/&lt;head + i&gt;</c> for each request of the batch.
    /// </summary>
    Task<EnclaveOutput> ExecuteAsync(HostStateProof proof, CancellationToken cancellationToken = default);
}
