using System.Text.Json;
using Citrine.CometBft.Crypto;
using Citrine.CometBft.Testing;
using Citrine.Testing;

namespace Citrine.CometBft.Tests.Crypto;

public sealed class Ed25519Zip215Tests
{
    // SOURCES.md §2.4: ZIP-215 results for speccheck cases 0..11.
    private static readonly bool[] Zip215 = [true, true, true, true, true, true, false, false, false, true, true, true];

    [SkippableFact]
    [Trait("Category", "Conformance")]
    [Trait("Area", "CometBft")]
    public void Zip215_verifier_gives_the_zip215_result_on_every_speccheck_case()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Vectors.Require("cometbft/ed25519-speccheck/cases.json")));
        var index = 0;
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            if (index >= Zip215.Length)
            {
                break;
            }
            var accepted = Ed25519Zip215.Verify(
                Convert.FromHexString(c.GetProperty("pub_key").GetString()!),
                Convert.FromHexString(c.GetProperty("message").GetString()!),
                Convert.FromHexString(c.GetProperty("signature").GetString()!));
            Assert.True(Zip215[index] == accepted, $"case {index}: got {accepted}, ZIP-215 says {Zip215[index]}");
            index++;
        }
        Assert.Equal(Zip215.Length, index);
    }

    [Fact]
    public void Zip215_verifier_accepts_honest_signatures_and_rejects_altered_ones()
    {
        using var chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 2, Validators = 3 });
        var block = chain.LightBlockAt(1);
        var template = new Citrine.CometBft.Encoding.VoteSignBytes(chain.ChainId, 1, 0, block.Commit.BlockId);
        for (var i = 0; i < 3; i++)
        {
            var sig = block.Commit.Signatures[i];
            var message = template.Create(true, sig.Timestamp);
            var key = block.Validators.Validators[i].PublicKey;
            Assert.True(Ed25519Zip215.Verify(key, message, sig.Signature));
            var altered = (byte[])sig.Signature.Clone();
            altered[i * 7] ^= 0x10;
            Assert.False(Ed25519Zip215.Verify(key, message, altered));
            message[^1] ^= 1;
            Assert.False(Ed25519Zip215.Verify(key, message, sig.Signature));
        }
        Assert.False(Ed25519Zip215.Verify(new byte[31], [], new byte[64]));
    }
}
