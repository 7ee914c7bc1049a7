using System.Collections.Concurrent;
using CrowdLabel.Core.Jobs;
using CrowdLabel.Core.Work;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CrowdLabel.Core.Tests.Data;

public sealed class JobStoreTests
{
    [Theory, OnPostgres]
    public async Task TwoNodes_ShareOneSchedule_AndEachFiringRunsOnOneNode(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var fired = new ConcurrentQueue<(string Node, DateTimeOffset Scheduled)>();
        var (first, firstScheduler) = await StartNodeAsync(database, "first", fired);
        await using var firstNode = first;
        var (second, secondScheduler) = await StartNodeAsync(database, "second", fired);
        await using var secondNode = second;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            fired.Clear();
            await Task.Delay(TimeSpan.FromSeconds(6));
            var firings = fired.Select(f => f.Scheduled).Order().ToList();
            var seen = string.Join(", ", fired.Select(f => $"{f.Node} {f.Scheduled:HH:mm:ss.fff}"));

            Assert.True((await firstScheduler.GetMetadata()).JobStorePersistent);
            Assert.Equal(2, (await secondScheduler.QueryClusterNodes()).Count());
            Assert.Equal(2L, await Scenario.ScalarAsync<long>(firstNode, "SELECT count(*) FROM qrtz_scheduler_state"));
            Assert.True(firings.Count >= 3, $"Fired: {seen}");
            // One trigger, each of its firings run by one node or the other: with a schedule per node, each node fires
            // its own trigger, and the two series run at the same seconds (or a few milliseconds apart).
            Assert.True(firings.Zip(firings.Skip(1)).All(pair => pair.Second - pair.First == TimeSpan.FromSeconds(1)), $"Fired: {seen}");
        }
        finally
        {
            await firstScheduler.Shutdown(waitForJobsToComplete: true);
            await secondScheduler.Shutdown(waitForJobsToComplete: true);
        }
    }

    [Fact]
    public void Schema_CreatesEveryTable_ThatItsDropStatementsRemove()
    {
        foreach (var provider in new[] { DatabaseProvider.Postgres, DatabaseProvider.SqlServer })
        {
            var tables = QuartzSchema.Tables(provider);
            var drops = QuartzSchema.DropStatements(provider);

            Assert.Contains(tables, t => t.Equals("QRTZ_TRIGGERS", StringComparison.OrdinalIgnoreCase));
            Assert.Contains(tables, t => t.Equals("QRTZ_LOCKS", StringComparison.OrdinalIgnoreCase));
            Assert.All(QuartzSchema.CreateStatements(provider), s => Assert.DoesNotContain("{0}", s, StringComparison.Ordinal));
            Assert.Equal(tables.Count, drops.Count);
            // Dependents go first: the triggers before the job details they point at.
            Assert.True(Index(drops, "QRTZ_TRIGGERS") < Index(drops, "QRTZ_JOB_DETAILS"));
        }

        Assert.Throws<NotSupportedException>(() => QuartzSchema.CreateStatements(DatabaseProvider.Sqlite));
    }

    private static int Index(IReadOnlyList<string> statements, string table) =>
        statements.Select((s, i) => (s, i)).Single(x => x.s.Contains($" {table};", StringComparison.OrdinalIgnoreCase)).i;

    [Theory, OnPostgres]
    public async Task StartingNode_LeavesAStoredTrigger_UnlessTheConfigurationChangedItsSchedule(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);

        var first = await WriteScheduleAsync(database, seconds: 7);
        var sameAgain = await WriteScheduleAsync(database, seconds: 7);
        var changed = await WriteScheduleAsync(database, seconds: 9);

        Assert.Equal(TimeSpan.FromSeconds(7), first.RepeatInterval);
        // Left alone: still the first node's trigger, with its start time (and so its phase).
        Assert.Equal((TimeSpan.FromSeconds(7), first.StartTimeUtc), (sameAgain.RepeatInterval, sameAgain.StartTimeUtc));
        Assert.Equal(TimeSpan.FromSeconds(9), changed.RepeatInterval);
    }

    /// <summary>A node starting with the lease expiry job every <paramref name="seconds"/>: writes its schedule, returns the stored trigger.</summary>
    private static async Task<ISimpleTrigger> WriteScheduleAsync(TestDatabase database, int seconds)
    {
        await using var node = await NodeAsync(database, seconds);
        var scheduler = await node.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await node.GetRequiredService<JobSchedule>().WriteAsync(scheduler);
        var stored = Assert.IsType<ISimpleTrigger>(await scheduler.GetTrigger(ExpireLeasesJob.TriggerKey), exactMatch: false);
        await scheduler.Shutdown(waitForJobsToComplete: false);
        return stored;
    }

    private static async Task<ServiceProvider> NodeAsync(TestDatabase database, int expireLeasesSeconds)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [JobServices.ExpireLeasesSecondsKey] = expireLeasesSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        return await AppServices.CreateAsync(database, configure: services =>
            services.AddCrowdLabelJobs(configuration, quartz => quartz.UseCrowdLabelJobStore(database.Options)));
    }

    /// <summary>A node: the application's services with the lease expiry job every second, its schedule written and its scheduler started.</summary>
    private static async Task<(ServiceProvider Node, IScheduler Scheduler)> StartNodeAsync(
        TestDatabase database, string name, ConcurrentQueue<(string Node, DateTimeOffset Scheduled)> fired)
    {
        var node = await NodeAsync(database, expireLeasesSeconds: 1);
        var scheduler = await node.GetRequiredService<ISchedulerFactory>().GetScheduler();
        scheduler.ListenerManager.AddJobListener(new Recorder(name, fired), [Matchers.Key(ExpireLeasesJob.Key)]);
        await node.GetRequiredService<JobSchedule>().WriteAsync(scheduler);
        await scheduler.Start();
        return (node, scheduler);
    }

    private sealed class Recorder(string node, ConcurrentQueue<(string Node, DateTimeOffset Scheduled)> fired) : IJobListener
    {
        public string Name => $"recorder-{node}";

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            fired.Enqueue((node, context.ScheduledFireTimeUtc ?? context.FireTimeUtc));
            return ValueTask.CompletedTask;
        }

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default) =>
            ValueTask.CompletedTask;
    }
}
