using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Contracts;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.Crypto;

namespace Citrine.Chain.Tests.Contracts;

/// <summary>Contract assemblies loaded through <see cref="ContractLoader"/> run metered (<see cref="ContractMetering"/>).</summary>
public class ContractMeteringTests
{
    private static ContractCode Load(MeteredBody body)
    {
        var bytes = MeteredContract.Build(body);
        return ContractLoader.Load(MeteredContract.TypeName, bytes, Hashing.Sha256(bytes), "metered.dll");
    }

    private static (TestChain Chain, byte[] Contract) Deploy(MeteredBody body)
    {
        var host = new ContractHost();
        host.Register(Load(body));
        var chain = new TestChain(contracts: host);
        var tx = Tx.Create([new MsgInstantiate(chain.Address(0), MeteredContract.TypeName, [], 0, "m")], "", chain.AccountKeys[0], 0, 1_000_000, "citrine-test", 0);
        Assert.True(chain.Node.SubmitTx(tx.Encode()).Result.IsOk);
        chain.Produce();
        var result = chain.Node.GetResults(chain.Node.Height)!.TxResults[0];
        Assert.True(result.IsOk, result.Log);
        return (chain, result.Data);
    }

    private static TxResult Execute(TestChain chain, byte[] contract, byte[] message, ulong gas = 1_000_000, ulong sequence = 1)
    {
        var tx = Tx.Create([new MsgExecute(chain.Address(0), contract, message, 0)], "", chain.AccountKeys[0], sequence, gas, "citrine-test", 0);
        Assert.True(chain.Node.SubmitTx(tx.Encode()).Result.IsOk);
        chain.Produce();
        return chain.Node.GetResults(chain.Node.Height)!.TxResults[0];
    }

    [Fact]
    public void Array_allocation_is_charged_per_byte_before_the_array_exists()
    {
        var (chain, contract) = Deploy(MeteredBody.AllocateBytes);
        using (chain)
        {
            var one = Execute(chain, contract, [1]);
            Assert.True(one.IsOk, one.Log);
            var two = Execute(chain, contract, [2], sequence: 2);
            Assert.True(two.IsOk, two.Log);
            Assert.Equal(65_536L * ContractRuntime.AllocationGasPerByte, two.GasUsed - one.GasUsed);

            // 255 × 64 KiB = 16.7 MB would need 16.7 M gas: refused at the charge, within the limit.
            var big = Execute(chain, contract, [255], sequence: 3);
            Assert.Equal(TxCodes.OutOfGas, big.Code);
            Assert.Contains("contract allocation", big.Log, StringComparison.Ordinal);
            Assert.Equal(1_000_000, big.GasUsed);
        }
    }

    /// <summary>Runs <paramref name="body"/> with a 300,000 gas limit: out of gas, charged at <paramref name="where"/>, all of it used.</summary>
    private static void RunsOutOfGasAtTheLimit(MeteredBody body, string where)
    {
        var (chain, contract) = Deploy(body);
        using (chain)
        {
            var result = Execute(chain, contract, [], gas: 300_000);
            Assert.Equal(TxCodes.OutOfGas, result.Code);
            Assert.Contains($"out of gas in contract {where}", result.Log, StringComparison.Ordinal);
            Assert.Equal(300_000, result.GasUsed);
        }
    }

    [Fact]
    public void Infinite_loop_fails_out_of_gas_at_the_tx_limit_and_the_chain_keeps_producing_blocks()
    {
        var (chain, contract) = Deploy(MeteredBody.InfiniteLoop);
        using (chain)
        {
            var result = Execute(chain, contract, [], gas: 300_000);
            Assert.Equal(TxCodes.OutOfGas, result.Code);
            Assert.Contains("out of gas in contract loop", result.Log, StringComparison.Ordinal);
            Assert.Equal(300_000, result.GasWanted);
            Assert.Equal(300_000, result.GasUsed);

            var height = chain.Node.Height;
            Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 5, 2)).Result.IsOk);
            chain.Produce();
            Assert.Equal(height + 1, chain.Node.Height);
            Assert.True(chain.Node.GetResults(chain.Node.Height)!.TxResults[0].IsOk);
            Assert.Equal(1_000_005UL, chain.Balance(1));
        }
    }

    [Fact]
    public void Infinite_loop_whose_out_of_gas_is_caught_still_fails_out_of_gas()
    {
        RunsOutOfGasAtTheLimit(MeteredBody.InfiniteLoopSwallowed, "exception handler");
    }

    [Fact]
    public void A_finally_block_that_starts_after_running_out_of_gas_throws_out_of_gas_again()
    {
        RunsOutOfGasAtTheLimit(MeteredBody.InfiniteLoopWithFinally, "exception handler");
    }

    [Fact]
    public void A_filter_that_would_catch_running_out_of_gas_throws_instead_and_the_original_out_of_gas_escapes()
    {
        // The filter's own charge throws, which the runtime treats as "no match"; without it the
        // filter would match and the handler's charge would report "exception handler" instead.
        RunsOutOfGasAtTheLimit(MeteredBody.InfiniteLoopFiltered, "loop");
    }

    [Fact]
    public void Rewriting_a_large_compiler_built_assembly_yields_IL_the_jit_accepts_in_every_method()
    {
        // Citrine.CometBft: loops, switches, try/catch/finally, filters, lambdas, iterators, async.
        var source = typeof(Citrine.CometBft.Types.Timestamp).Assembly;
        var rewritten = ContractMetering.Instrument(File.ReadAllBytes(source.Location), source.Location);
        var context = new System.Runtime.Loader.AssemblyLoadContext("metering-jit-check", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(new MemoryStream(rewritten));
            var prepared = 0;
            const System.Reflection.BindingFlags All = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic
                | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly;
            foreach (var type in assembly.GetTypes().Where(t => !t.ContainsGenericParameters))
            {
                foreach (var method in type.GetMethods(All).Cast<System.Reflection.MethodBase>().Concat(type.GetConstructors(All)))
                {
                    if (method.ContainsGenericParameters || method.GetMethodBody() is null)
                    {
                        continue;
                    }
                    System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(method.MethodHandle);
                    prepared++;
                }
            }
            Assert.True(prepared > 500, $"only {prepared} methods compiled");
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void Unbounded_recursion_fails_with_call_depth_exceeded_instead_of_overflowing_the_stack()
    {
        var (chain, contract) = Deploy(MeteredBody.UnboundedRecursion);
        using (chain)
        {
            var result = Execute(chain, contract, []);
            Assert.Equal(ContractException.Code, result.Code);
            Assert.Contains($"InsufficientExecutionStackException: contract call depth exceeded {ContractRuntime.MaxCallDepth}", result.Log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Recursion_with_large_stack_frames_fails_on_the_stack_backstop_instead_of_overflowing()
    {
        // 512 × 16 KiB exceeds a thread's stack: the depth bound alone would let the node crash.
        var (chain, contract) = Deploy(MeteredBody.StackallocRecursion);
        using (chain)
        {
            var result = Execute(chain, contract, [], gas: 5_000_000);
            Assert.Equal(ContractException.Code, result.Code);
            Assert.Contains("InsufficientExecutionStackException: contract call stack exhausted at depth ", result.Log, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(200, true)] // 2 × 400 deep: passes only if every return gives its level back
    [InlineData(254, true)] // Execute + Run + Down(508..0) = 511 frames
    [InlineData(255, false)] // Execute + Run + Down(510..0) = 513 frames > 512
    public void Call_depth_counts_live_frames_up_to_the_limit(byte half, bool succeeds)
    {
        var (chain, contract) = Deploy(MeteredBody.RecursionTwice);
        using (chain)
        {
            var result = Execute(chain, contract, [half]);
            if (succeeds)
            {
                Assert.True(result.IsOk, result.Log);
            }
            else
            {
                Assert.Equal(ContractException.Code, result.Code);
                Assert.Contains("call depth exceeded 512", result.Log, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void An_exception_caught_in_a_loop_gives_back_the_depth_of_the_frames_it_unwound()
    {
        // 800 throws from one level down: without the handler's depth reset the count would pass 512.
        var (chain, contract) = Deploy(MeteredBody.ThrowCaughtInLoop);
        using (chain)
        {
            var result = Execute(chain, contract, [200], gas: 5_000_000);
            Assert.True(result.IsOk, result.Log);
        }
    }

    [Fact]
    public void Returns_reached_by_a_jump_give_their_depth_back()
    {
        // 800 calls whose ret is a branch target: the branch must run the depth hook too.
        var (chain, contract) = Deploy(MeteredBody.ReturnViaJumpInLoop);
        using (chain)
        {
            var result = Execute(chain, contract, [200], gas: 5_000_000);
            Assert.True(result.IsOk, result.Log);
        }
    }

    [Theory]
    [InlineData((int)MeteredBody.CountedLoop, MeteredContract.CountedLoopSpan)]
    [InlineData((int)MeteredBody.JumpToBackEdgeLoop, MeteredContract.JumpToBackEdgeLoopSpan)] // the charge is on every way into the back-edge
    public void Gas_used_grows_by_the_loop_span_for_every_iteration(int body, int span)
    {
        long GasFor(byte iterations)
        {
            var (chain, contract) = Deploy((MeteredBody)body);
            using (chain)
            {
                var result = Execute(chain, contract, [iterations]);
                Assert.True(result.IsOk, result.Log);
                return result.GasUsed;
            }
        }
        var few = GasFor(10);
        var many = GasFor(200);
        Assert.Equal((200 - 10) * span, many - few);
    }

    [Fact]
    public void The_same_metered_tx_on_two_fresh_chains_uses_the_same_gas_and_reaches_the_same_app_hash()
    {
        (long Gas, byte[] AppHash, byte[] ResultsHash) Run()
        {
            var (chain, contract) = Deploy(MeteredBody.CountedLoop);
            using (chain)
            {
                var result = Execute(chain, contract, [100]);
                Assert.True(result.IsOk, result.Log);
                Assert.Equal([1], result.Data);
                var header = chain.Produce().Block.Header;
                return (result.GasUsed, header.AppHash, header.LastResultsHash);
            }
        }
        var first = Run();
        var second = Run();
        Assert.Equal(first.Gas, second.Gas);
        Assert.Equal(first.AppHash, second.AppHash);
        Assert.Equal(first.ResultsHash, second.ResultsHash);
    }

    [Fact]
    public void Queries_are_metered_against_their_own_gas_limit()
    {
        var (chain, contract) = Deploy(MeteredBody.InfiniteLoop);
        using (chain)
        {
            var e = Assert.Throws<OutOfGasException>(() => chain.Node.Read(app =>
                chain.Node.Contracts!.Query(app.State, contract, [], new BlockContext(chain.Node.Height, chain.Clock.Now(), "citrine-test"), chain.Genesis.Attestation, gasLimit: 100_000)));
            Assert.Contains("contract loop", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_metered_contract_runs_unchanged_when_it_does_not_loop()
    {
        var (chain, contract) = Deploy(MeteredBody.Return);
        using (chain)
        {
            var result = Execute(chain, contract, []);
            Assert.True(result.IsOk, result.Log);
            Assert.Equal([1], result.Data);
        }
    }

    [Fact]
    public void Load_refuses_a_contract_that_calls_the_metering_hooks_itself()
    {
        var bytes = MeteredContract.Build(MeteredBody.CallsHook);
        var e = Assert.Throws<ContractLoadException>(() => ContractLoader.Load(MeteredContract.TypeName, bytes, Hashing.Sha256(bytes), "hook.dll"));
        Assert.Equal(ContractLoadError.MeteringHookReference, e.Reason);
        Assert.Contains("ContractRuntime", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((int)MeteredBody.ThrowCaughtInLoop)]
    [InlineData((int)MeteredBody.InfiniteLoopFiltered)]
    [InlineData((int)MeteredBody.JumpToBackEdgeLoop)]
    public void The_rewriter_lets_only_ContractLoadException_escape_on_mutated_assemblies(int body)
    {
        // Loops, handlers, filters and forward jumps into back-edges, with bits flipped: bad branch
        // targets and handler ranges reach the rewriter, which must refuse them as BadImage.
        var valid = MeteredContract.Build((MeteredBody)body);
        var random = new Random(11 + body);
        var loaded = 0;
        for (var i = 0; i < 1000; i++)
        {
            var bytes = (byte[])valid.Clone();
            for (var flips = random.Next(1, 5); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            }
            try
            {
                ContractLoader.Load(MeteredContract.TypeName, bytes, Hashing.Sha256(bytes), "mutant.dll");
                loaded++;
            }
            catch (ContractLoadException)
            {
            }
        }
        Assert.InRange(loaded, 1, 999);
    }

    [Fact]
    public void The_code_id_is_the_hash_of_the_registered_bytes_not_of_the_rewritten_ones()
    {
        var bytes = MeteredContract.Build(MeteredBody.CountedLoop);
        var code = ContractLoader.Load(MeteredContract.TypeName, bytes, Hashing.Sha256(bytes), "metered.dll");
        Assert.Equal(Hashing.Sha256(bytes), code.AssemblySha256);
        var rewritten = ContractMetering.Instrument(bytes, "metered.dll");
        Assert.NotEqual(bytes, rewritten);
        Assert.Equal(rewritten, ContractMetering.Instrument(bytes, "metered.dll"));
    }
}
