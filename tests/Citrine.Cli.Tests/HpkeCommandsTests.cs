using System.Globalization;
using System.Text.Json;
using Citrine.Testing;

namespace Citrine.Cli.Tests;

public sealed class HpkeCommandsTests
{
    public static TheoryData<string> CliSuites() =>
        new() { "x25519-sha256-chacha20poly1305", "x25519-sha256-aes128gcm", "p256-sha256-aes128gcm" };

    [Theory]
    [MemberData(nameof(CliSuites))]
    public void Keygen_seal_open_round_trip_through_the_cli(string suite)
    {
        var keys = Json(CliRunner.Run("hpke", "keygen", "--suite", suite));
        var sealedMessage = Json(CliRunner.Run("hpke", "seal", "--suite", suite, "--pk", keys["pk"], "--plaintext", "48656c6c6f",
            "--info", "0102", "--aad", "aabb"));
        var opened = Json(CliRunner.Run("hpke", "open", "--suite", suite, "--sk", keys["sk"], "--enc", sealedMessage["enc"],
            "--ciphertext", sealedMessage["ciphertext"], "--info", "0102", "--aad", "aabb"));
        Assert.Equal("48656c6c6f", opened["plaintext"]);
    }

    [Fact]
    public void Default_suite_is_x25519_chacha20poly1305_with_empty_info_and_aad()
    {
        var keys = Json(CliRunner.Run("hpke", "keygen"));
        Assert.Equal(64, keys["sk"].Length);
        Assert.Equal(64, keys["pk"].Length);
        var sealedMessage = Json(CliRunner.Run("hpke", "seal", "--pk", keys["pk"], "--plaintext", ""));
        Assert.Equal(2 * 16, sealedMessage["ciphertext"].Length); // an empty message is just the 16-byte tag
        Assert.Equal(2 * 32, sealedMessage["enc"].Length);
        var opened = Json(CliRunner.Run("hpke", "open", "--suite", "x25519-sha256-chacha20poly1305", "--sk", keys["sk"],
            "--enc", sealedMessage["enc"], "--ciphertext", sealedMessage["ciphertext"], "--info", "", "--aad", ""));
        Assert.Equal("", opened["plaintext"]);
    }

    [Fact]
    public void Open_of_a_tampered_ciphertext_exits_1_without_output()
    {
        var keys = Json(CliRunner.Run("hpke", "keygen"));
        var sealedMessage = Json(CliRunner.Run("hpke", "seal", "--pk", keys["pk"], "--plaintext", "00112233"));
        var ct = sealedMessage["ciphertext"];
        var tampered = (ct[0] == '0' ? "1" : "0") + ct[1..];
        var result = CliRunner.Run("hpke", "open", "--sk", keys["sk"], "--enc", sealedMessage["enc"], "--ciphertext", tampered);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains("tag does not match", result.Error, StringComparison.Ordinal);
        NoStackTrace(result);
    }

    [Fact]
    public void Open_with_different_aad_exits_1()
    {
        var keys = Json(CliRunner.Run("hpke", "keygen"));
        var sealedMessage = Json(CliRunner.Run("hpke", "seal", "--pk", keys["pk"], "--plaintext", "00", "--aad", "01"));
        var result = CliRunner.Run("hpke", "open", "--sk", keys["sk"], "--enc", sealedMessage["enc"], "--ciphertext", sealedMessage["ciphertext"], "--aad", "02");
        Assert.Equal(1, result.ExitCode);
        NoStackTrace(result);
    }

    [Fact]
    public void Unknown_suite_exits_2()
    {
        var result = CliRunner.Run("hpke", "keygen", "--suite", "x448-sha512-aes256gcm");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown suite", result.Error, StringComparison.Ordinal);
        NoStackTrace(result);
    }

    [Theory]
    [InlineData("--pk", "zz")]
    [InlineData("--pk", "abc")]
    [InlineData("--plaintext", "0g")]
    [InlineData("--info", "xyz0")]
    [InlineData("--aad", "0")]
    public void Seal_with_bad_hex_exits_2(string option, string value)
    {
        var args = new Dictionary<string, string>
        {
            ["--pk"] = new string('1', 64),
            ["--plaintext"] = "00",
        };
        args[option] = value;
        var result = CliRunner.Run(["hpke", "seal", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(option, result.Error, StringComparison.Ordinal);
        NoStackTrace(result);
    }

    [Theory]
    [InlineData("x25519-sha256-chacha20poly1305", 31)]
    [InlineData("x25519-sha256-chacha20poly1305", 33)]
    [InlineData("p256-sha256-aes128gcm", 64)]
    public void Seal_with_a_wrong_length_public_key_exits_2(string suite, int length)
    {
        var result = CliRunner.Run("hpke", "seal", "--suite", suite, "--pk", new string('4', 2 * length), "--plaintext", "00");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--pk", result.Error, StringComparison.Ordinal);
        NoStackTrace(result);
    }

    [Fact]
    public void Seal_with_a_p256_point_off_the_curve_exits_2()
    {
        var keys = Json(CliRunner.Run("hpke", "keygen", "--suite", "p256-sha256-aes128gcm"));
        var pk = keys["pk"];
        var offCurve = pk[..^1] + (pk[^1] == '0' ? "1" : "0");
        var result = CliRunner.Run("hpke", "seal", "--suite", "p256-sha256-aes128gcm", "--pk", offCurve, "--plaintext", "00");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a point on the curve", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_with_a_wrong_length_private_key_or_enc_exits_2()
    {
        var keys = Json(CliRunner.Run("hpke", "keygen"));
        var sealedMessage = Json(CliRunner.Run("hpke", "seal", "--pk", keys["pk"], "--plaintext", "00"));
        var badSk = CliRunner.Run("hpke", "open", "--sk", keys["sk"][2..], "--enc", sealedMessage["enc"], "--ciphertext", sealedMessage["ciphertext"]);
        Assert.Equal(2, badSk.ExitCode);
        Assert.Contains("--sk", badSk.Error, StringComparison.Ordinal);
        var badEnc = CliRunner.Run("hpke", "open", "--sk", keys["sk"], "--enc", sealedMessage["enc"] + "00", "--ciphertext", sealedMessage["ciphertext"]);
        Assert.Equal(2, badEnc.ExitCode);
        Assert.Contains("--enc", badEnc.Error, StringComparison.Ordinal);
        NoStackTrace(badSk);
        NoStackTrace(badEnc);
    }

    [Fact]
    public void Missing_required_options_exit_2()
    {
        Assert.Equal(2, CliRunner.Run("hpke", "seal", "--plaintext", "00").ExitCode);
        Assert.Equal(2, CliRunner.Run("hpke", "open", "--sk", "00").ExitCode);
    }

    /// <summary>
    /// Interop: every base-mode RFC 9180 Appendix A vector whose suite the CLI offers; its first
    /// encryption (sequence 0, which is what single-shot seal produces) opens through the CLI.
    /// </summary>
    [SkippableFact]
    [Trait("Category", "Conformance")]
    [Trait("Area", "Hpke")]
    public void Open_recovers_the_first_message_of_each_rfc9180_base_vector_the_cli_supports()
    {
        var folder = Vectors.Require("hpke/rfc9180");
        var suites = new Dictionary<(int Kem, int Kdf, int Aead), string>
        {
            [(32, 1, 3)] = "x25519-sha256-chacha20poly1305",
            [(32, 1, 1)] = "x25519-sha256-aes128gcm",
            [(16, 1, 1)] = "p256-sha256-aes128gcm",
        };
        var opened = 0;
        foreach (var file in Directory.GetFiles(folder, "*.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var v in doc.RootElement.GetProperty("vectors").EnumerateArray())
            {
                if (Int(v, "mode") != 0 || !suites.TryGetValue((Int(v, "kem_id"), Int(v, "kdf_id"), Int(v, "aead_id")), out var suite))
                {
                    continue;
                }
                var first = v.GetProperty("encryptions").EnumerateArray().Single(e => Int(e, "sequence_number") == 0);
                var result = Json(CliRunner.Run("hpke", "open", "--suite", suite, "--sk", v.GetProperty("skRm").GetString()!,
                    "--enc", v.GetProperty("enc").GetString()!, "--info", v.GetProperty("info").GetString()!,
                    "--aad", first.GetProperty("aad").GetString()!, "--ciphertext", first.GetProperty("ct").GetString()!));
                Assert.Equal(first.GetProperty("pt").GetString(), result["plaintext"]);
                opened++;
            }
        }
        Assert.Equal(suites.Count, opened);
    }

    private static int Int(JsonElement e, string name)
    {
        var p = e.GetProperty(name);
        return p.ValueKind == JsonValueKind.Number ? p.GetInt32() : int.Parse(p.GetString()!, CultureInfo.InvariantCulture);
    }

    private static Dictionary<string, string> Json(CliResult result)
    {
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Error}");
        using var doc = JsonDocument.Parse(result.Output);
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    private static void NoStackTrace(CliResult result)
    {
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Error, StringComparison.Ordinal);
    }
}
