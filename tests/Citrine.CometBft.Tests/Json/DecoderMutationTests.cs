using System.Text.Json;
using Citrine.CometBft.Json;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;
using Citrine.Testing;

namespace Citrine.CometBft.Tests.Json;

/// <summary>
/// Seeded random mutations of the vector inputs through every decoder: only
/// <see cref="CometJsonException"/> may escape (the fuzz targets' contract, run cheaply here).
/// </summary>
public sealed class DecoderMutationTests
{
    private static readonly (string Name, Action<byte[]> Parse)[] Decoders =
    [
        ("commit", b => { var s = RpcResponses.ParseCommit(b).SignedHeader; _ = s.Header.Hash(); }),
        ("validators", b => _ = new ValidatorSet(RpcResponses.ParseValidators(b).Validators).Hash()),
        ("status", b => _ = RpcResponses.ParseStatus(b)),
        ("block", b => _ = RpcResponses.ParseBlock(b).Header.Hash()),
        ("blockchain", b => _ = RpcResponses.ParseBlockchain(b)),
        ("genesis", b => _ = RpcResponses.ParseGenesis(b)),
        ("abci_query", b => _ = RpcResponses.ParseAbciQuery(b)),
        ("light_block", b =>
        {
            var block = CometJson.ParseLightBlock(b);
            _ = Verifier.ValidateLightBlock(block, block.Header.ChainId);
        }),
    ];

    [SkippableFact]
    public void Mutated_rpc_fixtures_only_raise_the_decoder_exception()
    {
        var dir = Vectors.Require("cometbft/tendermint-rs-rpc-fixtures/kvstore_v0_38");
        var inputs = Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        var mbt = Vectors.Find("cometbft/tendermint-rs-mbt-single-step");
        if (mbt is not null)
        {
            // Light blocks in tendermint-rs form: the first input block of one file.
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Directory.GetFiles(mbt, "*.json").Order(StringComparer.Ordinal).First()));
            inputs.Add(JsonSerializer.SerializeToUtf8Bytes(doc.RootElement.GetProperty("input")[0].GetProperty("block")));
        }
        var random = new Random(20261123);
        var runs = 0;
        foreach (var input in inputs)
        {
            for (var i = 0; i < 60; i++)
            {
                var mutated = Mutate(input, random);
                foreach (var (name, parse) in Decoders)
                {
                    try
                    {
                        parse(mutated);
                    }
                    catch (CometJsonException)
                    {
                    }
                    catch (Exception e)
                    {
                        Assert.Fail($"decoder {name} threw {e.GetType().Name} on mutation {i}: {e.Message}");
                    }
                    runs++;
                }
            }
        }
        Assert.True(runs >= 4000, $"only {runs} runs");
    }

    private static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = (byte[])input.Clone();
        switch (random.Next(5))
        {
            case 0:
                for (var k = 0; k < 1 + random.Next(4); k++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }
                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
            {
                // Replace a digit or hex character with another printable one.
                var at = random.Next(bytes.Length);
                bytes[at] = (byte)"0123456789ABCDEF\"-:.{}[]nZ"[random.Next(26)];
                return bytes;
            }
            case 3:
            {
                // Swap a string value for a number or null.
                var text = System.Text.Encoding.UTF8.GetString(bytes);
                var at = text.IndexOf('"', random.Next(text.Length));
                if (at < 0)
                {
                    return bytes;
                }
                var end = text.IndexOf('"', at + 1);
                if (end < 0)
                {
                    return bytes;
                }
                var replacement = random.Next(3) switch { 0 => "null", 1 => "-1", _ => "\"99999999999999999999\"" };
                return System.Text.Encoding.UTF8.GetBytes(text[..at] + replacement + text[(end + 1)..]);
            }
            default:
            {
                var at = random.Next(bytes.Length);
                return [.. bytes[..at], .. bytes[at..].Take(1), .. bytes[at..]];
            }
        }
    }
}
