using System.CommandLine;
using Citrine.Crypto;
using Citrine.Crypto.Hpke;

namespace Citrine.Cli.Commands;

/// <summary>
/// <c>citrine hpke keygen|seal|open</c>: RFC 9180 base mode. Keys, messages and outputs are hex;
/// results are one JSON object. Bad hex, wrong-length or invalid keys and unknown suites exit 2;
/// a ciphertext that does not authenticate exits 1.
/// </summary>
internal static class HpkeCommands
{
    public const string DefaultSuite = "x25519-sha256-chacha20poly1305";

    private static readonly Dictionary<string, HpkeSuite> Suites = new(StringComparer.Ordinal)
    {
        [DefaultSuite] = HpkeSuite.X25519Sha256ChaCha20Poly1305,
        ["x25519-sha256-aes128gcm"] = HpkeSuite.X25519Sha256Aes128Gcm,
        ["p256-sha256-aes128gcm"] = HpkeSuite.P256Sha256Aes128Gcm,
    };

    public static Command Create()
    {
        var hpke = new Command("hpke", "HPKE (RFC 9180) base mode: key generation, seal and open.");
        hpke.Subcommands.Add(Keygen());
        hpke.Subcommands.Add(Seal());
        hpke.Subcommands.Add(Open());
        return hpke;
    }

    private static Option<string?> SuiteOption() =>
        CommonOptions.Optional("--suite", $"The ciphersuite: {string.Join(", ", Suites.Keys)} (default {DefaultSuite}).");

    private static Command Keygen()
    {
        var suite = SuiteOption();
        var cmd = new Command("keygen", "Generate a key pair; prints {\"sk\":hex,\"pk\":hex}.") { suite };
        cmd.SetAction(parsed =>
        {
            using var key = ResolveSuite(parsed.GetValue(suite)).GenerateKeyPair();
            var sk = key.ExportPrivateKey();
            CliOutput.WriteJson(parsed.InvocationConfiguration.Output, w =>
            {
                w.WriteString("sk", Crypto.Encoding.Hex.Encode(sk));
                w.WriteString("pk", Crypto.Encoding.Hex.Encode(key.PublicKey));
            });
            return CliApp.Ok;
        });
        return cmd;
    }

    private static Command Seal()
    {
        var suite = SuiteOption();
        var pk = CommonOptions.Required("--pk", "The recipient's public key (hex).");
        var plaintext = CommonOptions.Required("--plaintext", "The message (hex).");
        var info = CommonOptions.Optional("--info", "Application info bound into the key schedule (hex, default empty).");
        var aad = CommonOptions.Optional("--aad", "Associated data (hex, default empty).");
        var cmd = new Command("seal", "Encrypt to a public key; prints {\"enc\":hex,\"ciphertext\":hex}.") { pk, plaintext, info, aad, suite };
        cmd.SetAction(parsed =>
        {
            var s = ResolveSuite(parsed.GetValue(suite));
            var recipient = CliInput.Hex(parsed.GetValue(pk), "--pk");
            var message = CliInput.Hex(parsed.GetValue(plaintext), "--plaintext");
            var infoBytes = CliInput.Hex(parsed.GetValue(info), "--info");
            var aadBytes = CliInput.Hex(parsed.GetValue(aad), "--aad");
            HpkeSealedMessage result;
            try
            {
                result = s.Seal(recipient, infoBytes, aadBytes, message);
            }
            catch (InvalidKeyException e)
            {
                throw new CliInputException($"--pk: {e.Message}", e);
            }
            CliOutput.WriteJson(parsed.InvocationConfiguration.Output, w =>
            {
                w.WriteString("enc", Crypto.Encoding.Hex.Encode(result.EncapsulatedKey));
                w.WriteString("ciphertext", Crypto.Encoding.Hex.Encode(result.Ciphertext));
            });
            return CliApp.Ok;
        });
        return cmd;
    }

    private static Command Open()
    {
        var suite = SuiteOption();
        var sk = CommonOptions.Required("--sk", "The recipient's private key (hex).");
        var enc = CommonOptions.Required("--enc", "The encapsulated key from seal (hex).");
        var ciphertext = CommonOptions.Required("--ciphertext", "The ciphertext from seal (hex).");
        var info = CommonOptions.Optional("--info", "Application info used when sealing (hex, default empty).");
        var aad = CommonOptions.Optional("--aad", "Associated data used when sealing (hex, default empty).");
        var cmd = new Command("open", "Decrypt with a private key; prints {\"plaintext\":hex}; exit 1 if it does not authenticate.")
        {
            sk, enc, ciphertext, info, aad, suite,
        };
        cmd.SetAction(parsed =>
        {
            var s = ResolveSuite(parsed.GetValue(suite));
            var skBytes = CliInput.Hex(parsed.GetValue(sk), "--sk");
            var encBytes = CliInput.Hex(parsed.GetValue(enc), "--enc");
            var ct = CliInput.Hex(parsed.GetValue(ciphertext), "--ciphertext");
            var infoBytes = CliInput.Hex(parsed.GetValue(info), "--info");
            var aadBytes = CliInput.Hex(parsed.GetValue(aad), "--aad");
            HpkePrivateKey key;
            try
            {
                key = s.ImportPrivateKey(skBytes);
            }
            catch (InvalidKeyException e)
            {
                throw new CliInputException($"--sk: {e.Message}", e);
            }
            byte[] plaintext;
            using (key)
            {
                try
                {
                    plaintext = s.Open(encBytes, key, infoBytes, aadBytes, ct);
                }
                catch (InvalidKeyException e)
                {
                    throw new CliInputException($"--enc: {e.Message}", e);
                }
                catch (AuthenticationFailedException e)
                {
                    throw new CliFailureException($"open failed: {e.Message}", e);
                }
            }
            CliOutput.WriteJson(parsed.InvocationConfiguration.Output, w => w.WriteString("plaintext", Crypto.Encoding.Hex.Encode(plaintext)));
            return CliApp.Ok;
        });
        return cmd;
    }

    private static HpkeSuite ResolveSuite(string? name)
    {
        name ??= DefaultSuite;
        return Suites.TryGetValue(name, out var suite)
            ? suite
            : throw new CliInputException($"--suite: unknown suite '{name}'; known: {string.Join(", ", Suites.Keys)}");
    }
}
