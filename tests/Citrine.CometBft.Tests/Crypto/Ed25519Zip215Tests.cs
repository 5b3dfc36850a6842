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

    [Fact]
    public void Zip215_verifier_rejects_a_non_canonical_s_that_satisfies_the_equation()
    {
        // S' = S + L gives the same point [S']B, so only the S < L rule (RFC 8032 §5.1.7,
        // ZIP-215) can reject it.
        using var chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 2, Validators = 1 });
        var block = chain.LightBlockAt(1);
        var sig = block.Commit.Signatures[0];
        var message = new Citrine.CometBft.Encoding.VoteSignBytes(chain.ChainId, 1, 0, block.Commit.BlockId).Create(true, sig.Timestamp);
        var key = block.Validators.Validators[0].PublicKey;
        Assert.True(Ed25519Zip215.Verify(key, message, sig.Signature));

        var order = (System.Numerics.BigInteger.One << 252) + System.Numerics.BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);
        var s = new System.Numerics.BigInteger(sig.Signature.AsSpan(32), isUnsigned: true, isBigEndian: false);
        var shifted = (s + order).ToByteArray(isUnsigned: true, isBigEndian: false);
        var forged = (byte[])sig.Signature.Clone();
        Array.Clear(forged, 32, 32);
        shifted.CopyTo(forged, 32);
        Assert.False(Ed25519Zip215.Verify(key, message, forged));
    }
}

public sealed class Zip215InVerifierTests
{
    [SkippableFact]
    [Trait("Category", "Conformance")]
    [Trait("Area", "CometBft")]
    public void Commit_carried_by_a_small_order_key_signature_verifies_as_in_cometbft()
    {
        // speccheck case 0: small-order A and R, S = 0; ZIP-215 accepts it for any message, so a
        // validator registered with that key "signs" everything. CometBFT counts such a vote; so do we.
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Vectors.Require("cometbft/ed25519-speccheck/cases.json")));
        var case0 = doc.RootElement[0];
        var evil = Citrine.CometBft.Types.Validator.FromPublicKey(Convert.FromHexString(case0.GetProperty("pub_key").GetString()!), 100);
        var forged = Convert.FromHexString(case0.GetProperty("signature").GetString()!);

        using var chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 3, Validators = 4 });
        var block = chain.LightBlockAt(2);
        var set = new Citrine.CometBft.Types.ValidatorSet(block.Validators.Validators.Append(evil));
        var header = block.Header with { ValidatorsHash = set.Hash(), NextValidatorsHash = set.Hash() };
        var commit = chain.SignCommit(header, set, _ => Citrine.CometBft.Types.BlockIdFlag.Absent);
        var index = set.IndexOf(evil.Address);
        var signatures = commit.Signatures.ToArray();
        signatures[index] = new Citrine.CometBft.Types.CommitSig(Citrine.CometBft.Types.BlockIdFlag.Commit, evil.Address, header.Time, forged);
        var lightBlock = new Citrine.CometBft.Types.LightBlock(new Citrine.CometBft.Types.SignedHeader(header, commit with { Signatures = signatures }), set, set);

        var options = new Citrine.CometBft.LightClient.TrustOptions(chain.ChainId, TimeSpan.FromDays(1), Citrine.CometBft.LightClient.Fraction.OneThird, TimeSpan.Zero);
        var now = header.Time.AddNanoseconds(1_000_000_000);
        Assert.True(Citrine.CometBft.LightClient.Verifier.VerifyTrustRoot(lightBlock, header.Hash(), options, now).IsSuccess);
        // libsodium alone would have refused the vote, and the commit with it.
        var signBytes = new Citrine.CometBft.Encoding.VoteSignBytes(chain.ChainId, header.Height, 0, commit.BlockId).Create(true, header.Time);
        Assert.False(evil.VerifyStrict(signBytes, forged));
        Assert.True(evil.VerifySignature(signBytes, forged));
    }
}
