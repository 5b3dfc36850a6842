using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.InteropServices;
using Citrine.Chain.Contracts;

namespace Citrine.Chain.Tests.Contracts;

/// <summary>
/// Writes small contract assemblies with <see cref="PersistedAssemblyBuilder"/>, so the loader is
/// tested on real PE files whose name, type, interfaces and references each test chooses.
/// </summary>
internal sealed record EmittedContract
{
    public string AssemblyName { get; init; } = "Citrine.Test.Contract";
    public string TypeName { get; init; } = "Fixture.Contract";

    /// <summary>The single byte <c>Execute</c> and <c>Query</c> return, so a test can tell two builds apart.</summary>
    public byte Marker { get; init; } = 1;

    public bool ImplementsIContract { get; init; } = true;
    public bool ParameterlessConstructor { get; init; } = true;

    /// <summary><c>Execute</c> writes <c>"k" = "v"</c> and then throws.</summary>
    public bool ExecuteWritesThenThrows { get; init; }

    /// <summary>A field whose type lives in this assembly, which the contract then references.</summary>
    public Type? ReferencedType { get; init; }

    /// <summary>A P/Invoke into this native library.</summary>
    public string? NativeImport { get; init; }

    public byte[] Build()
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName(AssemblyName) { Version = new Version(1, 0, 0, 0) }, typeof(object).Assembly);
        var module = builder.DefineDynamicModule(AssemblyName);
        var type = module.DefineType(TypeName, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(object),
            ImplementsIContract ? [typeof(IContract)] : []);

        if (ParameterlessConstructor)
        {
            type.DefineDefaultConstructor(MethodAttributes.Public);
        }
        else
        {
            var ctor = type.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [typeof(int)]);
            var il = ctor.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Call, typeof(object).GetConstructor(Type.EmptyTypes)!);
            il.Emit(OpCodes.Ret);
        }

        const MethodAttributes Implementation = MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot;
        var instantiate = type.DefineMethod(nameof(IContract.Instantiate), Implementation, typeof(void), [typeof(IContractContext), typeof(byte[])]);
        instantiate.GetILGenerator().Emit(OpCodes.Ret);

        var execute = type.DefineMethod(nameof(IContract.Execute), Implementation, typeof(byte[]), [typeof(IContractContext), typeof(byte[])]);
        var executeIl = execute.GetILGenerator();
        if (ExecuteWritesThenThrows)
        {
            var toSpan = typeof(ReadOnlySpan<byte>).GetMethod("op_Implicit", [typeof(byte[])])!;
            executeIl.Emit(OpCodes.Ldarg_1);
            EmitBytes(executeIl, (byte)'k');
            executeIl.Emit(OpCodes.Call, toSpan);
            EmitBytes(executeIl, (byte)'v');
            executeIl.Emit(OpCodes.Call, toSpan);
            executeIl.Emit(OpCodes.Callvirt, typeof(IContractContext).GetMethod(nameof(IContractContext.Write))!);
            executeIl.Emit(OpCodes.Ldstr, "emitted contract failed on purpose");
            executeIl.Emit(OpCodes.Newobj, typeof(InvalidOperationException).GetConstructor([typeof(string)])!);
            executeIl.Emit(OpCodes.Throw);
        }
        else
        {
            EmitBytes(executeIl, Marker);
            executeIl.Emit(OpCodes.Ret);
        }

        var query = type.DefineMethod(nameof(IContract.Query), Implementation, typeof(byte[]), [typeof(IContractQueryContext), typeof(byte[])]);
        var queryIl = query.GetILGenerator();
        EmitBytes(queryIl, Marker);
        queryIl.Emit(OpCodes.Ret);

        if (ReferencedType is not null)
        {
            type.DefineField("_reference", ReferencedType, FieldAttributes.Private);
        }
        if (NativeImport is not null)
        {
            type.DefinePInvokeMethod("Native", NativeImport, MethodAttributes.Public | MethodAttributes.Static | MethodAttributes.PinvokeImpl,
                CallingConventions.Standard, typeof(int), Type.EmptyTypes, CallingConvention.Cdecl, CharSet.Ansi);
        }

        type.CreateType();
        using var stream = new MemoryStream();
        builder.Save(stream);
        return stream.ToArray();
    }

    /// <summary>Pushes <c>new byte[] { value }</c>.</summary>
    private static void EmitBytes(ILGenerator il, byte value)
    {
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Newarr, typeof(byte));
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ldc_I4, (int)value);
        il.Emit(OpCodes.Stelem_I1);
    }
}
