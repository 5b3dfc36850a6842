using System.Reflection;
using Citrine.Chain.Contracts;
using Citrine.Crypto;

namespace Citrine.Chain.Tests.Contracts;

/// <summary>The node refuses, at registration, contracts that use APIs outside the contract sandbox.</summary>
public sealed class ContractApiRulesTests
{
    private static ContractLoadException Refused(EmittedContract contract)
    {
        var bytes = contract.Build();
        return Assert.Throws<ContractLoadException>(() => ContractLoader.Load("Fixture.Contract", bytes, Hashing.Sha256(bytes), "api.dll"));
    }

    private static MethodInfo Method(Type type, string name, params Type[] parameters) =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.Static, parameters) ?? throw new InvalidOperationException($"{type}.{name}");

    public static TheoryData<string, string, string> BannedCalls() => new()
    {
        // (type, static member, what the refusal names) — from the analyzer's banned list ...
        { "System.DateTime", "get_Now", "System.DateTime.get_Now" },
        { "System.Guid", "NewGuid", "System.Guid.NewGuid" },
        { "System.Environment", "get_TickCount64", "System.Environment" },
        { "System.Threading.Thread", "Sleep", "System.Threading.Thread" },
        { "System.IO.File", "Exists", "System.IO.File" },
        // ... and the sandbox rules the node adds.
        { "System.GC", "Collect", "System.GC" },
        { "System.Type", "GetType", "System.Type.GetType" },
        { "System.Runtime.InteropServices.Marshal", "AllocHGlobal", "System.Runtime.InteropServices.Marshal" },
        { "System.Threading.Tasks.Task", "get_CompletedTask", "System.Threading.Tasks" },
        { "System.IO.Path", "GetTempPath", "System.IO.Path" },
    };

    [Theory]
    [MemberData(nameof(BannedCalls))]
    public void A_contract_calling_a_forbidden_api_is_refused_at_registration(string typeName, string member, string named)
    {
        var type = Type.GetType(typeName + ", System.Private.CoreLib") ?? typeof(System.Net.Http.HttpClient).Assembly.GetType(typeName)
            ?? throw new InvalidOperationException(typeName);
        var method = type.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == member && m.GetParameters().All(p => p.ParameterType == typeof(int) || p.ParameterType == typeof(string)))
            .OrderBy(m => m.GetParameters().Length)
            .First();
        var e = Refused(new EmittedContract { ExecuteCalls = method });
        Assert.Equal(ContractLoadError.ForbiddenApi, e.Reason);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_contract_loading_an_assembly_is_refused_at_registration()
    {
        var e = Refused(new EmittedContract { QueryLoadsAssembly = "Citrine.Crypto" });
        Assert.Equal(ContractLoadError.ForbiddenApi, e.Reason);
        Assert.Contains("System.Reflection.Assembly", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_contract_with_a_finalizer_is_refused_at_registration()
    {
        var e = Refused(new EmittedContract { WithFinalizer = true });
        Assert.Equal(ContractLoadError.ForbiddenApi, e.Reason);
        Assert.Contains("Finalize", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_contract_using_allowed_framework_apis_loads()
    {
        var bytes = new EmittedContract { ExecuteCalls = Method(typeof(Math), nameof(Math.Abs), typeof(int)) }.Build();
        var contract = ContractLoader.Load("Fixture.Contract", bytes, Hashing.Sha256(bytes), "allowed.dll").Factory();
        Assert.Equal([1], contract.Execute(null!, []));
    }
}
