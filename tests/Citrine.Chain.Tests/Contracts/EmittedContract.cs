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

    /// <summary><c>Query</c> calls <c>Assembly.Load(name)</c> before returning.</summary>
    public string? QueryLoadsAssembly { get; init; }

    /// <summary>A P/Invoke into this native library.</summary>
    public string? NativeImport { get; init; }

    /// <summary><c>Execute</c> first calls this static method (int arguments 0, string arguments "") and drops its result.</summary>
    public MethodInfo? ExecuteCalls { get; init; }

    /// <summary>The contract type overrides <c>Object.Finalize</c>.</summary>
    public bool WithFinalizer { get; init; }

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
            if (ExecuteCalls is { } call)
            {
                foreach (var parameter in call.GetParameters())
                {
                    if (parameter.ParameterType == typeof(string))
                    {
                        executeIl.Emit(OpCodes.Ldstr, "");
                    }
                    else if (parameter.ParameterType == typeof(int))
                    {
                        executeIl.Emit(OpCodes.Ldc_I4_0);
                    }
                    else
                    {
                        throw new NotSupportedException($"parameter type {parameter.ParameterType}");
                    }
                }
                executeIl.Emit(OpCodes.Call, call);
                if (call.ReturnType != typeof(void))
                {
                    executeIl.Emit(OpCodes.Pop);
                }
            }
            EmitBytes(executeIl, Marker);
            executeIl.Emit(OpCodes.Ret);
        }
        if (WithFinalizer)
        {
            var finalizer = type.DefineMethod("Finalize", MethodAttributes.Family | MethodAttributes.Virtual | MethodAttributes.HideBySig, typeof(void), Type.EmptyTypes);
            var fil = finalizer.GetILGenerator();
            fil.Emit(OpCodes.Ret);
            type.DefineMethodOverride(finalizer, typeof(object).GetMethod("Finalize", BindingFlags.Instance | BindingFlags.NonPublic)!);
        }

        var query = type.DefineMethod(nameof(IContract.Query), Implementation, typeof(byte[]), [typeof(IContractQueryContext), typeof(byte[])]);
        var queryIl = query.GetILGenerator();
        if (QueryLoadsAssembly is not null)
        {
            queryIl.Emit(OpCodes.Ldstr, QueryLoadsAssembly);
            queryIl.Emit(OpCodes.Call, typeof(Assembly).GetMethod(nameof(Assembly.Load), [typeof(string)])!);
            queryIl.Emit(OpCodes.Pop);
        }
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

    /// <summary>
    /// A bare assembly manifest (no types beyond &lt;Module&gt;), written with the metadata builder
    /// directly: optionally listing another file of the assembly (ECMA-335 II.22.19 File table) or
    /// referencing an assembly by name and public key token (II.22.5 AssemblyRef).
    /// </summary>
    public static byte[] Manifest(string name, string? otherFile = null, (string Name, byte[] Token)? reference = null)
    {
        var metadata = new System.Reflection.Metadata.Ecma335.MetadataBuilder();
        metadata.AddModule(0, metadata.GetOrAddString(name + ".dll"), metadata.GetOrAddGuid(new Guid(1, 2, 3, [4, 5, 6, 7, 8, 9, 10, 11])), default, default);
        metadata.AddAssembly(metadata.GetOrAddString(name), new Version(1, 0, 0, 0), default, default, default, AssemblyHashAlgorithm.Sha1);
        if (otherFile is not null)
        {
            metadata.AddAssemblyFile(metadata.GetOrAddString(otherFile), metadata.GetOrAddBlob(new byte[20]), containsMetadata: true);
        }
        if (reference is { } r)
        {
            metadata.AddAssemblyReference(metadata.GetOrAddString(r.Name), new Version(10, 0, 0, 0), default, metadata.GetOrAddBlob(r.Token), default, default);
        }
        metadata.AddTypeDefinition(default, default, metadata.GetOrAddString("<Module>"), default,
            System.Reflection.Metadata.Ecma335.MetadataTokens.FieldDefinitionHandle(1), System.Reflection.Metadata.Ecma335.MetadataTokens.MethodDefinitionHandle(1));
        var pe = new System.Reflection.PortableExecutable.ManagedPEBuilder(
            System.Reflection.PortableExecutable.PEHeaderBuilder.CreateLibraryHeader(),
            new System.Reflection.Metadata.Ecma335.MetadataRootBuilder(metadata),
            new System.Reflection.Metadata.BlobBuilder());
        var blob = new System.Reflection.Metadata.BlobBuilder();
        pe.Serialize(blob);
        return blob.ToArray();
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
