using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tests.Quality;
using CrowdLabel.Core.Work;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CrowdLabel.Core.Tests.Work;

/// <summary>On PostgreSQL an answer's count follows it (<see cref="AnswerCounter"/>): never ahead, never lost.</summary>
public sealed class AnswerCounterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory, OnPostgres]
    public async Task Answer_DoesNotWaitForItsItemsRow_AndTheCountFollowsOnceTheRowIsFree(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider);
        var worker = world.Workers[0];
        var task = await world.ClaimTaskAsync(worker);
        var (_, leases) = await world.SnapshotAsync();
        var itemId = Assert.Single(leases).ItemId;

        // Another transaction holds the item's row, as a consensus write or a claim does.
        await using var holder = await world.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("""SELECT 1 FROM "Items" WHERE "Id" = $1 FOR UPDATE""", holder, hold))
        {
            lockRow.Parameters.Add(new NpgsqlParameter { Value = itemId });
            await lockRow.ExecuteScalarAsync();
        }

        var answered = await world.AnswerAsync(task.AssignmentId, worker, "yes").WaitAsync(Patience);
        var counted = world.Services.GetRequiredService<AnswerCounter>().CountedAsync();
        var whileHeld = await Task.WhenAny(counted, Task.Delay(TimeSpan.FromMilliseconds(300))) == counted;
        Assert.Equal(0, await AnswerCountAsync(world, itemId));
        await hold.RollbackAsync();
        await counted.WaitAsync(Patience);

        Assert.Equal(AssignmentStatus.Submitted, answered.Value!.Status);
        Assert.False(whileHeld, "the counter counted an item another transaction held");
        Assert.Equal(1, await AnswerCountAsync(world, itemId));
    }

    [Theory, OnPostgres]
    public async Task ConcurrentAnswers_ToTheSameItems_EndWithEachItemsCountEqualToItsAnswers(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 5, redundancy: 3, workers: 15);
        var tasks = await Task.WhenAll(world.Workers.Select(async w => (Worker: w, Task: await world.ClaimTaskAsync(w))));

        await Task.WhenAll(tasks.Select(t => world.AnswerAsync(t.Task.AssignmentId, t.Worker, "yes")));

        var (items, assignments) = await world.SnapshotAsync();
        Assert.Equal(15, assignments.Count(a => a.Status == AssignmentStatus.Submitted));
        Assert.All(items, i => Assert.Equal(assignments.Count(a => a.ItemId == i.Id && a.Status == AssignmentStatus.Submitted), i.AnswerCount));
        Assert.Equal([3, 3, 3, 3, 3], items.Select(i => i.AnswerCount));
    }

    [Theory, OnPostgres]
    public async Task ALostCount_IsPutRightByTheNextConsensusRun_WhichLabelsTheItemOnItsAnswers(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 1, redundancy: 3, workers: 3);
        foreach (var worker in world.Workers)
        {
            var task = await world.ClaimTaskAsync(worker);
            await world.AnswerAsync(task.AssignmentId, worker, "yes");
        }

        var (items, _) = await world.SnapshotAsync();
        var itemId = Assert.Single(items).Id;
        // As a node that stopped before its round, or a database crash after an answer's commit, would leave it.
        await world.InTenantAsync(s => s.GetRequiredService<ICrowdLabelDb>().Items.Where(i => i.Id == itemId)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.AnswerCount, 0)));

        await world.RunConsensusAsync();
        await world.Services.GetRequiredService<AnswerCounter>().CountedAsync().WaitAsync(Patience);

        var item = Assert.Single((await world.SnapshotAsync()).Items);
        Assert.Equal(3, item.AnswerCount);
        Assert.Equal("yes", item.ConsensusLabel);
    }

    [Fact]
    public async Task Stopping_WithTheDatabaseUnreachable_SaysWhatIsLeft_AndFailsWhoeverWaitsForTheCounts()
    {
        // Nothing listens on port 1: every round fails at once.
        await using var unreachable = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1;Pooling=false");
        var logger = new RecordingLogger();
        var counter = new AnswerCounter(unreachable, logger);
        counter.Count(Guid.CreateVersion7());
        var counted = counter.CountedAsync();

        await counter.DisposeAsync();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => counted.WaitAsync(Patience));
        // Asked after the stop, the counter says the same: it does not claim counts it never made.
        var askedAfter = await Assert.ThrowsAsync<InvalidOperationException>(() => counter.CountedAsync().WaitAsync(Patience));
        Assert.StartsWith("The answer counter stopped with 1 items not counted", failure.Message, StringComparison.Ordinal);
        Assert.Equal(failure.Message, askedAfter.Message);
        Assert.Contains(logger.Messages, m => m.StartsWith("Counting the answers of 1 items failed", StringComparison.Ordinal));
        Assert.Contains(logger.Messages, m => m.StartsWith("Stopped with 1 items' answer counts not brought up to date", StringComparison.Ordinal));
    }

    [Theory, OnPostgres]
    public async Task AskedAfterAStop_WithEveryItemCounted_TheCounterSaysSo(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 1, workers: 1);
        var itemId = await AnsweredItemWithItsCountLostAsync(world);
        var counter = new AnswerCounter(world.Services.GetRequiredService<NpgsqlDataSource>(), new RecordingLogger());
        counter.Count(itemId);

        await counter.DisposeAsync();

        await counter.CountedAsync().WaitAsync(Patience);
        Assert.Equal(1, await AnswerCountAsync(world, itemId));
    }

    [Theory, OnPostgres]
    public async Task AnIdOfNoItem_IsDroppedWithAWarning_AndTheItemsHandedInWithItAreCounted(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 1, workers: 1);
        var itemId = await AnsweredItemWithItsCountLostAsync(world);
        var logger = new RecordingLogger();
        await using var counter = new AnswerCounter(world.Services.GetRequiredService<NpgsqlDataSource>(), logger);
        var noItem = Guid.CreateVersion7();

        counter.Count(noItem);
        counter.Count(itemId);

        // Before, SKIP LOCKED passed over the missing row as over a locked one, and the counter tried it forever.
        await counter.CountedAsync().WaitAsync(Patience);
        Assert.Equal(1, await AnswerCountAsync(world, itemId));
        Assert.Contains($"1 items handed in to be counted do not exist (the first: {noItem}); they are dropped", logger.Messages);
    }

    /// <summary>The world's one item, answered by its one worker, with the count the world's own counter made undone.</summary>
    private static async Task<Guid> AnsweredItemWithItsCountLostAsync(WorkWorld world)
    {
        var task = await world.ClaimTaskAsync(world.Workers[0]);
        await world.AnswerAsync(task.AssignmentId, world.Workers[0], "yes");
        var itemId = Assert.Single((await world.SnapshotAsync()).Items).Id;
        await world.Services.GetRequiredService<AnswerCounter>().CountedAsync().WaitAsync(Patience);
        await world.InTenantAsync(s => s.GetRequiredService<ICrowdLabelDb>().Items.Where(i => i.Id == itemId)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.AnswerCount, 0)));
        return itemId;
    }

    private static Task<int> AnswerCountAsync(WorkWorld world, Guid itemId) =>
        world.InTenantAsync(s => s.GetRequiredService<ICrowdLabelDb>().Items.AsNoTracking()
            .Where(i => i.Id == itemId).Select(i => i.AnswerCount).SingleAsync());

    /// <summary>Keeps what the counter logs, for the test to read.</summary>
    private sealed class RecordingLogger : ILogger<AnswerCounter>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

        public IReadOnlyCollection<string> Messages => _messages;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _messages.Enqueue(formatter(state, exception));
    }
}
