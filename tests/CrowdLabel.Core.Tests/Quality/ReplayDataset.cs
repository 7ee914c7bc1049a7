using System.Globalization;
using CrowdLabel.Consensus;

namespace CrowdLabel.Core.Tests.Quality;

/// <summary>One answer of a dataset: the worker's label for the item.</summary>
internal sealed record DatasetAnswer(string Item, string Worker, string Label);

/// <summary>A dataset of tests/data: answers.csv (item,worker,label) and truth.csv (item,label), simple CSV without quotes.</summary>
/// <remarks>Items and workers are in the order of their first answer; labels in number order, then text order.</remarks>
internal sealed record ReplayDataset(
    string Name, List<DatasetAnswer> Answers, Dictionary<string, string> Truth, List<string> Items, List<string> Workers, List<string> Labels)
{
    public static string DataFolder => Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>The most answers any item has: the max redundancy a replay of the dataset can use.</summary>
    public int MaxAnswers => Answers.GroupBy(a => a.Item, StringComparer.Ordinal).Max(g => g.Count());

    public static ReplayDataset Load(string name)
    {
        var folder = Path.Combine(DataFolder, name);
        var answers = Rows(Path.Combine(folder, "answers.csv")).Select(r => new DatasetAnswer(r[0], r[1], r[2])).ToList();
        var truth = Rows(Path.Combine(folder, "truth.csv")).ToDictionary(r => r[0], r => r[1], StringComparer.Ordinal);
        var labels = answers.Select(a => a.Label).Concat(truth.Values).Distinct(StringComparer.Ordinal)
            .OrderBy(l => int.TryParse(l, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue).ThenBy(l => l, StringComparer.Ordinal).ToList();
        return new ReplayDataset(name, answers, truth, [.. answers.Select(a => a.Item).Distinct(StringComparer.Ordinal)],
            [.. answers.Select(a => a.Worker).Distinct(StringComparer.Ordinal)], labels);
    }

    /// <summary>The consensus engine's own accuracy on the whole dataset (Dawid-Skene, default options).</summary>
    public double EngineAccuracy()
    {
        var builder = new AnswerSetBuilder(Labels);
        foreach (var answer in Answers)
        {
            builder.Add(answer.Item, answer.Worker, answer.Label);
        }

        var set = builder.Build();
        var result = DawidSkene.Fit(set);
        return Accuracy(item => set.IndexOfItem(item) is var i and >= 0 ? set.Labels[result.ItemLabels[i]] : null);
    }

    /// <summary>The share of the items with a known truth (and a label) whose label is right.</summary>
    public double Accuracy(Func<string, string?> labelOf)
    {
        var scored = Truth.Select(t => (Label: labelOf(t.Key), Truth: t.Value)).Where(t => t.Label is not null).ToList();
        return (double)scored.Count(t => t.Label == t.Truth) / scored.Count;
    }

    private static IEnumerable<string[]> Rows(string path) =>
        File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','));
}
