using System.Globalization;
using CrowdLabel.Consensus;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Quality;
using Xunit.Abstractions;

namespace CrowdLabel.Core.Tests.Quality;

/// <summary>
/// The replay of <see cref="ReplayTests"/> in memory, in seconds instead of minutes, on every dataset of tests/data: the
/// same crowd working in turns, the same claim order (fewest answers, then least confident, then row), and the site's own
/// consensus step (<see cref="ConsensusService.Fitted"/> and <see cref="ConsensusService.Apply"/>) on items held in memory.
/// Left out: leases (each claim is answered at once, as in the replay) and the QA sample, drawn in the run that settles
/// the last item, whose labels the last run does not change. On dog it gives the site replay's figures.
/// <para>
/// Skipped unless CROWDLABEL_REPLAY_LAB=1. CROWDLABEL_REPLAY_LAB_ORDERS=n also replays each dataset in n - 1 shuffled
/// orders (items and workers), to show how much a result owes to the one order the site replay uses.
/// CROWDLABEL_REPLAY_LAB_WEIGHTS=0.4,0.5 compares answer weights (<see cref="QualityOptions.AnswerWeight"/>);
/// CROWDLABEL_REPLAY_LAB_DATASETS=dog,rte picks datasets.
/// </para>
/// </summary>
public sealed class ReplayLabTests(ITestOutputHelper output)
{
    private const string Switch = "CROWDLABEL_REPLAY_LAB";

    private static readonly string[] Datasets = ["dog", "duck", "product", "relevance", "rte", "temp"];

    [ReplayLabFact]
    [Trait("Category", "ReplayLab")]
    public void Replay_EveryDataset_FixedRedundancyAgainstDynamicOverlap()
    {
        var orders = int.TryParse(Environment.GetEnvironmentVariable(Switch + "_ORDERS"), CultureInfo.InvariantCulture, out var n) ? n : 1;
        var weights = Environment.GetEnvironmentVariable(Switch + "_WEIGHTS")?.Split(',').Select(w => double.Parse(w, CultureInfo.InvariantCulture)).ToArray()
                      ?? [new QualityOptions().AnswerWeight];
        output.WriteLine("| dataset | answer weight | fixed: answers, accuracy | dynamic: answers (fewer), accuracy (delta) | disputed | rounds | over orders: fewer, delta mean (min), target met |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var name in Environment.GetEnvironmentVariable(Switch + "_DATASETS")?.Split(',') ?? Datasets)
        {
            var dataset = ReplayDataset.Load(name);
            var fixedRun = Replay(dataset, dataset.MaxAnswers, confidenceTarget: 0, answerWeight: 1);
            Assert.Equal(dataset.Answers.Count, fixedRun.Answers);
            Assert.Equal(dataset.EngineAccuracy(), fixedRun.Accuracy, 6);
            foreach (var weight in weights)
            {
                var runs = Enumerable.Range(0, orders)
                    .Select(seed => Replay(seed == 0 ? dataset : Shuffled(dataset, seed), 3, confidenceTarget: 0.95, weight)).ToList();
                var fewer = runs.Select(r => 1 - ((double)r.Answers / fixedRun.Answers)).ToList();
                var delta = runs.Select(r => (r.Accuracy - fixedRun.Accuracy) * 100).ToList();
                var met = runs.Count(r => r.Answers <= 0.75 * fixedRun.Answers && r.Accuracy >= fixedRun.Accuracy - 0.005);
                var site = runs[0];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {weight} | {fixedRun.Answers:N0}, {fixedRun.Accuracy:0.0000} | {site.Answers:N0} ({fewer[0] * 100:0.0}%), {site.Accuracy:0.0000} ({delta[0]:+0.00;-0.00}) | {site.Disputed} | {site.Rounds} | {fewer.Average() * 100:0.0}%, {delta.Average():+0.00;-0.00} ({delta.Min():+0.00;-0.00}), {met}/{orders} |"));
            }
        }
    }

    /// <summary>Replays the dataset: base redundancy equal to its max answers gives every answer; below, dynamic overlap decides.</summary>
    private static LabRun Replay(ReplayDataset dataset, int baseRedundancy, double confidenceTarget, double answerWeight)
    {
        var now = new DateTime(2026, 3, 2, 14, 0, 0, DateTimeKind.Utc);
        var project = new Project { BaseRedundancy = baseRedundancy, MaxRedundancy = dataset.MaxAnswers, ConfidenceTarget = confidenceTarget };
        var batch = new Batch { MaxRedundancy = dataset.MaxAnswers };
        var items = dataset.Items.Select((external, i) => new Item
        {
            Id = Guid.CreateVersion7(), RowNumber = i + 1, ExternalId = external, RedundancyTarget = baseRedundancy,
        }).ToList();
        var itemOf = items.ToDictionary(i => i.ExternalId!, StringComparer.Ordinal);
        // Each worker's items still to answer, and their answer to each.
        var workers = dataset.Workers.Select(_ => new List<Item>()).ToArray();
        var workerIndex = dataset.Workers.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i, StringComparer.Ordinal);
        var labelOf = new Dictionary<(Item, int), string>();
        foreach (var answer in dataset.Answers)
        {
            var (item, worker) = (itemOf[answer.Item], workerIndex[answer.Worker]);
            workers[worker].Add(item);
            labelOf[(item, worker)] = answer.Label;
        }

        var given = new List<(Item Item, int Worker)>();
        var everything = baseRedundancy == dataset.MaxAnswers;
        int rounds = 0, answered;
        ConsensusService.RunCounts run;
        do
        {
            rounds++;
            answered = 0;
            // In turns, every worker who still has work takes one task (all of theirs when every answer is wanted).
            var working = Enumerable.Range(0, workers.Length).ToList();
            while (working.Count > 0)
            {
                foreach (var worker in working.ToList())
                {
                    var took = 0;
                    while (took == 0 || everything)
                    {
                        if (Claim(workers[worker]) is not { } item)
                        {
                            working.Remove(worker);
                            break;
                        }

                        (item.Claimed, item.AnswerCount) = (item.Claimed + 1, item.AnswerCount + 1);
                        given.Add((item, worker));
                        (took, answered) = (took + 1, answered + 1);
                    }
                }
            }

            var builder = new AnswerSetBuilder(dataset.Labels);
            foreach (var (item, worker) in given)
            {
                builder.Add(item.Id.ToString("N"), dataset.Workers[worker], labelOf[(item, worker)]);
            }

            var set = builder.Build();
            var fitted = ConsensusService.Fitted.Of(set, KnownTruths.None(set), answerWeight);
            run = new ConsensusService.RunCounts();
            foreach (var item in items.Where(i => i.AnswerCount > 0))
            {
                ConsensusService.Apply(item, fitted, (item.AnswerCount, item.AnswerCount), batch, project, now, run);
            }

            if (items.All(i => i.Status != ItemStatus.Open))
            {
                batch.QaSampledAt ??= now;
            }
        }
        while (answered > 0 || run.Extended > 0);

        return new LabRun(given.Count, dataset.Accuracy(external => itemOf.GetValueOrDefault(external)?.ConsensusLabel),
            items.Count(i => i.Status == ItemStatus.Disputed), rounds);
    }

    /// <summary>The claim's choice among a worker's items: open with a free slot, fewest answers, least confident (none first), first row.</summary>
    private static Item? Claim(List<Item> pending)
    {
        var best = -1;
        for (var p = 0; p < pending.Count; p++)
        {
            var item = pending[p];
            if (item.Status == ItemStatus.Open && item.Claimed < item.RedundancyTarget && (best < 0 || Before(item, pending[best])))
            {
                best = p;
            }
        }

        if (best < 0)
        {
            return null;
        }

        var chosen = pending[best];
        (pending[best], pending[^1]) = (pending[^1], pending[best]);
        pending.RemoveAt(pending.Count - 1);
        return chosen;
    }

    private static bool Before(Item a, Item b) =>
        a.AnswerCount != b.AnswerCount ? a.AnswerCount < b.AnswerCount
        : a.Confidence != b.Confidence ? a.Confidence is null || (b.Confidence is not null && a.Confidence < b.Confidence)
        : a.RowNumber < b.RowNumber;

    /// <summary>The same answers with items (rows) and workers (turns) in another order.</summary>
    private static ReplayDataset Shuffled(ReplayDataset dataset, int seed)
    {
        var random = new Random(seed);
        var items = dataset.Items.ToArray();
        var workers = dataset.Workers.ToArray();
        random.Shuffle(items);
        random.Shuffle(workers);
        return dataset with { Items = [.. items], Workers = [.. workers] };
    }

    private sealed record LabRun(int Answers, double Accuracy, int Disputed, int Rounds);

    /// <summary>A fact that runs only when CROWDLABEL_REPLAY_LAB=1: it measures, it guards nothing a quick run needs.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    private sealed class ReplayLabFactAttribute : FactAttribute
    {
        public ReplayLabFactAttribute()
        {
            if (Environment.GetEnvironmentVariable(Switch) != "1")
            {
                Skip = $"A measurement, not a check: set {Switch}=1 to run it (docs/benchmarks.md).";
            }
        }
    }
}
