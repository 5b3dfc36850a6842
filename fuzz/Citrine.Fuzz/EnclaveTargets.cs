using Citrine.Enclave.LightClient;

namespace Citrine.Fuzz;

/// <summary>
/// Fuzz target for the enclave's sealed light-client state parser: whatever the bytes, decoding
/// may only raise <see cref="TrustedStateFormatException"/>, and what decodes re-encodes to the
/// same bytes (the encoding is canonical).
/// </summary>
internal static class EnclaveTargets
{
    [FuzzTarget("enclave-trusted-state", typeof(TrustedStateFormatException))]
    public static void FuzzTrustedState(ReadOnlySpan<byte> data)
    {
        var state = TrustedStateCodec.Decode(data);
        if (!TrustedStateCodec.Encode(state).AsSpan().SequenceEqual(data))
        {
            throw new InvalidOperationException("trusted state decode/encode is not a round trip");
        }
    }
}
