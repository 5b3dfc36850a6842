using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace Citrine.Chain.Contracts;

/// <summary>
/// Rewrites a verified contract assembly so that its CPU use is charged to the transaction's gas
/// and its call depth is bounded, deterministically: the charges depend only on the contract's IL
/// and on the path it takes, never on the machine, the JIT or the clock.
/// </summary>
/// <remarks>
/// Schedule (the hooks are <see cref="ContractRuntime"/>'s; ECMA-335 III.3 for the opcodes):
/// <list type="bullet">
/// <item>method entry: <see cref="ContractRuntime.EntryCost"/> and one level of call depth, at most
/// <see cref="ContractRuntime.MaxCallDepth"/>; the depth is given back before every <c>ret</c> and <c>jmp</c>;</item>
/// <item>backward branch (<c>br*</c>, <c>leave</c> or <c>switch</c> with a target at or before itself):
/// the number of IL instructions of the original method from the earliest such target to the branch
/// inclusive, charged every time the branch runs (taken or not), so every loop iteration pays for its code;</item>
/// <item>start of a catch, finally or fault block: <see cref="ContractRuntime.HandlerCost"/>, and the
/// depth is reset to the handling method's (frames unwound by the exception never reached <c>ret</c>);
/// start of a filter: <see cref="ContractRuntime.HandlerCost"/>. A meter that ran out throws again on
/// any charge, so a handler cannot swallow running out of gas.</item>
/// </list>
/// Straight-line code between these points is bounded by the method's size, so every unbounded
/// execution inside contract code passes through a charge. Framework code the contract calls is not
/// rewritten: one call into it is charged as the call's own loop/entry costs only.
/// </remarks>
internal static class ContractMetering
{
    private const string HookNamespace = "Citrine.Chain.Contracts";
    private const string HookTypeName = nameof(ContractRuntime);

    /// <summary>Returns the rewritten assembly; a contract that names the hooks itself is refused.</summary>
    public static byte[] Instrument(byte[] bytes, string source)
    {
        ModuleDefinition module;
        try
        {
            // Deferred: custom attributes stay undecoded blobs and are written back as they were
            // (decoding an enum argument would need the framework assembly that defines the enum).
            module = ModuleDefinition.ReadModule(new MemoryStream(bytes, writable: false),
                new ReaderParameters(ReadingMode.Deferred) { ReadSymbols = false, AssemblyResolver = new NoResolver() });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ContractLoadException(ContractLoadError.BadImage, $"{source}: the IL rewriter cannot read the assembly: {e.Message}", e);
        }

        using (module)
        {
            try
            {
                foreach (var reference in module.GetTypeReferences())
                {
                    if (reference.Name == HookTypeName && reference.Namespace == HookNamespace)
                    {
                        throw new ContractLoadException(ContractLoadError.MeteringHookReference,
                            $"{source}: the contract references {HookNamespace}.{HookTypeName}; only the node's metering rewriter may call it");
                    }
                }
                var hooks = new Hooks(module);
                foreach (var type in module.GetTypes())
                {
                    foreach (var method in type.Methods)
                    {
                        if (method.HasBody)
                        {
                            InstrumentMethod(method, hooks);
                        }
                    }
                }
                using var output = new MemoryStream();
                module.Write(output);
                return output.ToArray();
            }
            catch (Exception e) when (e is not (ContractLoadException or OutOfMemoryException))
            {
                throw new ContractLoadException(ContractLoadError.BadImage, $"{source}: the IL rewriter refused the assembly: {e.Message}", e);
            }
        }
    }

    private static void InstrumentMethod(MethodDefinition method, Hooks hooks)
    {
        var body = method.Body;
        if (body.Instructions.Count == 0)
        {
            return;
        }
        body.SimplifyMacros();
        var original = body.Instructions.ToArray();
        var index = new Dictionary<Instruction, int>(original.Length, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < original.Length; i++)
        {
            index[original[i]] = i;
        }

        var depth = new VariableDefinition(hooks.Int32);
        body.Variables.Add(depth);

        // What runs before an original instruction; branches and handler boundaries that named
        // that instruction are moved to the first inserted one, so every way in pays.
        var before = new Dictionary<Instruction, List<Instruction>>(ReferenceEqualityComparer.Instance);
        List<Instruction> Before(Instruction at)
        {
            if (!before.TryGetValue(at, out var list))
            {
                before[at] = list = [];
            }
            return list;
        }

        foreach (var handler in body.ExceptionHandlers)
        {
            if (handler.FilterStart is not null)
            {
                Before(handler.FilterStart).AddRange([Instruction.Create(OpCodes.Ldc_I4, ContractRuntime.HandlerCost), Instruction.Create(OpCodes.Call, hooks.Charge)]);
            }
            Before(handler.HandlerStart).AddRange([Instruction.Create(OpCodes.Ldloc, depth), Instruction.Create(OpCodes.Call, hooks.Handler)]);
        }

        for (var i = 0; i < original.Length; i++)
        {
            var instruction = original[i];
            switch (instruction.OpCode.Code)
            {
                case Code.Ret or Code.Jmp:
                    Before(instruction).Add(Instruction.Create(OpCodes.Call, hooks.Exit));
                    continue;
                case Code.Newarr:
                    // The length on the stack is charged before the array exists: dup; conv.i8; ldc.i4 size; call.
                    Before(instruction).AddRange([
                        Instruction.Create(OpCodes.Dup), Instruction.Create(OpCodes.Conv_I8),
                        Instruction.Create(OpCodes.Ldc_I4, ElementSize((TypeReference)instruction.Operand)),
                        Instruction.Create(OpCodes.Call, hooks.ChargeAllocation)]);
                    continue;
                case Code.Tail:
                    // "tail." must be followed by call and ret (III.2.4); the Exit hook sits between them now.
                    instruction.OpCode = OpCodes.Nop;
                    instruction.Operand = null;
                    continue;
            }
            var earliest = instruction.Operand switch
            {
                Instruction target when index.TryGetValue(target, out var t) => t,
                Instruction[] targets => targets.Select(t => index.TryGetValue(t, out var x) ? x : int.MaxValue).DefaultIfEmpty(int.MaxValue).Min(),
                _ => int.MaxValue,
            };
            if (earliest <= i)
            {
                Before(instruction).AddRange([Instruction.Create(OpCodes.Ldc_I4, i - earliest + 1), Instruction.Create(OpCodes.Call, hooks.Charge)]);
            }
        }

        var instructions = body.Instructions;
        var shift = 0;
        for (var i = 0; i < original.Length; i++)
        {
            if (before.TryGetValue(original[i], out var inserted))
            {
                for (var k = 0; k < inserted.Count; k++)
                {
                    instructions.Insert(i + shift + k, inserted[k]);
                }
                shift += inserted.Count;
            }
        }
        Instruction Moved(Instruction target) => before.TryGetValue(target, out var list) ? list[0] : target;
        foreach (var instruction in instructions)
        {
            switch (instruction.Operand)
            {
                case Instruction target:
                    instruction.Operand = Moved(target);
                    break;
                case Instruction[] targets:
                    for (var k = 0; k < targets.Length; k++)
                    {
                        targets[k] = Moved(targets[k]);
                    }
                    break;
            }
        }
        foreach (var handler in body.ExceptionHandlers)
        {
            handler.TryStart = Moved(handler.TryStart);
            handler.TryEnd = handler.TryEnd is null ? null : Moved(handler.TryEnd);
            handler.HandlerStart = Moved(handler.HandlerStart);
            handler.HandlerEnd = handler.HandlerEnd is null ? null : Moved(handler.HandlerEnd);
            handler.FilterStart = handler.FilterStart is null ? null : Moved(handler.FilterStart);
        }

        // The entry hook goes in last and is not a branch target: a loop back to the first
        // instruction must not count as a new call.
        instructions.Insert(0, Instruction.Create(OpCodes.Stloc, depth));
        instructions.Insert(0, Instruction.Create(OpCodes.Call, hooks.Enter));
        body.OptimizeMacros();
    }

    /// <summary>
    /// Bytes charged per element of <c>newarr</c>: the primitive's size; 8 for references and
    /// pointers; 16 for other value types and generic parameters (a layout is not known from the
    /// contract's metadata alone; a larger struct, or a struct from another assembly whose
    /// value-type-ness the reference does not carry, is undercharged — documented).
    /// </summary>
    private static int ElementSize(TypeReference type) => type.MetadataType switch
    {
        MetadataType.Boolean or MetadataType.Byte or MetadataType.SByte => 1,
        MetadataType.Char or MetadataType.Int16 or MetadataType.UInt16 => 2,
        MetadataType.Int32 or MetadataType.UInt32 or MetadataType.Single => 4,
        MetadataType.Int64 or MetadataType.UInt64 or MetadataType.Double or MetadataType.IntPtr or MetadataType.UIntPtr => 8,
        MetadataType.ValueType or MetadataType.Var or MetadataType.MVar => 16,
        MetadataType.GenericInstance => type.IsValueType ? 16 : 8,
        _ => 8,
    };

    /// <summary>References to the SDK's hooks, through the contract's own reference to the SDK.</summary>
    private sealed class Hooks
    {
        public Hooks(ModuleDefinition module)
        {
            var sdkName = typeof(ContractRuntime).Assembly.GetName();
            var sdk = module.AssemblyReferences.FirstOrDefault(r => r.Name == sdkName.Name);
            if (sdk is null)
            {
                sdk = new AssemblyNameReference(sdkName.Name, sdkName.Version);
                module.AssemblyReferences.Add(sdk);
            }
            Int32 = module.TypeSystem.Int32;
            var type = new TypeReference(HookNamespace, HookTypeName, module, sdk);
            Enter = new MethodReference(nameof(ContractRuntime.Enter), Int32, type);
            Exit = new MethodReference(nameof(ContractRuntime.Exit), module.TypeSystem.Void, type);
            Charge = new MethodReference(nameof(ContractRuntime.Charge), module.TypeSystem.Void, type) { Parameters = { new ParameterDefinition(Int32) } };
            Handler = new MethodReference(nameof(ContractRuntime.Handler), module.TypeSystem.Void, type) { Parameters = { new ParameterDefinition(Int32) } };
            ChargeAllocation = new MethodReference(nameof(ContractRuntime.ChargeAllocation), module.TypeSystem.Void, type)
            {
                Parameters = { new ParameterDefinition(module.TypeSystem.Int64), new ParameterDefinition(Int32) },
            };
        }

        public TypeReference Int32 { get; }
        public MethodReference Enter { get; }
        public MethodReference Exit { get; }
        public MethodReference Charge { get; }
        public MethodReference Handler { get; }
        public MethodReference ChargeAllocation { get; }
    }

    /// <summary>The rewriter never needs another assembly's contents; resolving one would read files.</summary>
    private sealed class NoResolver : IAssemblyResolver
    {
        public AssemblyDefinition Resolve(AssemblyNameReference name) =>
            throw new AssemblyResolutionException(name);

        public AssemblyDefinition Resolve(AssemblyNameReference name, ReaderParameters parameters) =>
            throw new AssemblyResolutionException(name);

        public void Dispose()
        {
        }
    }
}
