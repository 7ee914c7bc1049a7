using System.Globalization;

namespace CrowdLabel.Core.Projects;

/// <summary>
/// The keyboard shortcuts of a project's labels, one definition for the workbench and the qualification test: a label's
/// configured key, or else the next of the digits 1 to 9 that no configured key takes, so that no two labels share a key
/// and none is out of reach (labels past the free digits have no key). Keys match in any case: the pages' scripts
/// compare them lowercased, and the project's rules refuse two keys that differ only in case.
/// </summary>
public static class LabelKeys
{
    /// <summary>The workbench's key for skipping the task (workbench.js reads it from the Skip button).</summary>
    public const string Skip = "0";

    /// <summary>The keys the workbench keeps for itself, with what each does there; no label may be given one.</summary>
    public static readonly IReadOnlyDictionary<string, string> Reserved =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [Skip] = "skips the task" };

    /// <summary>Each label's key, in the labels' order: its configured key, or a free digit from 1 to 9, or none.</summary>
    public static IReadOnlyList<string?> Assign(IEnumerable<string?> configured)
    {
        // A reserved key stored before the rules refused it counts as none: the workbench's own use of it would win.
        var keys = configured.Select(k => string.IsNullOrWhiteSpace(k) || Reserved.ContainsKey(k.Trim()) ? null : k.Trim()).ToList();
        var taken = keys.OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var free = new Queue<string>(Enumerable.Range(1, 9).Select(d => d.ToString(CultureInfo.InvariantCulture)).Where(d => !taken.Contains(d)));
        return [.. keys.Select(k => k ?? (free.TryDequeue(out var digit) ? digit : null))];
    }
}
