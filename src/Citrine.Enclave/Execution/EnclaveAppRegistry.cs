namespace Citrine.Enclave.Execution;

/// <summary>
/// The apps an enclave process can run, by name: the composition root (the CLI) fills it, and
/// <c>citrine enclave start --app NAME</c> picks one. The enclave library itself knows no app.
/// </summary>
public sealed class EnclaveAppRegistry
{
    private readonly SortedDictionary<string, Func<IEnclaveApp>> _factories = new(StringComparer.Ordinal);

    /// <summary>The registered names, in ordinal order.</summary>
    public IReadOnlyCollection<string> Names => _factories.Keys;

    /// <summary>Registers <paramref name="factory"/> under <paramref name="name"/>; returns this registry.</summary>
    /// <exception cref="ArgumentException">the name is empty or already registered.</exception>
    public EnclaveAppRegistry Add(string name, Func<IEnclaveApp> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_factories.TryAdd(name, factory))
        {
            throw new ArgumentException($"an app named '{name}' is already registered", nameof(name));
        }
        return this;
    }

    /// <summary>A new instance of the app named <paramref name="name"/>; false when none is registered under it.</summary>
    public bool TryCreate(string name, out IEnclaveApp? app)
    {
        app = _factories.TryGetValue(name, out var factory) ? factory() : null;
        return app is not null;
    }
}
