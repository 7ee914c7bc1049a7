using System.Globalization;
using CrowdLabel.Consensus;
using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Quality;
using CrowdLabel.Core.Work;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace CrowdLabel.Core.Tests.Quality;

/// <summary>
/// Replays a real crowdsourcing dataset (tests/data) through the running application on SQLite: one registered worker
/// per worker of the dataset, each claiming tasks with <see cref="AssignmentService.ClaimAsync"/> and answering with
/// <see cref="AssignmentService.SubmitAsync"/> exactly what they answered in the dataset, and the consensus job's service
/// deciding items between rounds.
/// <para>
/// A worker can only give the answers the data holds from them. Every item a worker never answered in the data is
/// recorded as given back (a Skipped assignment) before the replay starts, which is what the worker skipping it at first
/// sight would have left behind, without 80,000 claim-and-skip round trips: the claim never offers an item a worker had,
/// so each claim hands out an item the worker has an answer for.
/// </para>
/// </summary>
public sealed class ReplayTests(ITestOutputHelper output)
{
    private static string DataFolder => Path.Combine(AppContext.BaseDirectory, "data");

    // About 8 minutes on the 2-core machine: `--filter Category!=Replay` leaves it out of a quick run.
    [Fact]
    [Trait("Category", "Replay")]
    public async Task Replay_Dog_FixedRedundancyMatchesTheEngine_DynamicOverlapSavesAnswers()
    {
        var dataset = Dataset.Load(Path.Combine(DataFolder, "dog"));
        var engine = dataset.EngineAccuracy();

        var fixedRun = await ReplayAsync(dataset, baseRedundancy: dataset.MaxAnswers, confidenceTarget: 0);
        var dynamicRun = await ReplayAsync(dataset, baseRedundancy: 3, confidenceTarget: 0.95);

        var saved = 1 - ((double)dynamicRun.Answers / fixedRun.Answers);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dog: engine DS {engine:0.0000}; fixed {fixedRun.Answers} answers, accuracy {fixedRun.Accuracy:0.0000}; dynamic (base 3, max {dataset.MaxAnswers}, target 0.95) {dynamicRun.Answers} answers ({saved * 100:0.0}% fewer), accuracy {dynamicRun.Accuracy:0.0000} ({(dynamicRun.Accuracy - fixedRun.Accuracy) * 100:+0.00;-0.00} points), {dynamicRun.Disputed} disputed, {dynamicRun.Rounds} rounds"));
        Assert.Equal(dataset.Answers.Count, fixedRun.Answers);
        Assert.Equal(engine, fixedRun.Accuracy, 6);
        Assert.True(dynamicRun.Answers < fixedRun.Answers);
    }

    private async Task<ReplayResult> ReplayAsync(Dataset dataset, int baseRedundancy, double confidenceTarget)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database, new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero)),
            WorkScenario.CheapPasswordHashes);
        var tenant = await Scenario.CreateTenantAsync(services, "replay");
        var workerIds = await WorkScenario.CreateWorkersAsync(services, dataset.Workers.Count, "crowd");
        var workerOf = dataset.Workers.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => workerIds[p.i], StringComparer.Ordinal);
        var batchId = await CreateBatchAsync(services, tenant, dataset, baseRedundancy, confidenceTarget, workerOf);

        // Each worker's answers by item, and the item each task shows (its external id is the dataset's item id).
        var answerOf = dataset.Answers.ToLookup(a => a.Worker, StringComparer.Ordinal)
            .ToDictionary(g => workerOf[g.Key], g => g.ToDictionary(a => a.Item, a => a.Label, StringComparer.Ordinal));
        int rounds = 0, answered;
        ConsensusRun run;
        do
        {
            rounds++;
            answered = 0;
            // The crowd works side by side: in turns, every worker who still has work takes one task, until nobody has any.
            // (With fixed redundancy the order cannot matter, every answer is given: each worker works through theirs at once.)
            var working = workerIds.ToList();
            while (working.Count > 0)
            {
                foreach (var workerId in working.ToList())
                {
                    var took = 0;
                    while (took == 0 || baseRedundancy == dataset.MaxAnswers)
                    {
                        if (await WorkScenario.ClaimAsync(services, batchId, workerId) is not { Succeeded: true, Value.Task: { } task })
                        {
                            working.Remove(workerId);
                            break;
                        }

                        var label = answerOf[workerId][task.Item["item"]];
                        var receipt = await WorkScenario.AnswerAsync(services, task.AssignmentId, workerId, label);
                        Assert.True(receipt.Succeeded, string.Join("; ", receipt.Errors.SelectMany(e => e.Value)));
                        (took, answered) = (took + 1, answered + 1);
                    }
                }
            }

            await using var scope = Scenario.TenantScope(services, tenant.TenantId);
            run = (await scope.ServiceProvider.GetRequiredService<ConsensusService>().RunBatchAsync(batchId)).Value!;
        }
        while (answered > 0 || run.Extended > 0);

        var (items, assignments) = await WorkScenario.SnapshotAsync(services, tenant.TenantId, batchId);
        var scored = items.Where(i => dataset.Truth.ContainsKey(i.ExternalId!)).ToList();
        return new ReplayResult(
            assignments.Count(a => a.Label != null),
            (double)scored.Count(i => i.ConsensusLabel == dataset.Truth[i.ExternalId!]) / scored.Count,
            items.Count(i => i.Status == ItemStatus.Disputed),
            rounds);
    }

    /// <summary>A published batch of the dataset's items (no gold) under a project with the dataset's labels, and the skips described above.</summary>
    private static async Task<Guid> CreateBatchAsync(
        IServiceProvider services, TenantFixture tenant, Dataset dataset, int baseRedundancy, double confidenceTarget, Dictionary<string, Guid> workerOf)
    {
        Guid batchId;
        await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
            var project = await db.Projects.Include(p => p.Labels).SingleAsync(p => p.Id == tenant.ProjectId);
            db.ProjectLabels.RemoveRange(project.Labels);
            foreach (var (label, ordinal) in dataset.Labels.Select((l, i) => (l, i)))
            {
                db.ProjectLabels.Add(new ProjectLabel
                {
                    Id = Guid.CreateVersion7(), TenantId = tenant.TenantId, ProjectId = project.Id, ProjectVersion = project.Version, Ordinal = ordinal, Name = label,
                });
            }

            (project.BaseRedundancy, project.MaxRedundancy, project.ConfidenceTarget, project.GoldRatio, project.PricePerAssignmentMinor) =
                (baseRedundancy, dataset.MaxAnswers, confidenceTarget, 0, 1);
            project.ItemTemplate = "{{item}}";
            var batch = new Batch
            {
                Id = Guid.CreateVersion7(), TenantId = tenant.TenantId, ProjectId = project.Id, ProjectVersion = project.Version, Name = "Replay",
                ItemCount = dataset.Items.Count, CreatedAt = DateTime.UtcNow,
            };
            db.Batches.Add(batch);
            var itemIds = new Dictionary<string, Guid>(StringComparer.Ordinal);
            foreach (var (external, row) in dataset.Items.Select((item, i) => (item, i + 1)))
            {
                var item = new Item
                {
                    Id = Guid.CreateVersion7(), TenantId = tenant.TenantId, BatchId = batch.Id, RowNumber = row, ExternalId = external,
                    Data = $$"""{"item":"{{external}}"}""", RedundancyTarget = baseRedundancy,
                };
                itemIds[external] = item.Id;
                db.Items.Add(item);
            }

            var answered = dataset.Answers.Select(a => (a.Item, a.Worker)).ToHashSet();
            var now = DateTime.UtcNow;
            foreach (var worker in dataset.Workers)
            {
                foreach (var item in dataset.Items.Where(i => !answered.Contains((i, worker))))
                {
                    db.Assignments.Add(new Assignment
                    {
                        Id = Guid.CreateVersion7(), TenantId = tenant.TenantId, BatchId = batch.Id, ItemId = itemIds[item], WorkerId = workerOf[worker],
                        ProjectVersion = project.Version, Status = AssignmentStatus.Skipped, LeasedAt = now, LeaseExpiresAt = now,
                    });
                }
            }

            await db.SaveChangesAsync();
            batchId = batch.Id;
        }

        await LedgerScenario.CreditAsync(services, tenant.TenantId, 10_000_000);
        await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
        {
            var published = await scope.ServiceProvider.GetRequiredService<BatchLifecycleService>().PublishAsync(batchId, tenant.OwnerId);
            Assert.True(published.Succeeded, string.Join("; ", published.Errors.SelectMany(e => e.Value)));
        }

        return batchId;
    }

    private sealed record ReplayResult(int Answers, double Accuracy, int Disputed, int Rounds);

    private sealed record DatasetAnswer(string Item, string Worker, string Label);

    /// <summary>A dataset of tests/data: answers.csv (item,worker,label) and truth.csv (item,label), simple CSV without quotes.</summary>
    private sealed record Dataset(List<DatasetAnswer> Answers, Dictionary<string, string> Truth, List<string> Items, List<string> Workers, List<string> Labels)
    {
        public int MaxAnswers => Answers.GroupBy(a => a.Item, StringComparer.Ordinal).Max(g => g.Count());

        public static Dataset Load(string folder)
        {
            var answers = Rows(Path.Combine(folder, "answers.csv")).Select(r => new DatasetAnswer(r[0], r[1], r[2])).ToList();
            var truth = Rows(Path.Combine(folder, "truth.csv")).ToDictionary(r => r[0], r => r[1], StringComparer.Ordinal);
            var labels = answers.Select(a => a.Label).Concat(truth.Values).Distinct(StringComparer.Ordinal)
                .OrderBy(l => int.TryParse(l, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue).ThenBy(l => l, StringComparer.Ordinal).ToList();
            return new Dataset(answers, truth, [.. answers.Select(a => a.Item).Distinct(StringComparer.Ordinal)],
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
            var scored = Truth.Where(t => set.IndexOfItem(t.Key) >= 0).ToList();
            return (double)scored.Count(t => set.Labels[result.ItemLabels[set.IndexOfItem(t.Key)]] == t.Value) / scored.Count;
        }

        private static IEnumerable<string[]> Rows(string path) =>
            File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','));
    }
}
