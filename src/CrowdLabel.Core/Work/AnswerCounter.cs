using System.Data.Common;
using System.Threading.Channels;
using CrowdLabel.Core.Domain;
using Microsoft.Extensions.Logging;

namespace CrowdLabel.Core.Work;

/// <summary>
/// PostgreSQL only: brings items' answer counts up to date after their answers commit, off the answer's request path.
/// An answer that added to its item's count itself waited for the item's row, which the item's other answers hold
/// until their commit reaches the disk (an item's answers come together: docs/benchmarks.md, run 86), and held a
/// pooled connection while it waited. The fast answer hands its item here instead; one loop takes every item handed in
/// since its last round and, in one transaction, locks those nobody else holds (<c>SKIP LOCKED</c>: it never waits, so
/// it never deadlocks with a claim or a consensus write) and then, in a second statement whose snapshot is taken after
/// the locks, sets each count to the item's answers. Items it could not lock wait for the next round.
/// </summary>
/// <remarks>
/// A count is therefore behind its answers for a round (milliseconds under load) and never ahead of them, which is all
/// consensus asks of it (it reads the answers themselves). The count is set, not added to, so a round that repeats an
/// item, the general path's own increment (gold answers) or a second node counting the same item all end on the same
/// figure. What a stopped process had not yet counted, or a database crash took back (the rounds commit without
/// waiting for the disk), the next consensus run of the batch hands in again: it sees more answers than the count.
/// </remarks>
public sealed partial class AnswerCounter : IAsyncDisposable, IDisposable
{
    /// <summary>How long a round waits before it tries again the items someone else held locked.</summary>
    private static readonly TimeSpan LockedRetry = TimeSpan.FromMilliseconds(2);

    /// <summary>How long the loop waits after a round failed (the database unreachable, say) before the next.</summary>
    private static readonly TimeSpan FailedRetry = TimeSpan.FromSeconds(1);

    /// <summary>How long a shutdown waits for the items handed in to be counted.</summary>
    private static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(5);

    private const string LockItems = """SELECT "Id" FROM "Items" WHERE "Id" = ANY($1) ORDER BY "Id" FOR UPDATE SKIP LOCKED""";

    /// <summary>Which of the items a round could not lock exist: <c>SKIP LOCKED</c> passes over a missing row as over a locked one.</summary>
    private const string Existing = """SELECT "Id" FROM "Items" WHERE "Id" = ANY($1)""";

    private static readonly string Recount = $"""
        UPDATE "Items" AS i SET "AnswerCount" = c."Answers"
        FROM (SELECT a."ItemId", count(*)::integer AS "Answers" FROM "Assignments" AS a
              WHERE a."ItemId" = ANY($1)
                AND a."Status" IN ({AnsweredAssignments.SqlList})
              GROUP BY a."ItemId") AS c
        WHERE i."Id" = c."ItemId" AND i."AnswerCount" <> c."Answers"
        """;

    private readonly Channel<Entry> _handedIn = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly DbDataSource _dataSource;
    private readonly ILogger<AnswerCounter> _logger;
    private readonly Task _loop;

    /// <summary>Set when the counter stopped with items it could not count: how many, and why.</summary>
    private (int Items, Exception Error)? _stoppedWith;

    public AnswerCounter(DbDataSource dataSource, ILogger<AnswerCounter> logger)
    {
        (_dataSource, _logger) = (dataSource, logger);
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Hands in an item one of whose answers has committed; its count follows within a round.</summary>
    public void Count(Guid itemId) => _handedIn.Writer.TryWrite(new Entry(itemId, null));

    /// <summary>
    /// Completes once every item handed in before the call is counted (for tests, and a shutdown); fails if the counter
    /// stops first with items it could not count. Once the counter is stopping, it completes when the counter has
    /// stopped, and fails the same way if items were left.
    /// </summary>
    public Task CountedAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _handedIn.Writer.TryWrite(new Entry(null, done)) ? done.Task : StoppedAsync();
    }

    private async Task StoppedAsync()
    {
        await _loop;
        if (_stoppedWith is { } failure)
        {
            throw StoppedException(failure.Items, failure.Error);
        }
    }

    private static InvalidOperationException StoppedException(int items, Exception error) =>
        new($"The answer counter stopped with {items} items not counted: {error.Message}", error);

    public async ValueTask DisposeAsync()
    {
        _handedIn.Writer.TryComplete();
        if (await Task.WhenAny(_loop, Task.Delay(ShutdownWait)) != _loop)
        {
            LogShutdownLeftItems(_logger, ShutdownWait.TotalSeconds);
        }
    }

    /// <summary>For a host that disposes its services synchronously: the same wait, blocking.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task RunAsync()
    {
        var reader = _handedIn.Reader;
        var pending = new HashSet<Guid>();
        var waiting = new List<TaskCompletionSource>();
        while (true)
        {
            if (pending.Count == 0 && waiting.Count == 0 && !await reader.WaitToReadAsync())
            {
                return;
            }

            while (reader.TryRead(out var entry))
            {
                if (entry.Item is { } item)
                {
                    pending.Add(item);
                }
                else
                {
                    waiting.Add(entry.Done!);
                }
            }

            if (pending.Count > 0)
            {
                try
                {
                    pending.ExceptWith(await CountRoundAsync([.. pending]));
                }
#pragma warning disable CA1031 // The loop outlives any one round: a failed round is logged and tried again.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    LogRoundFailed(_logger, e, pending.Count);
                    if (reader.Completion.IsCompleted)
                    {
                        // Stopping, and the database cannot be reached: say what is left, and do not let anyone wait
                        // for counts that will not come from this process.
                        LogStoppedUncounted(_logger, pending.Count);
                        _stoppedWith = (pending.Count, e);
                        waiting.ForEach(w => w.SetException(StoppedException(pending.Count, e)));
                        return;
                    }

                    await Task.Delay(FailedRetry);
                    continue;
                }
            }

            if (pending.Count == 0)
            {
                waiting.ForEach(w => w.SetResult());
                waiting.Clear();
            }
            else
            {
                await Task.Delay(LockedRetry);
            }
        }
    }

    /// <summary>One round: the items it is done with (those it could lock and counted, and ids of no item).</summary>
    private async Task<List<Guid>> CountRoundAsync(Guid[] items)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var locked = new List<Guid>(items.Length);
        await using (var commands = connection.CreateBatch())
        {
            commands.Transaction = transaction;
            commands.BatchCommands.Add(PostgresFastPath.Command(commands, PostgresFastPath.AsynchronousCommit));
            commands.BatchCommands.Add(PostgresFastPath.Command(commands, LockItems, items));
            await using var rows = await commands.ExecuteReaderAsync();
            await rows.NextResultAsync();
            while (await rows.ReadAsync())
            {
                locked.Add(rows.GetGuid(0));
            }
        }

        if (locked.Count > 0)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Recount;
            PostgresFastPath.AddArguments(command.Parameters, command.CreateParameter, [locked.ToArray()]);
            await command.ExecuteNonQueryAsync();
        }

        var done = locked;
        if (locked.Count < items.Length)
        {
            done = [.. locked, .. await MissingAsync(connection, transaction, [.. items.Except(locked)])];
        }

        await transaction.CommitAsync();
        return done;
    }

    /// <summary>The items of those given that do not exist, which no later round could count either.</summary>
    private async Task<IEnumerable<Guid>> MissingAsync(DbConnection connection, DbTransaction transaction, Guid[] items)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Existing;
        PostgresFastPath.AddArguments(command.Parameters, command.CreateParameter, [items]);
        var existing = new HashSet<Guid>();
        await using (var rows = await command.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
            {
                existing.Add(rows.GetGuid(0));
            }
        }

        var missing = items.Where(item => !existing.Contains(item)).ToList();
        if (missing.Count > 0)
        {
            LogMissingItems(_logger, missing.Count, missing[0]);
        }

        return missing;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting the answers of {Items} items failed; trying again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception, int items);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Stopped with items' answer counts not brought up to date after {Seconds} s; the next consensus run of their batches counts them")]
    private static partial void LogShutdownLeftItems(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Stopped with {Items} items' answer counts not brought up to date (the database could not be reached); the next consensus run of their batches counts them")]
    private static partial void LogStoppedUncounted(ILogger logger, int items);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Items} items handed in to be counted do not exist (the first: {ItemId}); they are dropped")]
    private static partial void LogMissingItems(ILogger logger, int items, Guid itemId);

    /// <summary>An item handed in, or someone waiting for every item before them to be counted.</summary>
    private readonly record struct Entry(Guid? Item, TaskCompletionSource? Done);
}
