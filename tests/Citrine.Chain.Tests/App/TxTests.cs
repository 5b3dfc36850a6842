using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Encoding;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.Chain.Devnet;

namespace Citrine.Chain.Tests.App;

public class TxTests
{
    [Fact]
    public void Bank_send_moves_tokens_and_increments_the_sequence()
    {
        using var chain = new TestChain();
        var result = chain.Node.SubmitTx(chain.Send(0, 1, 250, 0)).Result;
        Assert.True(result.IsOk, result.Log);
        chain.Produce();
        var exec = chain.Node.GetResults(1)!.TxResults[0];
        Assert.True(exec.IsOk, exec.Log);
        Assert.True(exec.GasUsed > 0 && exec.GasUsed <= exec.GasWanted);
        Assert.Equal(1_000_000UL - 250, chain.Balance(0));
        Assert.Equal(1_000_000UL + 250, chain.Balance(1));
        Assert.Equal(1UL, chain.Node.Read(a => a.GetAccount(chain.Address(0))!.Sequence));
        Assert.Contains(exec.Events, e => e.Type == "transfer");
    }

    [Fact]
    public void Replayed_tx_is_rejected_after_commit()
    {
        using var chain = new TestChain();
        var tx = chain.Send(0, 1, 10, 0);
        Assert.True(chain.Node.SubmitTx(tx).Result.IsOk);
        chain.Produce();
        Assert.Equal(TxCodes.TxInMempoolCache, chain.Node.SubmitTx(tx).Result.Code);
        // Even bypassing the node's cache, the application refuses the old sequence.
        var (check, _) = chain.Node.Read(app => app.CheckTx(tx));
        Assert.Equal(TxCodes.InvalidSequence, check.Code);
    }

    [Fact]
    public void Replayed_tx_inside_a_block_fails_and_changes_nothing()
    {
        using var chain = new TestChain();
        var tx = chain.Send(0, 1, 10, 0);
        var (results, _) = chain.Node.Read(app => app.ExecuteBlock(1, TestChain.GenesisTime, [tx, tx]));
        Assert.True(results[0].IsOk, results[0].Log);
        Assert.Equal(TxCodes.InvalidSequence, results[1].Code);
    }

    [Fact]
    public void Pending_sequences_chain_in_the_mempool()
    {
        using var chain = new TestChain();
        Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 1, 0)).Result.IsOk);
        Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 1, 1)).Result.IsOk);
        Assert.Equal(TxCodes.InvalidSequence, chain.Node.SubmitTx(chain.Send(0, 1, 1, 3)).Result.Code);
        chain.Produce();
        Assert.Equal(2, chain.Node.GetBlock(1)!.Block.Txs.Count);
        Assert.Equal(1_000_000UL - 2, chain.Balance(0));
    }

    [Fact]
    public void Tx_signed_for_another_chain_is_rejected()
    {
        using var chain = new TestChain();
        var result = chain.Node.SubmitTx(chain.Send(0, 1, 1, 0, chainId: "other-chain")).Result;
        Assert.Equal(TxCodes.Unauthorized, result.Code);
        Assert.Contains("signature verification failed", result.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Tx_signed_with_another_account_number_is_rejected()
    {
        using var chain = new TestChain();
        Assert.Equal(TxCodes.Unauthorized, chain.Node.SubmitTx(chain.Send(0, 1, 1, 0, accountNumber: 7)).Result.Code);
    }

    [Fact]
    public void Tx_with_one_flipped_signature_bit_is_rejected()
    {
        using var chain = new TestChain();
        var tx = Tx.Decode(chain.Send(0, 1, 1, 0));
        var sig = (byte[])tx.Signature.Clone();
        sig[10] ^= 1;
        var tampered = (tx with { Signature = sig }).Encode();
        Assert.Equal(TxCodes.Unauthorized, chain.Node.SubmitTx(tampered).Result.Code);
    }

    [Fact]
    public void Tx_with_high_s_signature_is_rejected()
    {
        using var chain = new TestChain();
        var tx = Tx.Decode(chain.Send(0, 1, 1, 0));
        // s' = n - s verifies mathematically but is the malleable high-S twin.
        var n = System.Numerics.BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
        var s = new System.Numerics.BigInteger(tx.Signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var high = (n - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        var sig = new byte[64];
        tx.Signature.AsSpan(0, 32).CopyTo(sig);
        high.CopyTo(sig, 64 - high.Length);
        var result = chain.Node.SubmitTx((tx with { Signature = sig }).Encode()).Result;
        Assert.Equal(TxCodes.Unauthorized, result.Code);
        Assert.Contains("HighS", result.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_signed_by_someone_else_is_rejected()
    {
        using var chain = new TestChain();
        var tx = Tx.Create([new MsgSend(chain.Address(1), chain.Address(0), 5)], "", chain.AccountKeys[0], 0, 200_000, "citrine-test", 0);
        Assert.Equal(TxCodes.Unauthorized, chain.Node.SubmitTx(tx.Encode()).Result.Code);
    }

    [Fact]
    public void Insufficient_funds_fail_the_tx_but_consume_the_sequence()
    {
        using var chain = new TestChain();
        Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 2_000_000, 0)).Result.IsOk);
        chain.Produce();
        Assert.Equal(TxCodes.InsufficientFunds, chain.Node.GetResults(1)!.TxResults[0].Code);
        Assert.Equal(1_000_000UL, chain.Balance(0));
        Assert.Equal(1UL, chain.Node.Read(a => a.GetAccount(chain.Address(0))!.Sequence));
    }

    [Fact]
    public void Out_of_gas_reverts_the_messages()
    {
        using var chain = new TestChain();
        // Enough for the ante checks (size, signature, account read/write) but not for the transfer.
        var tx = chain.Send(0, 1, 5, 0, gas: 12_000);
        Assert.True(chain.Node.SubmitTx(tx).Result.IsOk, chain.Node.Read(a => a.CheckTx(tx)).Result.Log);
        chain.Produce();
        var result = chain.Node.GetResults(1)!.TxResults[0];
        Assert.Equal(TxCodes.OutOfGas, result.Code);
        Assert.Equal(result.GasWanted, result.GasUsed);
        Assert.Equal(1_000_000UL, chain.Balance(1));
    }

    [Fact]
    public void Gas_limit_above_the_block_gas_limit_is_refused()
    {
        using var chain = new TestChain();
        Assert.Equal(TxCodes.InvalidGasLimit, chain.Node.SubmitTx(chain.Send(0, 1, 5, 0, gas: 200_000_000)).Result.Code);
        Assert.Equal(TxCodes.InvalidGasLimit, chain.Node.SubmitTx(chain.Send(0, 1, 5, 0, gas: 0)).Result.Code);
    }

    [Fact]
    public void Block_gas_limit_caps_how_many_txs_a_block_takes()
    {
        using var chain = new TestChain();
        for (ulong i = 0; i < 12; i++)
        {
            Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 1, i, gas: 10_000_000)).Result.IsOk);
        }
        chain.Produce();
        Assert.Equal(10, chain.Node.GetBlock(1)!.Block.Txs.Count);
        chain.Produce();
        Assert.Equal(2, chain.Node.GetBlock(2)!.Block.Txs.Count);
    }

    [Fact]
    public void Malformed_tx_bytes_get_a_decode_error()
    {
        using var chain = new TestChain();
        Assert.Equal(TxCodes.TxDecode, chain.Node.SubmitTx([0x0a, 0xff]).Result.Code);
        Assert.Equal(TxCodes.TxDecode, chain.Node.SubmitTx([]).Result.Code);
    }

    [Fact]
    public void Random_mutations_of_a_tx_only_raise_decode_errors()
    {
        using var chain = new TestChain();
        var tx = chain.Send(0, 1, 5, 0);
        var random = new Random(1234);
        for (var i = 0; i < 3000; i++)
        {
            var mutated = (byte[])tx.Clone();
            var flips = 1 + random.Next(4);
            for (var f = 0; f < flips; f++)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }
            if (random.Next(4) == 0)
            {
                mutated = mutated[..random.Next(mutated.Length)];
            }
            try
            {
                Tx.Decode(mutated);
            }
            catch (ProtoDecodeException)
            {
            }
            var (result, _) = chain.Node.Read(app => app.CheckTx(mutated));
            // Only the original bytes may pass: any change breaks decoding, the sign doc or the signature.
            Assert.Equal(mutated.AsSpan().SequenceEqual(tx), result.IsOk);
        }
    }

    [Fact]
    public void Tx_encoding_round_trips()
    {
        using var chain = new TestChain();
        var tx = Tx.Create(
            [new MsgSend(chain.Address(0), chain.Address(1), 7), new MsgExecute(chain.Address(0), new byte[20], "{\"a\":1}"u8.ToArray(), 3),
             new MsgInstantiate(chain.Address(0), "counter", "{}"u8.ToArray(), 0, "label"), new MsgSetValidator(chain.Address(0), new byte[32], 4)],
            "memo", chain.AccountKeys[0], 9, 1234, "citrine-test", 0);
        var decoded = Tx.Decode(tx.Encode());
        Assert.Equal(tx.Encode(), decoded.Encode());
        Assert.Equal(4, decoded.Messages.Count);
        Assert.Equal(9UL, decoded.Sequence);
        Assert.Equal("memo", decoded.Memo);
        Assert.Equal(7UL, Assert.IsType<MsgSend>(decoded.Messages[0]).Amount);
        Assert.Equal("label", Assert.IsType<MsgInstantiate>(decoded.Messages[2]).Label);
        Assert.Equal(4, Assert.IsType<MsgSetValidator>(decoded.Messages[3]).Power);
    }

    [Fact]
    public void Node_restarts_from_disk_without_losing_committed_blocks_or_state()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citrine-chain-" + Guid.NewGuid().ToString("N"));
        try
        {
            byte[] appHash;
            TestChain first;
            using (first = new TestChain(validators: 2, state: MultiStoreState.OpenRocks(Path.Combine(dir, "state"), ChainApp.StoreNames), blocks: new BlockStore(dir)))
            {
                first.Produce();
                Assert.True(first.Node.SubmitTx(first.Send(0, 2, 77, 0)).Result.IsOk);
                first.Produce(2);
                appHash = first.Node.LatestAppHash;
            }
            using var second = new TestChain(validators: 2, state: MultiStoreState.OpenRocks(Path.Combine(dir, "state"), ChainApp.StoreNames), blocks: new BlockStore(dir));
            Assert.Equal(3, second.Node.Height);
            Assert.Equal(appHash, second.Node.LatestAppHash);
            Assert.Equal(1_000_000UL + 77, second.Balance(2));
            Assert.NotNull(second.Node.FindTx(Tx.HashOf(first.Send(0, 2, 77, 0))));
            second.Clock.Current = first.Clock.Current;
            second.Produce(2);
            Assert.Equal(appHash, second.Node.GetBlock(4)!.Block.Header.AppHash);
            var trust = CometBft.LightClient.TrustOptions.Create("citrine-test", TimeSpan.FromDays(1));
            for (long h = 1; h < 5; h++)
            {
                Assert.True(CometBft.LightClient.Verifier.Verify(second.Node.LightBlockAt(h)!, second.Node.LightBlockAt(h + 1)!, trust, second.Clock.Now()).IsSuccess);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Node_replays_a_block_whose_state_was_not_committed()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citrine-chain-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var chain = new TestChain(state: MultiStoreState.OpenRocks(Path.Combine(dir, "state1"), ChainApp.StoreNames), blocks: new BlockStore(dir)))
            {
                Assert.True(chain.Node.SubmitTx(chain.Send(0, 2, 5, 0)).Result.IsOk);
                chain.Produce(2);
            }
            // A state one block behind the block store: a crash between storing block 2 and committing it.
            File.Delete(Path.Combine(dir, "results", DevnetHome.HeightName(2) + ".json"));
            using (var partial = MultiStoreState.OpenRocks(Path.Combine(dir, "state2"), ChainApp.StoreNames))
            {
                var genesisChain = new TestChain();
                var app = new ChainApp(partial, genesisChain.Genesis);
                app.InitGenesis();
                app.ExecuteBlock(1, TestChain.GenesisTime, new BlockStore(dir).Get(1)!.Block.Txs);
                app.Commit();
                genesisChain.Dispose();
            }
            using var restarted = new TestChain(state: MultiStoreState.OpenRocks(Path.Combine(dir, "state2"), ChainApp.StoreNames), blocks: new BlockStore(dir));
            Assert.Equal(2, restarted.Node.Height);
            Assert.Equal(2, restarted.Node.App.State.Version);
            Assert.NotNull(restarted.Node.GetResults(2));
            Assert.Equal(1_000_000UL + 5, restarted.Balance(2));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Tx_from_an_account_that_does_not_exist_is_rejected()
    {
        using var chain = new TestChain();
        var stranger = Crypto.Hashing.Sha256("stranger"u8);
        var from = Crypto.Encoding.CosmosAddress.AccountBytes(Crypto.Signatures.Secp256k1.PublicKeyFromPrivate(stranger));
        var tx = Tx.Create([new MsgSend(from, chain.Address(0), 1)], "", stranger, 0, 200_000, "citrine-test", 0);
        Assert.Equal(TxCodes.UnknownAddress, chain.Node.SubmitTx(tx.Encode()).Result.Code);
    }

    [Fact]
    public void Oversized_tx_is_refused_before_decoding()
    {
        using var chain = new TestChain();
        var result = chain.Node.SubmitTx(new byte[chain.Node.Config.MaxTxBytes + 1]).Result;
        Assert.Equal(TxCodes.TxTooLarge, result.Code);
    }
}
