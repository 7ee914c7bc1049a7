using System.Text.Json;
using CrowdLabel.Consensus;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Quality;
using CrowdLabel.Core.Tests.Work;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CrowdLabel.Core.Tests.Quality;

/// <summary>
/// A consensus run keeps the answers it read (<see cref="ConsensusAnswerCache"/>) and the next run reads only the ones
/// submitted since: it must decide exactly as a run that reads them all, and never on fewer answers than the items have.
/// </summary>
public sealed class ConsensusAnswerCacheTests
{
    private static string Truth(int row) => row % 2 == 0 ? "no" : "yes";

    [Theory, OnSqlite, OnPostgres]
    public async Task ARun_KeepsTheAnswersItRead_AndTheNextDecidesAsARunThatReadsThemAllWould(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 8, redundancy: 2, workers: 3,
            configure: p => (p.MaxRedundancy, p.ConfidenceTarget) = (3, 0.8));
        var cache = world.Services.GetRequiredService<ConsensusAnswerCache>();
        await world.WorkUntilDoneAsync(world.Workers[0], Truth);
        world.Clock.Advance(TimeSpan.FromSeconds(1));
        var fresh = await world.RunConsensusAsync();
        Assert.Equal((8, 0L), (fresh.Answers, cache.Count)); // too recent to keep: they may have company stamped before them still to commit
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        var first = await world.RunConsensusAsync();
        Assert.Equal((8, 8L), (first.Answers, cache.Count));

        // The second worker disagrees on two items, which get a third slot; the third worker fills it.
        await world.WorkUntilDoneAsync(world.Workers[1], row => row <= 2 ? (Truth(row) == "yes" ? "no" : "yes") : Truth(row));
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await world.RunConsensusAsync();
        Assert.Equal((16, 16L), (second.Answers, cache.Count));
        await world.WorkUntilDoneAsync(world.Workers[2], Truth);
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        var third = await world.RunConsensusAsync();
        var (decided, _) = await world.SnapshotAsync();
        Assert.Equal(16 + decided.Count(i => i.RedundancyTarget == 3), third.Answers);
        Assert.True(decided.Count(i => i.RedundancyTarget == 3) >= 2, "the items the first two workers disagreed on got a third answer");

        // A run over the same answers with nothing kept changes nothing the cached runs wrote.
        var cold = await world.InTenantAsync(s => ActivatorUtilities.CreateInstance<ConsensusService>(
            s, new ConsensusAnswerCache(s.GetRequiredService<IOptions<QualityOptions>>(), world.Clock)).RunBatchAsync(world.BatchId));
        var (again, _) = await world.SnapshotAsync();
        Assert.Equal(third.Answers, cold.Value!.Answers);
        Assert.Equal((0, 0, 0, 0), (cold.Value.Done, cold.Value.Extended, cold.Value.Disputed, cold.Value.Reopened));
        Assert.Equal(Figures(decided), Figures(again));
    }

    /// <summary>
    /// The premise of the cache is that no answer commits later than the settle time after its stamp. When one does
    /// (here: stamped an hour back, behind what the last run kept), the run finds an item with more answers than it
    /// holds and reads them all again, instead of deciding the item without it.
    /// </summary>
    [Theory, OnSqlite, OnPostgres]
    public async Task AnAnswerStampedBehindWhatTheLastRunKept_IsStillCounted(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 4, redundancy: 2, workers: 2);
        await world.WorkUntilDoneAsync(world.Workers[0], Truth);
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(4, (await world.RunConsensusAsync()).Answers);

        var late = await world.ClaimTaskAsync(world.Workers[1]);
        Assert.True((await world.AnswerAsync(late.AssignmentId, world.Workers[1], "yes")).Succeeded);
        await world.InTenantAsync(s => s.GetRequiredService<ICrowdLabelDb>().Assignments.Where(a => a.Id == late.AssignmentId)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.SubmittedAt, WorkWorld.Start.UtcDateTime.AddHours(-1))));
        world.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(5, (await world.RunConsensusAsync()).Answers);
        Assert.Equal(5L, world.Services.GetRequiredService<ConsensusAnswerCache>().Count);
    }

    [Fact]
    public void Entries_AreKeptUpToTheSizeLimit_LeastRecentlyRunFirstOut()
    {
        var clock = new FakeTimeProvider(WorkWorld.Start);
        var cache = new ConsensusAnswerCache(Options.Create(new QualityOptions { AnswerCacheSize = 5 }), clock);
        var (first, second) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        cache.Return(first, Answers(3));
        clock.Advance(TimeSpan.FromSeconds(15));
        cache.Return(second, Answers(2));
        Assert.Equal(5L, cache.Count);

        clock.Advance(TimeSpan.FromSeconds(15));
        cache.Return(second, Answers(3));
        Assert.Equal(3L, cache.Count);
        Assert.Null(cache.Take(first).Through);
        Assert.NotNull(cache.Take(second).Through);

        var off = new ConsensusAnswerCache(Options.Create(new QualityOptions { AnswerCacheSize = 0 }), clock);
        off.Return(first, Answers(1));
        Assert.Equal(0L, off.Count);
    }

    [Fact]
    public void ThePosteriorAnItemStores_IsWhatSerializingItsDictionaryWrites()
    {
        var labels = new[] { "yes", "ça \"va\"", "<b>&" };
        var builder = new AnswerSetBuilder(labels);
        var random = new Random(3);
        for (var item = 0; item < 20; item++)
        {
            for (var worker = 0; worker < 4; worker++)
            {
                builder.Add($"item{item}", $"worker{worker}", labels[random.Next(labels.Length)]);
            }
        }

        var set = builder.Build();
        var fitted = ConsensusService.Fitted.Of(set, KnownTruths.None(set), 0.5);
        for (var item = 0; item < set.ItemCount; item++)
        {
            var posterior = fitted.Posterior(item).ToArray();
            var expected = JsonSerializer.Serialize(set.Labels.Select((label, k) => (label, k))
                .ToDictionary(l => l.label, l => Math.Round(posterior[l.k], 6)));
            Assert.Equal(expected, fitted.PosteriorJson(item, 6));
        }
    }

    private static BatchAnswers Answers(int count)
    {
        var answers = new BatchAnswers { Through = WorkWorld.Start.UtcDateTime };
        for (var n = 0; n < count; n++)
        {
            answers.Add(answers.Of(Guid.CreateVersion7(), Guid.CreateVersion7(), "yes"), WorkWorld.Start.UtcDateTime);
        }

        return answers;
    }

    private static List<(int, ItemStatus, string?, double?, string?, int)> Figures(List<Item> items) =>
        [.. items.OrderBy(i => i.RowNumber).Select(i => (i.RowNumber, i.Status, i.ConsensusLabel, i.Confidence, i.Posterior, i.RedundancyTarget))];
}
