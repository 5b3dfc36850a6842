using Citrine.Testing;
using System.Text.Json;
using Citrine.Chain.Encoding;
using Citrine.Chain.Indexing;
using Citrine.Chain.Rpc;
using Citrine.Chain.Txs;
using Citrine.Crypto;

namespace Citrine.Chain.Tests.Properties;

/// <summary>
/// The fuzz targets' contract, checked cheaply on every test run: thousands of seeded mutations of
/// valid inputs through each parser, and only the parser's documented exception may escape.
/// </summary>
public class ParserMutationTests
{
    private const int Mutations = 3000;

    private static void OnlyThrows<TException>(IReadOnlyList<byte[]> seeds, int seed, Action<byte[]> parse)
        where TException : Exception
    {
        var rejected = 0;
        foreach (var input in seeds.Concat(ByteMutator.Mutate(seeds, seed, Mutations)))
        {
            try
            {
                parse(input);
            }
            catch (TException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{e.GetType().Name} escaped for input {Convert.ToHexString(input)}: {e}");
            }
        }
        // The mutations must reach both outcomes, or the test exercises nothing.
        Assert.InRange(rejected, 1, seeds.Count + Mutations - 1);
    }

    private static byte[][] TxSeeds()
    {
        var key = Hashing.Sha256("k"u8);
        var a = Hashing.Sha256("a"u8)[..20];
        var b = Hashing.Sha256("b"u8)[..20];
        return
        [
            Tx.Create([new MsgSend(a, b, 250)], "memo", key, 3, 200_000, "citrine-test", 1).Encode(),
            Tx.Create([new MsgExecute(a, b, """{"increment":{}}"""u8.ToArray(), 7)], "", key, 0, 1_000_000, "c", 0).Encode(),
            Tx.Create([new MsgInstantiate(a, "counter", """{"count":1}"""u8.ToArray(), 0, "label"), new MsgSetValidator(a, new byte[32], 10)], "", key, 9, 5, "c", 2).Encode(),
        ];
    }

    [Fact]
    public void Tx_decoder_only_throws_ProtoDecodeException_on_mutated_transactions() =>
        OnlyThrows<ProtoDecodeException>(TxSeeds(), 1, bytes =>
        {
            var tx = Tx.Decode(bytes);
            _ = Tx.EncodeBody(tx.Messages, tx.Memo);
            _ = Tx.SignDocBytes(tx.BodyBytes, tx.AuthInfoBytes, "c", 0);
        });

    [Fact]
    public void Rpc_params_only_throw_RpcException_or_JsonException_on_mutated_requests()
    {
        byte[][] seeds =
        [
            """{"jsonrpc":"2.0","id":1,"method":"abci_query","params":{"path":"/store/wasm/key","data":"0A0B","height":"5","prove":true}}"""u8.ToArray(),
            """{"jsonrpc":"2.0","id":"x","method":"tx","params":{"hash":"qrs=","prove":false}}"""u8.ToArray(),
            """{"jsonrpc":"2.0","id":2,"method":"block","params":{"height":"-1"}}"""u8.ToArray(),
            """{"jsonrpc":"2.0","id":3,"method":"status","params":[]}"""u8.ToArray(),
        ];
        var rejected = 0;
        foreach (var input in seeds.Concat(ByteMutator.Mutate(seeds, 2, Mutations)))
        {
            try
            {
                using var document = JsonDocument.Parse(input, new JsonDocumentOptions { MaxDepth = 32 });
                var root = document.RootElement;
                var element = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("params", out var p) ? p : default;
                var parameters = RpcParams.FromJson(element);
                foreach (var name in new[] { "path", "data", "height", "prove", "hash" })
                {
                    _ = parameters.String(name);
                    foreach (var read in new Action[] { () => parameters.Int64(name), () => parameters.Bool(name), () => parameters.Bytes(name), () => parameters.Bytes(name, jsonHex: true) })
                    {
                        try
                        {
                            read();
                        }
                        catch (RpcException)
                        {
                            rejected++;
                        }
                    }
                }
            }
            catch (Exception e) when (e is JsonException or RpcException)
            {
                rejected++;
            }
        }
        Assert.True(rejected > 0);
    }

    /// <summary>The escape the mutation test above found (fixed in RpcHandler by 32e0201).</summary>
    [Fact]
    public void Rpc_params_refuse_invalid_utf8_in_a_string_parameter_with_RpcException()
    {
        byte[] json = [.. "{\"path\":\""u8, 0xE8, .. "\"}"u8];
        using var document = JsonDocument.Parse(json);
        var e = Assert.Throws<RpcException>(() => RpcParams.FromJson(document.RootElement).String("path"));
        Assert.Equal(RpcException.InvalidParams, e.Code);
    }

    [Fact]
    public void Event_query_parser_only_throws_QueryParseException_on_mutated_queries()
    {
        var events = new Dictionary<string, List<string>>(StringComparer.Ordinal)
        {
            ["tm.event"] = ["Tx"],
            ["tx.height"] = ["5"],
            ["transfer.amount"] = ["250"],
            ["block.time"] = ["2026-11-23T10:00:00Z"],
        };
        byte[][] seeds =
        [
            "tm.event='Tx' AND wasm._contract_address='citrine1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn3z4g4p'"u8.ToArray(),
            "tx.height >= 5 AND transfer.amount < 300.5"u8.ToArray(),
            "block.time > TIME 2026-11-23T09:00:00Z AND block.date <= DATE 2026-11-23"u8.ToArray(),
            "tm.event EXISTS AND message.action CONTAINS 'send'"u8.ToArray(),
        ];
        OnlyThrows<QueryParseException>(seeds, 3, bytes => EventQuery.Parse(System.Text.Encoding.UTF8.GetString(bytes)).Matches(events));
    }
}
