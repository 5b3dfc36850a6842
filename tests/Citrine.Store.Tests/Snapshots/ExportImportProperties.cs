using Citrine.Store.Multistore;
using Citrine.Store.Storage;
using FsCheck.Xunit;
using static Citrine.Store.Tests.Snapshots.SnapshotHistories;

namespace Citrine.Store.Tests.Snapshots;

/// <summary>Export then import is the identity on every random history, at every kept version.</summary>
public sealed class ExportImportProperties
{
    [Property(MaxTest = 25)]
    public void Export_then_import_reproduces_any_history_at_any_version(ulong seed, byte versions, byte pick)
    {
        var count = 1 + (versions % 12);
        using var source = Build(new MemoryKeyValueDb(), seed, count);
        var version = 1 + (pick % count);
        using var target = new MultiStore(new MemoryKeyValueDb(), Names);
        ExportImportTests.AssertRoundTrip(source, target, version);
    }
}
