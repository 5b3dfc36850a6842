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

    /// <summary>The contract references a library contracts may use (<see cref="ContractLoader.LibraryNames"/>) whose bytes genesis does not pin for it.</summary>
    UnpinnedLibrary,
}

/// <summary>A library pinned in genesis for a contract: its file and the SHA-256 its bytes must have.</summary>
public sealed record ContractLibraryFile(string Path, byte[] Sha256);

/// <summary>A library's bytes with the SHA-256 genesis pins; <see cref="Source"/> only names the origin in errors.</summary>
public sealed record ContractLibraryImage(byte[] Bytes, byte[] ExpectedSha256, string Source);

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
/// The code id must cover every byte that runs, so a contract may reference only the shared
/// framework (<c>Microsoft.NETCore.App</c>, resolved from the runtime directory), the contract SDK
/// assembly (the one holding <see cref="IContract"/>, resolved to the host's own copy so that the
/// interface has one type identity) and the libraries of <see cref="LibraryNames"/> (the session
/// core) — those only from bytes genesis pins by SHA-256, which are inspected, held to the same
/// API rules and metered exactly like the contract, loaded into the contract's own load context,
/// and covered by its code id (<see cref="CodeHash"/>). Anything else — another library, an
/// unpinned library, the node's own assemblies, a P/Invoke module, a multi-file assembly — is
/// refused at registration, naming the reference.
/// </remarks>
public static class ContractLoader
{
    private static readonly Assembly SdkAssembly = typeof(IContract).Assembly;
    private static readonly string SdkName = SdkAssembly.GetName().Name!;
    private static readonly string RuntimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
    private static readonly ConcurrentDictionary<string, byte[]> FrameworkTokens = new(StringComparer.Ordinal);

    /// <summary>
    /// The libraries a contract may reference besides the framework and the SDK, each only from
    /// bytes genesis pins: <c>Citrine.Contracts</c>, the session core app contracts embed.
    /// </summary>
    public static IReadOnlyList<string> LibraryNames { get; } = ["Citrine.Contracts"];

    /// <summary>Reads the file once, then <see cref="Load(string, byte[], ReadOnlySpan{byte}, string)"/>.</summary>
    public static ContractCode LoadFile(string typeName, string path, ReadOnlySpan<byte> expectedSha256) =>
        LoadFile(typeName, path, expectedSha256, []);

    /// <summary>Reads the contract file and each pinned library file once, then <see cref="Load(string, byte[], ReadOnlySpan{byte}, string, IReadOnlyList{ContractLibraryImage})"/>.</summary>
    public static ContractCode LoadFile(string typeName, string path, ReadOnlySpan<byte> expectedSha256, IReadOnlyList<ContractLibraryFile> libraries)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(libraries);
        var bytes = ReadFile(path, "contract assembly");
        var images = libraries.Select(l => new ContractLibraryImage(ReadFile(l.Path, "library"), l.Sha256, l.Path)).ToList();
        return Load(typeName, bytes, expectedSha256, path, images);
    }

    /// <summary>
    /// Checks <paramref name="assemblyBytes"/> against <paramref name="expectedSha256"/> and the
    /// reference rules, loads them into a fresh load context and returns the code for
    /// <paramref name="typeName"/>. <paramref name="source"/> only names the origin in errors.
    /// </summary>
    public static ContractCode Load(string typeName, byte[] assemblyBytes, ReadOnlySpan<byte> expectedSha256, string source) =>
        Load(typeName, assemblyBytes, expectedSha256, source, [], enforceApiRules: true);

    /// <summary>As <see cref="Load(string, byte[], ReadOnlySpan{byte}, string)"/>, with the libraries genesis pins for this contract.</summary>
    public static ContractCode Load(string typeName, byte[] assemblyBytes, ReadOnlySpan<byte> expectedSha256, string source, IReadOnlyList<ContractLibraryImage> libraries) =>
        Load(typeName, assemblyBytes, expectedSha256, source, libraries, enforceApiRules: true);

    /// <summary>As <see cref="Load(string, byte[], ReadOnlySpan{byte}, string)"/>; tests switch the API rules off to reach the run-time defences behind them.</summary>
    internal static ContractCode Load(string typeName, byte[] assemblyBytes, ReadOnlySpan<byte> expectedSha256, string source, bool enforceApiRules) =>
        Load(typeName, assemblyBytes, expectedSha256, source, [], enforceApiRules);

    /// <summary>
    /// The names of <see cref="LibraryNames"/> that <paramref name="assemblyBytes"/> references, so
    /// tooling knows which libraries genesis must pin for it; empty for bytes that are not a
    /// readable assembly (registration reports those).
    /// </summary>
    public static IReadOnlyList<string> ReferencedLibraries(byte[] assemblyBytes)
    {
        ArgumentNullException.ThrowIfNull(assemblyBytes);
        try
        {
            using var pe = new PEReader(new MemoryStream(assemblyBytes, writable: false));
            if (!pe.HasMetadata)
            {
                return [];
            }
            var reader = pe.GetMetadataReader();
            return [.. reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name))
                .Where(name => LibraryNames.Contains(name, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or OverflowException or ArgumentException)
        {
            return [];
        }
    }

    /// <summary>
    /// The hash a code id names: the contract's SHA-256 alone when it has no libraries (so a
    /// library-free contract's id is its file hash), otherwise
    /// SHA-256("citrine/code/v1" ‖ contract SHA-256 ‖ for each library in ordinal name order:
    /// u32be name length ‖ UTF-8 name ‖ library SHA-256), so two nodes running different bytes of
    /// a library cannot share a code id.
    /// </summary>
    public static byte[] CodeHash(ReadOnlySpan<byte> contractSha256, IReadOnlyList<(string Name, byte[] Sha256)> libraries)
    {
        ArgumentNullException.ThrowIfNull(libraries);
        if (libraries.Count == 0)
        {
            return contractSha256.ToArray();
        }
        var preimage = new List<byte>();
        preimage.AddRange("citrine/code/v1"u8.ToArray());
        preimage.AddRange(contractSha256.ToArray());
        foreach (var (name, sha) in libraries.OrderBy(l => l.Name, StringComparer.Ordinal))
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(name);
            var length = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(length, (uint)utf8.Length);
            preimage.AddRange(length);
            preimage.AddRange(utf8);
            preimage.AddRange(sha);
        }
        return Hashing.Sha256(preimage.ToArray());
    }

    private static ContractCode Load(string typeName, byte[] assemblyBytes, ReadOnlySpan<byte> expectedSha256, string source,
        IReadOnlyList<ContractLibraryImage> libraries, bool enforceApiRules)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeName);
        ArgumentNullException.ThrowIfNull(assemblyBytes);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(libraries);

        // The libraries first, each exactly as the contract: pinned hash, reference and API rules, metering.
        var pinned = new Dictionary<string, (byte[] Metered, byte[] Sha256)>(StringComparer.Ordinal);
        foreach (var library in libraries)
        {
            ArgumentNullException.ThrowIfNull(library);
            var libraryBytes = (byte[])library.Bytes.Clone();
            var libraryHash = CheckHash(libraryBytes, library.ExpectedSha256, library.Source, "the library hash genesis pins");
            var libraryName = Inspect(libraryBytes, library.Source, enforceApiRules, allowedLibraries: [], isLibrary: true);
            if (pinned.ContainsKey(libraryName))
            {
                throw new ContractLoadException(ContractLoadError.ForbiddenReference, $"{library.Source}: library {libraryName} is pinned twice for one contract");
            }
            pinned.Add(libraryName, (ContractMetering.Instrument(libraryBytes, library.Source), libraryHash));
        }

        // One private copy: the caller cannot change the bytes between the hash and the load.
        var bytes = (byte[])assemblyBytes.Clone();
        var hash = CheckHash(bytes, expectedSha256, source, "the genesis code id");

        var assemblyName = Inspect(bytes, source, enforceApiRules, [.. pinned.Keys], isLibrary: false);
        // What runs is the verified bytes with metering written in (ContractMetering); the code id
        // stays the hash of the bytes the operator registered.
        var metered = ContractMetering.Instrument(bytes, source);
        var context = new ContractLoadContext(assemblyName);
        Assembly assembly;
        try
        {
            foreach (var (name, library) in pinned)
            {
                using var libraryStream = new MemoryStream(library.Metered, writable: false);
                context.AddLibrary(name, context.LoadFromStream(libraryStream));
            }
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
        return new ContractCode(typeName, hash, () => (IContract)constructor.Invoke(BindingFlags.DoNotWrapExceptions, binder: null, parameters: null, culture: null))
        {
            CodeHash = CodeHash(hash, [.. pinned.Select(p => (p.Key, p.Value.Sha256))]),
        };
    }

    private static byte[] ReadFile(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ContractLoadException(ContractLoadError.Unreadable, $"{path}: cannot read the {what}: {e.Message}", e);
        }
    }

    private static byte[] CheckHash(byte[] bytes, ReadOnlySpan<byte> expectedSha256, string source, string what)
    {
        var hash = Hashing.Sha256(bytes);
        if (expectedSha256.Length != hash.Length || !hash.AsSpan().SequenceEqual(expectedSha256))
        {
            throw new ContractLoadException(ContractLoadError.HashMismatch,
                $"{source}: SHA-256 {Convert.ToHexStringLower(hash)} differs from {what} {Convert.ToHexStringLower(expectedSha256)}");
        }
        return hash;
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

    /// <summary>
    /// Reads the metadata without loading anything and enforces the reference rules; returns the
    /// assembly's simple name. A contract may also reference <paramref name="allowedLibraries"/>
    /// (those pinned for it); a library must bear one of <see cref="LibraryNames"/> and references
    /// only the framework and the SDK.
    /// </summary>
    private static string Inspect(byte[] bytes, string source, bool enforceApiRules, IReadOnlyList<string> allowedLibraries, bool isLibrary)
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
            var isLibraryName = LibraryNames.Contains(name, StringComparer.OrdinalIgnoreCase);
            if (isLibrary != isLibraryName)
            {
                throw isLibrary
                    ? new ContractLoadException(ContractLoadError.ForbiddenReference,
                        $"{source}: '{name}' is not a library contracts may reference (only {string.Join(", ", LibraryNames)})")
                    : new ContractLoadException(ContractLoadError.ReservedName,
                        $"{source}: a contract assembly may not be named '{name}' (a library name: genesis pins that library's bytes)");
            }
            foreach (var handle in reader.AssemblyReferences)
            {
                var definition = reader.GetAssemblyReference(handle);
                var reference = reader.GetString(definition.Name);
                if (string.Equals(reference, SdkName, StringComparison.Ordinal) || IsFramework(reference, definition.GetAssemblyName().GetPublicKeyToken())
                    || allowedLibraries.Contains(reference, StringComparer.Ordinal))
                {
                    continue;
                }
                if (!isLibrary && LibraryNames.Contains(reference, StringComparer.Ordinal))
                {
                    throw new ContractLoadException(ContractLoadError.UnpinnedLibrary,
                        $"{source}: assembly {name} references '{reference}', whose bytes genesis does not pin for this contract (\"libraries\" of its genesis entry)");
                }
                throw new ContractLoadException(ContractLoadError.ForbiddenReference,
                    $"{source}: assembly {name} references '{reference}'; a {(isLibrary ? "library" : "contract")} may reference only the .NET framework, {SdkName}"
                    + (isLibrary ? "" : $" and the libraries genesis pins ({string.Join(", ", LibraryNames)})") + " (the code id covers only those bytes)");
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
    /// One per registered code: the contract assembly and its pinned libraries live here alone; the
    /// SDK resolves to the host's copy, framework names fall through to the default context, a
    /// pinned library to the copy loaded from its pinned bytes, anything else fails.
    /// </summary>
    private sealed class ContractLoadContext(string contractName) : AssemblyLoadContext($"contract:{contractName}", isCollectible: false)
    {
        private readonly Dictionary<string, Assembly> _libraries = new(StringComparer.Ordinal);

        public void AddLibrary(string name, Assembly assembly) => _libraries.Add(name, assembly);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var name = assemblyName.Name ?? "";
            if (string.Equals(name, SdkName, StringComparison.Ordinal))
            {
                return SdkAssembly;
            }
            if (_libraries.TryGetValue(name, out var library))
            {
                return library;
            }
            if (IsFramework(name, assemblyName.GetPublicKeyToken()))
            {
                return null;
            }
            throw new FileNotFoundException($"a contract may load only the framework (by its full name), {SdkName} and its pinned libraries, not '{assemblyName.FullName}'", name);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            throw new DllNotFoundException($"a contract may not load native library '{unmanagedDllName}'");
    }
}
