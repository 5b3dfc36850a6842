using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Citrine.Crypto;

namespace Citrine.Chain.Contracts;

/// <summary>Why a contract assembly was refused at registration.</summary>
public enum ContractLoadError
{
    /// <summary>The assembly file could not be read.</summary>
    Unreadable,

    /// <summary>The SHA-256 of the bytes differs from the code id in genesis.</summary>
    HashMismatch,

    /// <summary>The bytes are not a .NET assembly (no PE image, no metadata, or metadata the runtime refuses).</summary>
    BadImage,

    /// <summary>The assembly references an assembly that is neither the framework nor the contract SDK, or native code.</summary>
    ForbiddenReference,

    /// <summary>The assembly's own name is a framework or SDK name.</summary>
    ReservedName,

    /// <summary>The named type does not exist in the assembly.</summary>
    TypeNotFound,

    /// <summary>The type is not a concrete class implementing <see cref="IContract"/>.</summary>
    NotAContract,

    /// <summary>The type has no public parameterless constructor.</summary>
    NoParameterlessConstructor,

    /// <summary>The assembly calls the metering hooks (<see cref="ContractRuntime"/>) itself, which could undo its own metering.</summary>
    MeteringHookReference,

    /// <summary>The assembly uses an API contracts may not (the banned list, reflection, interop, threads, the GC, a finalizer): see <see cref="ContractApiRules"/>.</summary>
    ForbiddenApi,
}

/// <summary>A contract assembly refused at registration; <see cref="Reason"/> says which check failed.</summary>
/// <remarks>An <see cref="InvalidOperationException"/>, so node start-up reports it as a configuration error.</remarks>
public sealed class ContractLoadException(ContractLoadError reason, string message, Exception? inner = null)
    : InvalidOperationException(message, inner)
{
    public ContractLoadError Reason { get; } = reason;
}

/// <summary>
/// Loads operator-registered contract code so that what runs is exactly what was hashed:
/// the bytes are read once, hashed, inspected with System.Reflection.Metadata, metered
/// (<see cref="ContractMetering"/> rewrites those same bytes in memory) and loaded (<see cref="AssemblyLoadContext.LoadFromStream(Stream)"/>) into a load context
/// of their own per code.
/// </summary>
/// <remarks>
/// The code id is name + SHA-256 of the contract assembly alone, so it must not depend on any
/// other file: a contract may reference only the shared framework (<c>Microsoft.NETCore.App</c>,
/// resolved from the runtime directory) and the contract SDK assembly (the one holding
/// <see cref="IContract"/>, resolved to the host's own copy so that the interface has one type
/// identity). Anything else — another library, the node's own assemblies, a P/Invoke module,
/// a multi-file assembly — is refused at registration, naming the reference.
/// </remarks>
public static class ContractLoader
{
    private static readonly Assembly SdkAssembly = typeof(IContract).Assembly;
    private static readonly string SdkName = SdkAssembly.GetName().Name!;
    private static readonly string RuntimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
    private static readonly ConcurrentDictionary<string, byte[]> FrameworkTokens = new(StringComparer.Ordinal);

    /// <summary>Reads the file once, then <see cref="Load(string, byte[], ReadOnlySpan{byte}, string)"/>.</summary>
    public static ContractCode LoadFile(string typeName, string path, ReadOnlySpan<byte> expectedSha256)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ContractLoadException(ContractLoadError.Unreadable, $"{path}: cannot read the contract assembly: {e.Message}", e);
        }
        return Load(typeName, bytes, expectedSha256, path);
    }

    /// <summary>
    /// Checks <paramref name="assemblyBytes"/> against <paramref name="expectedSha256"/> and the
    /// reference rules, loads them into a fresh load context and returns the code for
    /// <paramref name="typeName"/>. <paramref name="source"/> only names the origin in errors.
    /// </summary>
    public static ContractCode Load(string typeName, byte[] assemblyBytes, ReadOnlySpan<byte> expectedSha256, string source) =>
        Load(typeName, assemblyBytes, expectedSha256, source, enforceApiRules: true);

    /// <summary>As <see cref="Load(string, byte[], ReadOnlySpan{byte}, string)"/>; tests switch the API rules off to reach the run-time defences behind them.</summary>
    internal static ContractCode Load(string typeName, byte[] assemblyBytes, ReadOnlySpan<byte> expectedSha256, string source, bool enforceApiRules)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeName);
        ArgumentNullException.ThrowIfNull(assemblyBytes);
        ArgumentNullException.ThrowIfNull(source);

        // One private copy: the caller cannot change the bytes between the hash and the load.
        var bytes = (byte[])assemblyBytes.Clone();
        var hash = Hashing.Sha256(bytes);
        if (expectedSha256.Length != hash.Length || !hash.AsSpan().SequenceEqual(expectedSha256))
        {
            throw new ContractLoadException(ContractLoadError.HashMismatch,
                $"{source}: SHA-256 {Convert.ToHexStringLower(hash)} differs from the genesis code id {Convert.ToHexStringLower(expectedSha256)}");
        }

        var assemblyName = Inspect(bytes, source, enforceApiRules);
        // What runs is the verified bytes with metering written in (ContractMetering); the code id
        // stays the hash of the bytes the operator registered.
        var metered = ContractMetering.Instrument(bytes, source);
        var context = new ContractLoadContext(assemblyName);
        Assembly assembly;
        try
        {
            using var stream = new MemoryStream(metered, writable: false);
            assembly = context.LoadFromStream(stream);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // BadImageFormat, FileLoad, Security (a corrupted public key), ...: the runtime's loader
            // reads bytes the metadata reader accepted; whatever it refuses them with is this error.
            throw new ContractLoadException(ContractLoadError.BadImage, $"{source}: the runtime refused the assembly: {e.Message}", e);
        }

        ConstructorInfo constructor;
        try
        {
            constructor = FindConstructor(assembly, assemblyName, typeName, source);
        }
        catch (Exception e) when (e is not (ContractLoadException or OutOfMemoryException))
        {
            // Metadata that passed the reader's checks but that the runtime's type loader refuses.
            throw new ContractLoadException(ContractLoadError.BadImage, $"{source}: type {typeName} cannot be loaded: {e.Message}", e);
        }
        return new ContractCode(typeName, hash, () => (IContract)constructor.Invoke(BindingFlags.DoNotWrapExceptions, binder: null, parameters: null, culture: null));
    }

    private static ConstructorInfo FindConstructor(Assembly assembly, string assemblyName, string typeName, string source)
    {
        var type = assembly.GetType(typeName, throwOnError: false)
            ?? throw new ContractLoadException(ContractLoadError.TypeNotFound, $"{source}: assembly {assemblyName} has no type {typeName}");
        if (!type.IsClass || type.IsAbstract || type.ContainsGenericParameters || !typeof(IContract).IsAssignableFrom(type))
        {
            throw new ContractLoadException(ContractLoadError.NotAContract, $"{source}: {typeName} is not a concrete class implementing {typeof(IContract).FullName}");
        }
        return type.GetConstructor(Type.EmptyTypes)
            ?? throw new ContractLoadException(ContractLoadError.NoParameterlessConstructor, $"{source}: {typeName} has no public parameterless constructor");
    }

    /// <summary>Reads the metadata without loading anything and enforces the reference rules; returns the assembly's simple name.</summary>
    private static string Inspect(byte[] bytes, string source, bool enforceApiRules)
    {
        try
        {
            using var pe = new PEReader(new MemoryStream(bytes, writable: false));
            if (!pe.HasMetadata)
            {
                throw new ContractLoadException(ContractLoadError.BadImage, $"{source}: not a .NET assembly (no metadata)");
            }
            var reader = pe.GetMetadataReader();
            if (!reader.IsAssembly)
            {
                throw new ContractLoadException(ContractLoadError.BadImage, $"{source}: a module without an assembly manifest");
            }
            var name = reader.GetString(reader.GetAssemblyDefinition().Name);
            if (string.Equals(name, SdkName, StringComparison.OrdinalIgnoreCase) || FrameworkFile(name) is not null)
            {
                throw new ContractLoadException(ContractLoadError.ReservedName, $"{source}: a contract assembly may not be named '{name}' (a framework or SDK assembly name)");
            }
            foreach (var handle in reader.AssemblyReferences)
            {
                var definition = reader.GetAssemblyReference(handle);
                var reference = reader.GetString(definition.Name);
                if (!string.Equals(reference, SdkName, StringComparison.Ordinal) && !IsFramework(reference, definition.GetAssemblyName().GetPublicKeyToken()))
                {
                    throw new ContractLoadException(ContractLoadError.ForbiddenReference,
                        $"{source}: assembly {name} references '{reference}'; a contract may reference only the .NET framework and {SdkName} (the code id covers the contract assembly alone)");
                }
            }
            foreach (var handle in reader.AssemblyFiles)
            {
                var file = reader.GetString(reader.GetAssemblyFile(handle).Name);
                throw new ContractLoadException(ContractLoadError.ForbiddenReference, $"{source}: assembly {name} has another file '{file}'; a contract is one file");
            }
            if (reader.GetTableRowCount(TableIndex.ModuleRef) > 0)
            {
                var module = reader.GetString(reader.GetModuleReference(MetadataTokens.ModuleReferenceHandle(1)).Name);
                throw new ContractLoadException(ContractLoadError.ForbiddenReference, $"{source}: assembly {name} imports native module '{module}'; contracts may not call native code");
            }
            if (enforceApiRules)
            {
                ContractApiRules.Check(reader, name, source);
            }
            return name;
        }
        catch (Exception e) when (e is not (ContractLoadException or OutOfMemoryException))
        {
            // System.Reflection.Metadata documents BadImageFormatException but also raises others on
            // corrupted images (OverflowException and SecurityException were seen in
            // ContractLoaderTests' mutations): any of them means a bad image.
            throw new ContractLoadException(ContractLoadError.BadImage, $"{source}: not a readable .NET assembly: {e.Message}", e);
        }
    }

    /// <summary>
    /// A shared-framework assembly: a file of that simple name in the runtime directory whose
    /// public key token the reference carries. The token matters where the runtime directory is
    /// also the application's (a self-contained publish puts the node's own, unsigned, assemblies
    /// next to the framework's).
    /// </summary>
    private static bool IsFramework(string name, byte[]? publicKeyToken)
    {
        var path = FrameworkFile(name);
        if (path is null || publicKeyToken is not { Length: 8 })
        {
            return false;
        }
        var frameworkToken = FrameworkTokens.GetOrAdd(path, static file =>
        {
            try
            {
                return AssemblyName.GetAssemblyName(file).GetPublicKeyToken() ?? [];
            }
            catch (Exception e) when (e is BadImageFormatException or IOException or ArgumentException or System.Security.SecurityException)
            {
                return [];
            }
        });
        return frameworkToken.Length == 8 && frameworkToken.AsSpan().SequenceEqual(publicKeyToken);
    }

    /// <summary>The runtime directory's file for a plain simple name, or null.</summary>
    private static string? FrameworkFile(string name)
    {
        if (name.Length is 0 or > 200 || name is "." or ".."
            || name.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.AsSpan().IndexOfAny('/', '\\') >= 0)
        {
            return null;
        }
        var path = Path.Combine(RuntimeDirectory, name + ".dll");
        return File.Exists(path) ? path : null;
    }

    /// <summary>
    /// One per registered code: the contract assembly lives here alone; the SDK resolves to the
    /// host's copy, framework names fall through to the default context, anything else fails.
    /// </summary>
    private sealed class ContractLoadContext(string contractName) : AssemblyLoadContext($"contract:{contractName}", isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var name = assemblyName.Name ?? "";
            if (string.Equals(name, SdkName, StringComparison.Ordinal))
            {
                return SdkAssembly;
            }
            if (IsFramework(name, assemblyName.GetPublicKeyToken()))
            {
                return null;
            }
            throw new FileNotFoundException($"a contract may load only the framework (by its full name) and {SdkName}, not '{assemblyName.FullName}'", name);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            throw new DllNotFoundException($"a contract may not load native library '{unmanagedDllName}'");
    }
}
