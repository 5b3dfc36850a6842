using Citrine.Enclave.Sealing;

namespace Citrine.Enclave.Tests.Sealing;

public sealed class InsecureFileSealerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citrine-seal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Unseal_returns_what_was_sealed_for_the_same_purpose()
    {
        using var sealer = InsecureFileSealer.OpenOrCreate(_directory);
        var blob = sealer.Seal("purpose-a", "secret"u8);
        Assert.True(sealer.TryUnseal("purpose-a", blob, out var plaintext, out var reason, out _));
        Assert.Equal(UnsealError.None, reason);
        Assert.Equal("secret"u8.ToArray(), plaintext);
        Assert.True(sealer.IsInsecure);
    }

    [Fact]
    public void Key_file_says_it_is_insecure_and_is_reused_on_reopen()
    {
        byte[] blob;
        using (var first = InsecureFileSealer.OpenOrCreate(_directory))
        {
            blob = first.Seal("p", "x"u8);
        }
        var path = Path.Combine(_directory, InsecureFileSealer.KeyFileName);
        Assert.Contains("INSECURE", Path.GetFileName(path), StringComparison.Ordinal);
        Assert.StartsWith("CITRINE INSECURE SEALING KEY", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(path)), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        using var second = InsecureFileSealer.OpenOrCreate(_directory);
        Assert.True(second.TryUnseal("p", blob, out _, out _, out _));
    }

    [Fact]
    public void OpenOrCreate_refuses_a_file_that_is_not_a_key_file()
    {
        File.WriteAllBytes(Path.Combine(_directory, InsecureFileSealer.KeyFileName), new byte[32]);
        Assert.Throws<InvalidDataException>(() => InsecureFileSealer.OpenOrCreate(_directory));
    }

    [Fact]
    public void Unseal_refuses_a_blob_sealed_for_another_purpose()
    {
        using var sealer = InsecureFileSealer.OpenOrCreate(_directory);
        var blob = sealer.Seal("signing-key", "k"u8);
        Assert.False(sealer.TryUnseal(TrustedStateStore.Purpose, blob, out var plaintext, out var reason, out var detail));
        Assert.Equal(UnsealError.AuthenticationFailed, reason);
        Assert.Null(plaintext);
        Assert.Contains(TrustedStateStore.Purpose, detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Unseal_refuses_every_single_bit_flip()
    {
        using var sealer = InsecureFileSealer.OpenOrCreate(_directory);
        var blob = sealer.Seal("p", "some sealed state"u8);
        for (var i = 0; i < blob.Length; i++)
        {
            var tampered = (byte[])blob.Clone();
            tampered[i] ^= 0x01;
            Assert.False(sealer.TryUnseal("p", tampered, out _, out var reason, out _));
            Assert.Equal(i < 4 ? UnsealError.Malformed : UnsealError.AuthenticationFailed, reason);
        }
    }

    [Fact]
    public void Unseal_refuses_a_blob_under_another_key()
    {
        using var mine = new InsecureFileSealer(new byte[32]);
        var other = new byte[32];
        other[0] = 1;
        using var theirs = new InsecureFileSealer(other);
        Assert.False(mine.TryUnseal("p", theirs.Seal("p", "x"u8), out _, out var reason, out _));
        Assert.Equal(UnsealError.AuthenticationFailed, reason);
    }

    [Fact]
    public void Unseal_refuses_a_truncated_blob()
    {
        using var sealer = InsecureFileSealer.OpenOrCreate(_directory);
        var blob = sealer.Seal("p", ""u8);
        Assert.False(sealer.TryUnseal("p", blob.AsSpan(0, blob.Length - 1), out _, out var reason, out _));
        Assert.Equal(UnsealError.Malformed, reason);
    }
}
