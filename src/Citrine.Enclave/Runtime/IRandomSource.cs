using System.Security.Cryptography;

namespace Citrine.Enclave.Runtime;

/// <summary>Where the runtime's nonces and keys come from: injected, so tests can make them reproducible.</summary>
public interface IRandomSource
{
    void Fill(Span<byte> destination);
}

/// <summary>The operating system's CSPRNG (<see cref="RandomNumberGenerator"/>); inside SGX under Gramine it is RDRAND-backed.</summary>
public sealed class SystemRandomSource : IRandomSource
{
    public static SystemRandomSource Instance { get; } = new();

    private SystemRandomSource()
    {
    }

    public void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}
