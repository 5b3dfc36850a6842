using System.Reflection;
using System.Reflection.Emit;
using Citrine.Chain.Contracts;

namespace Citrine.Chain.Tests.Contracts;

/// <summary>What the emitted contract's <c>Execute</c> and <c>Query</c> do (both run the same static <c>Run(byte[] message)</c>).</summary>
internal enum MeteredBody
{
    /// <summary>Returns <c>{ 1 }</c>.</summary>
    Return,

    /// <summary><c>while (true) { }</c>.</summary>
    InfiniteLoop,

    /// <summary><c>try { while (true) { } } catch (Exception) { } return { 1 };</c>.</summary>
    InfiniteLoopSwallowed,

    /// <summary><c>try { while (true) { } } finally { }</c>.</summary>
    InfiniteLoopWithFinally,

    /// <summary><c>try { while (true) { } } catch when (true) { } return { 1 };</c>.</summary>
    InfiniteLoopFiltered,

    /// <summary><c>for (var i = 0; i &lt; message[0]; i++) { } return { 1 };</c>.</summary>
    CountedLoop,

    /// <summary>
    /// <c>message[0]</c> iterations of a loop whose backward <c>br</c> is reached only by a forward
    /// jump to it (a <c>continue</c>): <c>H: i++; if (i &gt;= n) goto X; if (true) goto B; nop; B: br H; X:</c>.
    /// </summary>
    JumpToBackEdgeLoop,

    /// <summary><c>for (i &lt; message[0] * 4) Leaf();</c> where <c>Leaf</c> reaches its <c>ret</c> only by a forward jump.</summary>
    ReturnViaJumpInLoop,

    /// <summary><c>static void Deep() => Deep();</c> called once.</summary>
    UnboundedRecursion,

    /// <summary><c>static void Deep() { byte* b = stackalloc byte[16384]; Deep(); }</c>: out of stack long before 512 levels.</summary>
    StackallocRecursion,

    /// <summary><c>Down(message[0] * 2)</c> twice, where <c>Down(n)</c> recurses n deep and returns.</summary>
    RecursionTwice,

    /// <summary><c>for (i &lt; message[0] * 4) try { Thrower(); } catch (InvalidOperationException) { }</c>, Thrower one call deeper.</summary>
    ThrowCaughtInLoop,

    /// <summary>Calls <c>ContractRuntime.Charge(1)</c> itself.</summary>
    CallsHook,

    /// <summary><c>_ = new byte[message[0] &lt;&lt; 16]; return { 1 };</c> (message[0] × 64 KiB).</summary>
    AllocateBytes,
}

/// <summary>Emits a contract assembly (PersistedAssemblyBuilder) with one chosen <see cref="MeteredBody"/>.</summary>
internal static class MeteredContract
{
    public const string TypeName = "Fixture.Metered";

    /// <summary>
    /// IL instructions from the loop head to the backward <c>blt</c> of <see cref="MeteredBody.CountedLoop"/>:
    /// <c>ldloc.0 ldc.i4.1 add stloc.0 | ldloc.0 ldarg.0 ldc.i4.0 ldelem.u1 blt</c>.
    /// </summary>
    public const int CountedLoopSpan = 9;

    /// <summary>IL instructions from <c>H</c> to the backward <c>br</c> of <see cref="MeteredBody.JumpToBackEdgeLoop"/>.</summary>
    public const int JumpToBackEdgeLoopSpan = 13;

    public static byte[] Build(MeteredBody body, string assemblyName = "Citrine.Test.Metered")
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName(assemblyName) { Version = new Version(1, 0, 0, 0) }, typeof(object).Assembly);
        // An attribute with an enum argument, as every compiler-built assembly carries: the rewriter
        // must copy it without resolving the framework assembly that defines the enum.
        builder.SetCustomAttribute(new CustomAttributeBuilder(
            typeof(System.Diagnostics.DebuggableAttribute).GetConstructor([typeof(System.Diagnostics.DebuggableAttribute.DebuggingModes)])!,
            [System.Diagnostics.DebuggableAttribute.DebuggingModes.IgnoreSymbolStoreSequencePoints]));
        var module = builder.DefineDynamicModule(assemblyName);
        var type = module.DefineType(TypeName, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(object), [typeof(IContract)]);
        type.DefineDefaultConstructor(MethodAttributes.Public);

        var run = type.DefineMethod("Run", MethodAttributes.Private | MethodAttributes.Static, typeof(byte[]), [typeof(byte[])]);
        EmitRun(type, run.GetILGenerator(), body);

        const MethodAttributes Implementation = MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot;
        type.DefineMethod(nameof(IContract.Instantiate), Implementation, typeof(void), [typeof(IContractContext), typeof(byte[])]).GetILGenerator().Emit(OpCodes.Ret);
        foreach (var (name, context) in new[] { (nameof(IContract.Execute), typeof(IContractContext)), (nameof(IContract.Query), typeof(IContractQueryContext)) })
        {
            var il = type.DefineMethod(name, Implementation, typeof(byte[]), [context, typeof(byte[])]).GetILGenerator();
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Call, run);
            il.Emit(OpCodes.Ret);
        }

        type.CreateType();
        using var stream = new MemoryStream();
        builder.Save(stream);
        return stream.ToArray();
    }

    private static void EmitRun(TypeBuilder type, ILGenerator il, MeteredBody body)
    {
        switch (body)
        {
            case MeteredBody.Return:
                break;
            case MeteredBody.AllocateBytes:
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Ldelem_U1);
                il.Emit(OpCodes.Ldc_I4, 16);
                il.Emit(OpCodes.Shl);
                il.Emit(OpCodes.Newarr, typeof(byte));
                il.Emit(OpCodes.Pop);
                break;
            case MeteredBody.InfiniteLoop:
            {
                var head = il.DefineLabel();
                il.MarkLabel(head);
                il.Emit(OpCodes.Nop);
                il.Emit(OpCodes.Br, head);
                return;
            }
            case MeteredBody.InfiniteLoopSwallowed:
            {
                il.BeginExceptionBlock();
                var head = il.DefineLabel();
                il.MarkLabel(head);
                il.Emit(OpCodes.Nop);
                il.Emit(OpCodes.Br, head);
                il.BeginCatchBlock(typeof(Exception));
                il.Emit(OpCodes.Pop);
                il.EndExceptionBlock();
                break;
            }
            case MeteredBody.InfiniteLoopWithFinally:
            {
                il.BeginExceptionBlock();
                var head = il.DefineLabel();
                il.MarkLabel(head);
                il.Emit(OpCodes.Nop);
                il.Emit(OpCodes.Br, head);
                il.BeginFinallyBlock();
                il.Emit(OpCodes.Nop);
                il.EndExceptionBlock();
                break;
            }
            case MeteredBody.InfiniteLoopFiltered:
            {
                il.BeginExceptionBlock();
                var head = il.DefineLabel();
                il.MarkLabel(head);
                il.Emit(OpCodes.Nop);
                il.Emit(OpCodes.Br, head);
                il.BeginExceptFilterBlock();
                il.Emit(OpCodes.Pop);
                il.Emit(OpCodes.Ldc_I4_1);
                il.BeginCatchBlock(null);
                il.Emit(OpCodes.Pop);
                il.EndExceptionBlock();
                break;
            }
            case MeteredBody.CountedLoop:
                EmitCountedLoop(il, multiplier: 1, static _ => { });
                break;
            case MeteredBody.JumpToBackEdgeLoop:
            {
                il.DeclareLocal(typeof(int));
                var head = il.DefineLabel();
                var back = il.DefineLabel();
                var exit = il.DefineLabel();
                il.Emit(OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Stloc_0);
                il.MarkLabel(head);
                il.Emit(OpCodes.Ldloc_0);
                il.Emit(OpCodes.Ldc_I4_1);
                il.Emit(OpCodes.Add);
                il.Emit(OpCodes.Stloc_0);
                il.Emit(OpCodes.Ldloc_0);
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Ldelem_U1);
                il.Emit(OpCodes.Bge, exit);
                il.Emit(OpCodes.Ldc_I4_1);
                il.Emit(OpCodes.Brtrue, back);
                il.Emit(OpCodes.Nop);
                il.MarkLabel(back);
                il.Emit(OpCodes.Br, head);
                il.MarkLabel(exit);
                break;
            }
            case MeteredBody.ReturnViaJumpInLoop:
            {
                var leaf = type.DefineMethod("Leaf", MethodAttributes.Private | MethodAttributes.Static, typeof(void), Type.EmptyTypes);
                var leafIl = leaf.GetILGenerator();
                var end = leafIl.DefineLabel();
                leafIl.Emit(OpCodes.Ldc_I4_1);
                leafIl.Emit(OpCodes.Brtrue, end);
                leafIl.Emit(OpCodes.Nop);
                leafIl.MarkLabel(end);
                leafIl.Emit(OpCodes.Ret);
                EmitCountedLoop(il, multiplier: 4, loopIl => loopIl.Emit(OpCodes.Call, leaf));
                break;
            }
            case MeteredBody.UnboundedRecursion:
            {
                var deep = type.DefineMethod("Deep", MethodAttributes.Private | MethodAttributes.Static, typeof(void), Type.EmptyTypes);
                var deepIl = deep.GetILGenerator();
                deepIl.Emit(OpCodes.Call, deep);
                deepIl.Emit(OpCodes.Ret);
                il.Emit(OpCodes.Call, deep);
                break;
            }
            case MeteredBody.StackallocRecursion:
            {
                var deep = type.DefineMethod("Deep", MethodAttributes.Private | MethodAttributes.Static, typeof(void), Type.EmptyTypes);
                var deepIl = deep.GetILGenerator();
                deepIl.Emit(OpCodes.Ldc_I4, 16384);
                deepIl.Emit(OpCodes.Localloc);
                deepIl.Emit(OpCodes.Pop);
                deepIl.Emit(OpCodes.Call, deep);
                deepIl.Emit(OpCodes.Ret);
                il.Emit(OpCodes.Call, deep);
                break;
            }
            case MeteredBody.RecursionTwice:
            {
                var down = type.DefineMethod("Down", MethodAttributes.Private | MethodAttributes.Static, typeof(void), [typeof(int)]);
                var downIl = down.GetILGenerator();
                var end = downIl.DefineLabel();
                downIl.Emit(OpCodes.Ldarg_0);
                downIl.Emit(OpCodes.Brfalse, end);
                downIl.Emit(OpCodes.Ldarg_0);
                downIl.Emit(OpCodes.Ldc_I4_1);
                downIl.Emit(OpCodes.Sub);
                downIl.Emit(OpCodes.Call, down);
                downIl.MarkLabel(end);
                downIl.Emit(OpCodes.Ret);
                for (var i = 0; i < 2; i++)
                {
                    il.Emit(OpCodes.Ldarg_0);
                    il.Emit(OpCodes.Ldc_I4_0);
                    il.Emit(OpCodes.Ldelem_U1);
                    il.Emit(OpCodes.Ldc_I4_2);
                    il.Emit(OpCodes.Mul);
                    il.Emit(OpCodes.Call, down);
                }
                break;
            }
            case MeteredBody.ThrowCaughtInLoop:
            {
                var thrower = type.DefineMethod("Thrower", MethodAttributes.Private | MethodAttributes.Static, typeof(void), Type.EmptyTypes);
                var throwerIl = thrower.GetILGenerator();
                throwerIl.Emit(OpCodes.Newobj, typeof(InvalidOperationException).GetConstructor(Type.EmptyTypes)!);
                throwerIl.Emit(OpCodes.Throw);
                EmitCountedLoop(il, multiplier: 4, loopIl =>
                {
                    loopIl.BeginExceptionBlock();
                    loopIl.Emit(OpCodes.Call, thrower);
                    loopIl.BeginCatchBlock(typeof(InvalidOperationException));
                    loopIl.Emit(OpCodes.Pop);
                    loopIl.EndExceptionBlock();
                });
                break;
            }
            case MeteredBody.CallsHook:
                il.Emit(OpCodes.Ldc_I4_1);
                il.Emit(OpCodes.Call, typeof(ContractRuntime).GetMethod(nameof(ContractRuntime.Charge))!);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(body));
        }
        // return new byte[] { 1 };
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Newarr, typeof(byte));
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Stelem_I1);
        il.Emit(OpCodes.Ret);
    }

    /// <summary><c>for (var i = 0; i &lt; message[0] * multiplier; i++) { body }</c> with local 0 as i (multiplier 1 adds no instructions).</summary>
    private static void EmitCountedLoop(ILGenerator il, int multiplier, Action<ILGenerator> body)
    {
        il.DeclareLocal(typeof(int));
        var head = il.DefineLabel();
        var condition = il.DefineLabel();
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc_0);
        il.Emit(OpCodes.Br, condition);
        il.MarkLabel(head);
        body(il);
        il.Emit(OpCodes.Ldloc_0);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc_0);
        il.MarkLabel(condition);
        il.Emit(OpCodes.Ldloc_0);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ldelem_U1);
        if (multiplier != 1)
        {
            il.Emit(OpCodes.Ldc_I4, multiplier);
            il.Emit(OpCodes.Mul);
        }
        il.Emit(OpCodes.Blt, head);
    }
}
