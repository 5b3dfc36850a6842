using System.CommandLine;

namespace Citrine.Cli.Commands;

/// <summary>Options shared by several command groups, so they read the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of text." };

    /// <summary>A required string option.</summary>
    public static Option<string> Required(string name, string description) =>
        new(name) { Description = description, Required = true };

    /// <summary>An optional string option.</summary>
    public static Option<string?> Optional(string name, string description) =>
        new(name) { Description = description };
}
