using System.Reflection;
using Citrine.Enclave.LightClient;
using Citrine.Enclave.Runtime;

namespace Citrine.Fuzz;

/// <summary>
/// Fuzz targets for the enclave's sealed state parsers: whatever the bytes, decoding may only raise
/// the codec's own format exception (<see cref="TrustedStateFormatException"/>,
/// <see cref="SessionStateFormatException"/>), and what decodes re-encodes to the same bytes (both
/// encodings are canonical). The session state codec is internal to Citrine.Enclave, so it is
/// bound once by name; a rename fails loudly at start-up.
/// </summary>
internal static class EnclaveTargets
{
    private delegate object SessionStateDecode(ReadOnlySpan<byte> data);

    private static readonly Type SessionStateCodec = typeof(SessionStateFormatException).Assembly
        .GetType("Citrine.Enclave.Runtime.SessionStateCodec", throwOnError: true)!;

    private static readonly SessionStateDecode DecodeSessionState = SessionStateCodec
        .GetMethod("Decode", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!
        .CreateDelegate<SessionStateDecode>();

    private static readonly MethodInfo EncodeSessionState = SessionStateCodec
        .GetMethod("Encode", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
        ?? throw new MissingMethodException("SessionStateCodec", "Encode");

    [FuzzTarget("enclave-trusted-state", typeof(TrustedStateFormatException))]
    public static void FuzzTrustedState(ReadOnlySpan<byte> data)
    {
        var state = TrustedStateCodec.Decode(data);
        if (!TrustedStateCodec.Encode(state).AsSpan().SequenceEqual(data))
        {
            throw new InvalidOperationException("trusted state decode/encode is not a round trip");
        }
    }

    /// <summary><c>SessionStateCodec.Decode</c>: the sealed session state the runtime reads back on restart (after unsealing).</summary>
    [FuzzTarget("enclave-session-state", typeof(SessionStateFormatException))]
    public static void FuzzSessionState(ReadOnlySpan<byte> data)
    {
        var state = DecodeSessionState(data);
        var encoded = (byte[])EncodeSessionState.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, [state], culture: null)!;
        if (!encoded.AsSpan().SequenceEqual(data))
        {
            throw new InvalidOperationException("session state decode/encode is not a round trip");
        }
    }
}
