using Citrine.Attestation.Testing;

namespace Citrine.Attestation.Attestors;

/// <summary>
/// SIMULATION — development only. Produces genuine-format DCAP quotes (SGX or TDX) signed by a
/// locally generated test PKI (<see cref="DcapSimulator"/>), with their collateral, so the whole
/// real verification path runs in development. The quotes verify only under the test root; under
/// Intel's pinned root they fail with UntrustedRoot.
/// </summary>
public sealed class SimulatedDcapAttestor : IAttestor
{
    private readonly DcapSimulator _simulator;
    private readonly Func<DateTimeOffset> _clock;
    private readonly Func<ReadOnlyMemory<byte>, DateTimeOffset, SimulatedQuoteRequest> _request;

    /// <param name="simulator">The test PKI that signs.</param>
    /// <param name="kind"><see cref="TeeKind.Sgx"/> (quote v3) or <see cref="TeeKind.Tdx"/> (quote v4).</param>
    /// <param name="clock">Supplies the time the collateral is built around (an explicit source, never read here).</param>
    /// <param name="template">Shapes the request (measurements, version, statuses); defaults to the simulator's defaults.</param>
    public SimulatedDcapAttestor(DcapSimulator simulator, TeeKind kind, Func<DateTimeOffset> clock, Func<ReadOnlyMemory<byte>, DateTimeOffset, SimulatedQuoteRequest>? template = null)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentNullException.ThrowIfNull(clock);
        if (kind == TeeKind.Mock)
        {
            throw new ArgumentException("the simulated DCAP attestor produces SGX or TDX quotes", nameof(kind));
        }
        _simulator = simulator;
        _clock = clock;
        Kind = kind;
        _request = template ?? ((data, now) => new SimulatedQuoteRequest
        {
            Now = now,
            ReportData = data,
            Tee = kind == TeeKind.Tdx ? SimulatedTee.Tdx : SimulatedTee.Sgx,
            QuoteVersion = kind == TeeKind.Tdx ? 4 : 3,
        });
    }

    public TeeKind Kind { get; }

    public Task<AttestationEvidence> AttestAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var data = QuoteChecks.RequireReportData(reportData);
        var request = _request(data, _clock());
        if ((request.Tee == SimulatedTee.Tdx) != (Kind == TeeKind.Tdx))
        {
            throw new AttestorException(AttestorError.TeeMismatch, $"the request template produces {request.Tee} quotes for a {Kind} attestor");
        }
        var evidence = _simulator.Generate(request);
        var quote = QuoteChecks.Check(evidence.Quote, Kind, data, "simulated DCAP");
        return Task.FromResult(new AttestationEvidence
        {
            Kind = Kind,
            Quote = quote,
            ReportData = data,
            Source = "simulated-dcap",
            CollateralJson = evidence.CollateralJson,
        });
    }
}
