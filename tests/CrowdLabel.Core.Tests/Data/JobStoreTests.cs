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
            // The second node's start replaced the trigger; what fires from here on is the shared one.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            fired.Clear();
            await Task.Delay(TimeSpan.FromSeconds(6));
            var firings = fired.Select(f => f.Scheduled).Order().ToList();

            Assert.True((await firstScheduler.GetMetadata()).JobStorePersistent);
            Assert.Equal(2, (await secondScheduler.QueryClusterNodes()).Count());
            Assert.Equal(2L, await Scenario.ScalarAsync<long>(firstNode, "SELECT count(*) FROM qrtz_scheduler_state"));
            Assert.InRange(firings.Count, 4, 7);
            // One trigger, fired once per second by one node or the other: with a schedule per node, each node would
            // fire its own trigger, and the two series would interleave a few milliseconds apart.
            Assert.All(firings.Zip(firings.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second - pair.First));
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

    /// <summary>A node: the application's services with the lease expiry job every second, its scheduler started.</summary>
    private static async Task<(ServiceProvider Node, IScheduler Scheduler)> StartNodeAsync(
        TestDatabase database, string name, ConcurrentQueue<(string Node, DateTimeOffset Scheduled)> fired)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [JobServices.ExpireLeasesSecondsKey] = "1" }).Build();
        var node = await AppServices.CreateAsync(database, configure: services =>
            services.AddCrowdLabelJobs(configuration, quartz => quartz.UseCrowdLabelJobStore(database.Options)));
        var scheduler = await node.GetRequiredService<ISchedulerFactory>().GetScheduler();
        scheduler.ListenerManager.AddJobListener(new Recorder(name, fired), [Matchers.Key(ExpireLeasesJob.Key)]);
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
