using System.Runtime.Loader;
using Citrine.Chain.App;
using Citrine.Chain.Contracts;
using Citrine.Chain.Txs;
using Citrine.Crypto;

namespace Citrine.Chain.Tests.Contracts;

public sealed class ContractLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citrine-contract-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ContractLoadException Refused(EmittedContract contract, string? typeName = null)
    {
        var bytes = contract.Build();
        return Assert.Throws<ContractLoadException>(() => ContractLoader.Load(typeName ?? contract.TypeName, bytes, Hashing.Sha256(bytes), "fixture.dll"));
    }

    [Fact]
    public void Load_runs_a_contract_from_its_own_load_context_with_the_hosts_contract_interface()
    {
        var bytes = new EmittedContract { Marker = 7 }.Build();
        var code = ContractLoader.Load("Fixture.Contract", bytes, Hashing.Sha256(bytes), "fixture.dll");
        var contract = code.Factory();
        var context = AssemblyLoadContext.GetLoadContext(contract.GetType().Assembly)!;
        Assert.NotSame(AssemblyLoadContext.Default, context);
        Assert.Equal("contract:Citrine.Test.Contract", context.Name);
        Assert.Same(typeof(IContract).Assembly, contract.GetType().GetInterfaces().Single().Assembly);
        Assert.Equal([7], contract.Execute(null!, []));
        Assert.Equal(Hashing.Sha256(bytes), code.AssemblySha256);
    }

    [Fact]
    public void Load_rejects_bytes_whose_hash_differs_from_the_code_id()
    {
        var bytes = new EmittedContract().Build();
        var hash = Hashing.Sha256(bytes);
        hash[31] ^= 1;
        var e = Assert.Throws<ContractLoadException>(() => ContractLoader.Load("Fixture.Contract", bytes, hash, "fixture.dll"));
        Assert.Equal(ContractLoadError.HashMismatch, e.Reason);
        Assert.Throws<ContractLoadException>(() => ContractLoader.Load("Fixture.Contract", bytes, hash.AsSpan(0, 31), "fixture.dll"));
    }

    [Fact]
    public void Load_rejects_a_missing_type() =>
        Assert.Equal(ContractLoadError.TypeNotFound, Refused(new EmittedContract(), "Fixture.Other").Reason);

    [Fact]
    public void Load_rejects_a_type_that_does_not_implement_IContract() =>
        Assert.Equal(ContractLoadError.NotAContract, Refused(new EmittedContract { ImplementsIContract = false }).Reason);

    [Fact]
    public void Load_rejects_a_contract_without_a_parameterless_constructor() =>
        Assert.Equal(ContractLoadError.NoParameterlessConstructor, Refused(new EmittedContract { ParameterlessConstructor = false }).Reason);

    [Fact]
    public void Load_rejects_a_reference_outside_the_framework_and_the_sdk_and_names_it()
    {
        var e = Refused(new EmittedContract { ReferencedType = typeof(CryptoException) });
        Assert.Equal(ContractLoadError.ForbiddenReference, e.Reason);
        Assert.Contains("'Citrine.Crypto'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_rejects_a_native_import_and_names_it()
    {
        var e = Refused(new EmittedContract { NativeImport = "libc" });
        Assert.Equal(ContractLoadError.ForbiddenReference, e.Reason);
        Assert.Contains("'libc'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_rejects_a_multi_file_assembly_and_names_the_other_file()
    {
        var bytes = EmittedContract.Manifest("Citrine.Test.MultiFile", otherFile: "part2.netmodule");
        var e = Assert.Throws<ContractLoadException>(() => ContractLoader.Load("Fixture.Contract", bytes, Hashing.Sha256(bytes), "multi.dll"));
        Assert.Equal(ContractLoadError.ForbiddenReference, e.Reason);
        Assert.Contains("'part2.netmodule'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_rejects_a_framework_name_referenced_with_another_public_key_token()
    {
        var bytes = EmittedContract.Manifest("Citrine.Test.Forged", reference: ("System.Text.Json", [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF]));
        var e = Assert.Throws<ContractLoadException>(() => ContractLoader.Load("Fixture.Contract", bytes, Hashing.Sha256(bytes), "forged.dll"));
        Assert.Equal(ContractLoadError.ForbiddenReference, e.Reason);
        Assert.Contains("'System.Text.Json'", e.Message, StringComparison.Ordinal);
        // The same manifest with the framework's own token passes the reference check (and then has no contract type).
        var genuine = EmittedContract.Manifest("Citrine.Test.Forged", reference: ("System.Text.Json", typeof(System.Text.Json.JsonDocument).Assembly.GetName().GetPublicKeyToken()!));
        Assert.Equal(ContractLoadError.TypeNotFound, Assert.Throws<ContractLoadException>(() => ContractLoader.Load("Fixture.Contract", genuine, Hashing.Sha256(genuine), "genuine.dll")).Reason);
    }

    [Fact]
    public void A_contract_cannot_load_the_nodes_assemblies_by_name_at_run_time()
    {
        var bytes = new EmittedContract { QueryLoadsAssembly = "Citrine.Crypto" }.Build();
        var contract = ContractLoader.Load("Fixture.Contract", bytes, Hashing.Sha256(bytes), "loader.dll", enforceApiRules: false).Factory();
        var e = Assert.ThrowsAny<IOException>(() => contract.Query(null!, []));
        Assert.Contains("Citrine.Crypto", e.Message, StringComparison.Ordinal);
        // The framework resolves by its full name (with the framework's public key token).
        var framework = new EmittedContract { QueryLoadsAssembly = typeof(System.Text.Json.JsonDocument).Assembly.FullName }.Build();
        Assert.Equal([1], ContractLoader.Load("Fixture.Contract", framework, Hashing.Sha256(framework), "json.dll", enforceApiRules: false).Factory().Query(null!, []));
    }

    [Fact]
    public void A_contract_cannot_load_a_framework_name_with_another_public_key_token()
    {
        var bytes = new EmittedContract { QueryLoadsAssembly = "System.Text.Json, Version=10.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef" }.Build();
        var contract = ContractLoader.Load("Fixture.Contract", bytes, Hashing.Sha256(bytes), "token.dll", enforceApiRules: false).Factory();
        Assert.ThrowsAny<IOException>(() => contract.Query(null!, []));
    }

    [Fact]
    public void Load_rejects_an_assembly_named_like_a_framework_assembly() =>
        Assert.Equal(ContractLoadError.ReservedName, Refused(new EmittedContract { AssemblyName = "System.Text.Json" }).Reason);

    [Fact]
    public void Load_accepts_framework_references()
    {
        var bytes = new EmittedContract { ReferencedType = typeof(System.Text.Json.JsonDocument) }.Build();
        Assert.Equal([1], ContractLoader.Load("Fixture.Contract", bytes, Hashing.Sha256(bytes), "fixture.dll").Factory().Query(null!, []));
    }

    [Fact]
    public void Two_codes_with_the_same_assembly_name_load_side_by_side()
    {
        var first = new EmittedContract { Marker = 1 }.Build();
        var second = new EmittedContract { Marker = 2 }.Build();
        Assert.NotEqual(Hashing.Sha256(first), Hashing.Sha256(second));
        var a = ContractLoader.Load("Fixture.Contract", first, Hashing.Sha256(first), "a.dll").Factory();
        var b = ContractLoader.Load("Fixture.Contract", second, Hashing.Sha256(second), "b.dll").Factory();
        Assert.NotSame(a.GetType(), b.GetType());
        Assert.Equal([1], a.Query(null!, []));
        Assert.Equal([2], b.Query(null!, []));
    }

    [Fact]
    public void A_file_replaced_after_registration_does_not_change_the_running_code()
    {
        var original = new EmittedContract { Marker = 1 }.Build();
        var path = Path.Combine(_directory, "contract.dll");
        File.WriteAllBytes(path, original);
        var host = new ContractHost();
        host.RegisterAssembly("Fixture.Contract", path, Hashing.Sha256(original));
        File.WriteAllBytes(path, new EmittedContract { Marker = 9 }.Build());
        Assert.Equal([1], host.Codes["Fixture.Contract"].Factory().Query(null!, []));
    }

    [Fact]
    public void RegisterAssembly_reports_an_unreadable_file()
    {
        var e = Assert.Throws<ContractLoadException>(() => new ContractHost().RegisterAssembly("Fixture.Contract", Path.Combine(_directory, "absent.dll"), new byte[32]));
        Assert.Equal(ContractLoadError.Unreadable, e.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(4096)]
    public void Load_rejects_bytes_that_are_not_an_assembly(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31);
        }
        if (length >= 2)
        {
            bytes[0] = (byte)'M';
            bytes[1] = (byte)'Z';
        }
        var e = Assert.Throws<ContractLoadException>(() => ContractLoader.Load("Fixture.Contract", bytes, Hashing.Sha256(bytes), "junk.dll"));
        Assert.Equal(ContractLoadError.BadImage, e.Reason);
    }

    [Fact]
    public void Load_never_crashes_on_truncated_or_mutated_assemblies()
    {
        var valid = new EmittedContract().Build();
        // Six seeds, 1,000 mutants each; earlier, smaller runs missed the SecurityException that a
        // corrupted public key raises in the metadata reader and in LoadFromStream.
        var random = new Random(4);
        for (var i = 0; i < 6000; i++)
        {
            if (i % 1000 == 0)
            {
                random = new Random(4 + (i / 1000));
            }
            var bytes = i % 3 == 0 ? valid[..random.Next(valid.Length)] : (byte[])valid.Clone();
            if (i % 3 != 0)
            {
                for (var flips = random.Next(1, 8); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }
            }
            // Only the documented exception may escape registration; what a mutant does when it
            // runs (if it loads at all) is ContractHost's business, which turns any failure into a
            // failed transaction.
            try
            {
                ContractLoader.Load("Fixture.Contract", bytes, Hashing.Sha256(bytes), "mutant.dll");
            }
            catch (ContractLoadException)
            {
            }
        }
    }

    [Fact]
    public void A_loaded_contract_that_throws_reverts_its_writes_on_chain()
    {
        var bytes = new EmittedContract { ExecuteWritesThenThrows = true }.Build();
        var host = new ContractHost();
        host.Register(ContractLoader.Load("Fixture.Contract", bytes, Hashing.Sha256(bytes), "throws.dll"));
        using var chain = new TestChain(contracts: host);
        var instantiate = Tx.Create([new MsgInstantiate(chain.Address(0), "Fixture.Contract", [], 0, "t")], "", chain.AccountKeys[0], 0, 1_000_000, "citrine-test", 0);
        Assert.True(chain.Node.SubmitTx(instantiate.Encode()).Result.IsOk);
        chain.Produce();
        var contract = chain.Node.GetResults(chain.Node.Height)!.TxResults[0].Data;
        var execute = Tx.Create([new MsgExecute(chain.Address(0), contract, [], 0)], "", chain.AccountKeys[0], 1, 1_000_000, "citrine-test", 0);
        Assert.True(chain.Node.SubmitTx(execute.Encode()).Result.IsOk);
        chain.Produce();
        var result = chain.Node.GetResults(chain.Node.Height)!.TxResults[0];
        Assert.Equal(ContractException.Code, result.Code);
        Assert.Contains("failed on purpose", result.Log, StringComparison.Ordinal);
        Assert.Null(chain.Node.Read(app => app.State.Query(ChainApp.WasmStore, ContractHost.StateKey(contract, "k"u8), chain.Node.Height, prove: false).Value));
    }
}
