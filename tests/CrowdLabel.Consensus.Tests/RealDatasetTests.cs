using System.Globalization;
using CrowdLabel.Cli;
using Xunit.Abstractions;

namespace CrowdLabel.Consensus.Tests;

/// <summary>Accuracy against ground truth on the real crowdsourcing datasets in tests/data, compared with published reference figures.</summary>
public sealed class RealDatasetTests(ITestOutputHelper output)
{
    /// <summary>Allowed shortfall against a reference figure: half a percentage point.</summary>
    private const double Slack = 0.005;

    /// <summary>crowd-kit's accuracies (commit 35f0661, default parameters), from the datasets' README: MV, DS, one-coin DS.</summary>
    private static readonly Dictionary<string, (double MajorityVote, double DawidSkene, double OneCoin)> Reference = new()
    {
        ["product"] = (0.8966, 0.9397, 0.9084),
        ["dog"] = (0.8178, 0.8426, 0.8302),
        ["duck"] = (0.7593, 0.8889, 0.5833),
        ["rte"] = (0.9187, 0.9275, 0.9250),
        ["temp"] = (0.9329, 0.9416, 0.9394),
        ["relevance"] = (0.5370, 0.6137, 0.1944),
    };

    public static TheoryData<string> Datasets => [.. DatasetNames()];

    private static string DataFolder => Path.Combine(AppContext.BaseDirectory, "data");

    [Theory]
    [MemberData(nameof(Datasets))]
    public void DawidSkeneAndMajorityVote_OnARealDataset_ReachTheReferenceAccuracy(string dataset)
    {
        Assert.True(Reference.ContainsKey(dataset), $"tests/data/{dataset} has no reference figures in this test");
        Assert.True(File.Exists(Path.Combine(DataFolder, dataset, "SOURCE.md")), $"tests/data/{dataset} has no SOURCE.md");
        var (mvReference, dsReference, oneCoinReference) = Reference[dataset];
        var (answers, truth) = Load(dataset);

        var mv = Accuracy(answers, truth, MajorityVote.Fit(answers));
        var ds = Accuracy(answers, truth, DawidSkene.Fit(answers));
        var oneCoin = Accuracy(answers, truth, OneCoinDawidSkene.Fit(answers));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{dataset}: {answers.Count} answers, MV {mv:0.0000} (ref {mvReference}), DS {ds:0.0000} (ref {dsReference}), one-coin {oneCoin:0.0000} (ref {oneCoinReference})"));
        Assert.True(mv >= mvReference - Slack, $"MV {mv:0.0000} < reference {mvReference} - 0.5 point");
        Assert.True(ds >= dsReference - Slack, $"DS {ds:0.0000} < reference {dsReference} - 0.5 point");
    }

    [Fact]
    public void EveryReferenceDataset_IsInTestData()
    {
        Assert.Equal(Reference.Keys.Order(StringComparer.Ordinal), DatasetNames());
    }

    private static string[] DatasetNames() =>
        [.. Directory.GetDirectories(DataFolder).Select(folder => Path.GetFileName(folder)).Order(StringComparer.Ordinal)];

    internal static (AnswerSet Answers, Dictionary<string, string> Truth) Load(string dataset)
    {
        var folder = Path.Combine(DataFolder, dataset);
        var builder = new AnswerSetBuilder();
        CsvFiles.ReadAnswers(Path.Combine(folder, "answers.csv"), builder);
        var truth = CsvFiles.ReadItemLabels(Path.Combine(folder, "truth.csv")).ToDictionary(p => p.Item, p => p.Label, StringComparer.Ordinal);
        return (builder.Build(), truth);
    }

    /// <summary>Share of the items with a truth (and with answers) whose label is right.</summary>
    internal static double Accuracy(AnswerSet answers, Dictionary<string, string> truth, ConsensusResult result)
    {
        int scored = 0, right = 0;
        foreach (var (itemId, label) in truth)
        {
            var item = answers.IndexOfItem(itemId);
            if (item >= 0)
            {
                scored++;
                right += answers.Labels[result.ItemLabels[item]] == label ? 1 : 0;
            }
        }

        return (double)right / scored;
    }
}
