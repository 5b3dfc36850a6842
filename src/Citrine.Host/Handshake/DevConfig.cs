using Citrine.Attestation.Dcap;
using Citrine.CometBft.LightClient;
using Citrine.Contracts.Session;
using Citrine.Host.Chain;
using Wire = Citrine.Enclave.Protocol.V1;

namespace Citrine.Host.Handshake;

/// <summary>The trust parameters of a development config (docs/session.md, "Config").</summary>
public sealed record DevConfigOptions
{
    public TimeSpan TrustingPeriod { get; init; } = TimeSpan.FromDays(14);

    public Fraction TrustThreshold { get; init; } = Fraction.OneThird;

    public TimeSpan MaxClockDrift { get; init; } = TimeSpan.FromSeconds(10);

    public uint MaxBlockLag { get; init; } = 10;

    public long MaxAttestationAgeSeconds { get; init; } = 86_400;

    /// <summary>An admin (20 bytes) who may add or remove measurements; none by default.</summary>
    public byte[]? Admin { get; init; }
}

/// <summary>
/// The config <c>citrine dev</c> instantiates with: trust root = the node's latest committed height
/// and its hash, and the enclave's measurement. Written by the session core's one config writer
/// (<see cref="SessionConfig.Write"/>), so it is always a config the contract and the enclave parse.
/// </summary>
public static class DevConfig
{
    /// <exception cref="ChainClientException">the node cannot be asked.</exception>
    /// <exception cref="ArgumentException">the enclave's mode has no measurement here (give one from a quote).</exception>
    public static async Task<byte[]> BuildAsync(IChainClient chain, Wire.StatusResponse enclave, DevConfigOptions? options = null, Measurement? measurement = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(enclave);
        options ??= new DevConfigOptions();
        var status = await chain.StatusAsync(cancellationToken).ConfigureAwait(false);
        if (status.LatestBlockHeight < 1)
        {
            throw new ChainClientException(ChainErrorKind.NotFound, "status", "the node has no committed block to trust yet");
        }
        // The header itself, not the status's hash: the trust root is the hash the enclave will check.
        var block = await chain.LightBlockAsync(status.LatestBlockHeight, cancellationToken).ConfigureAwait(false);
        var mock = enclave.Mode == "mock";
        measurement ??= mock
            ? Measurement.Mock(enclave.Measurement.Span)
            : throw new ArgumentException($"an enclave in mode '{enclave.Mode}' needs its measurement from a quote (MeasurementFromQuote)", nameof(measurement));
        return SessionConfig.Write(
            [measurement],
            new SessionPolicy { AcceptMock = mock, AllowDebug = false, MaxAttestationAgeSeconds = options.MaxAttestationAgeSeconds },
            new SessionTrustRoot
            {
                ChainId = block.Header.ChainId,
                TrustedHeight = block.Height,
                TrustedHash = block.Header.Hash(),
                TrustingPeriodSeconds = (long)options.TrustingPeriod.TotalSeconds,
                TrustThresholdNumerator = options.TrustThreshold.Numerator,
                TrustThresholdDenominator = options.TrustThreshold.Denominator,
                MaxClockDriftSeconds = (long)options.MaxClockDrift.TotalSeconds,
                MaxBlockLag = options.MaxBlockLag,
            },
            options.Admin ?? []);
    }

    /// <summary>The measurement a DCAP quote (SGX or TDX) runs under: MRENCLAVE/MRSIGNER/ISVPRODID/ISVSVN, or MRTD and the RTMRs.</summary>
    /// <exception cref="QuoteFormatException">the bytes are not a quote.</exception>
    public static Measurement MeasurementFromQuote(ReadOnlySpan<byte> quote)
    {
        var parsed = QuoteParser.Parse(quote);
        if (parsed.SgxBody is { } sgx)
        {
            return Measurement.Sgx(sgx.MrEnclave, sgx.MrSigner, sgx.IsvProdId, sgx.IsvSvn);
        }
        if (parsed.TdBody is { } td)
        {
            return Measurement.Tdx(td.MrTd, td.Rtmrs);
        }
        throw new QuoteFormatException("the quote carries neither an SGX nor a TD report body");
    }
}
