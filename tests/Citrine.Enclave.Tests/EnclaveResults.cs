using Citrine.Enclave.Runtime;

namespace Citrine.Enclave.Tests;

/// <summary>Assertions on an <see cref="EnclaveResult{T}"/>, shared by the runtime and execution tests.</summary>
internal static class EnclaveResults
{
    /// <summary>The value of a successful result; fails with the refusal otherwise.</summary>
    public static T Ok<T>(EnclaveResult<T> result)
        where T : class
    {
        Assert.True(result.IsSuccess, result.ToString());
        return result.Value!;
    }

    /// <summary>Asserts a refusal with exactly <paramref name="reason"/> and a detail; returns it.</summary>
    public static EnclaveRefusal AssertRefused<T>(EnclaveReason reason, EnclaveResult<T> result)
        where T : class
    {
        Assert.False(result.IsSuccess);
        Assert.True(reason == result.Reason, $"expected {reason}, got {result}");
        Assert.NotEmpty(result.Refusal!.Detail);
        return result.Refusal;
    }
}
