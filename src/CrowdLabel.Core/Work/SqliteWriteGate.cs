using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CrowdLabel.Core.Work;

/// <summary>
/// SQLite lets one writer in at a time (its transactions begin IMMEDIATE). A writer that finds the file taken waits in
/// Microsoft.Data.Sqlite's busy loop, which blocks its thread and sleeps between retries, so a burst of claims would
/// tie up the thread pool and could run into the busy timeout. The engine's transactions queue here instead, without
/// blocking a thread, one at a time per database; on other providers the gate is open and they go straight in.
/// </summary>
internal static class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>Begins a transaction once it is this writer's turn; disposing the transaction passes the turn on.</summary>
    public static async Task<GatedTransaction> BeginTransactionAsync(ICrowdLabelDb db, CancellationToken cancellationToken)
    {
        SemaphoreSlim? gate = null;
        if (db.Database.IsSqlite())
        {
            gate = Gates.GetOrAdd(db.Database.GetConnectionString() ?? "", _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken);
        }

        try
        {
            return new GatedTransaction(await db.Database.BeginTransactionAsync(cancellationToken), gate);
        }
        catch
        {
            gate?.Release();
            throw;
        }
    }
}

/// <summary>A database transaction that holds its writer's turn at the <see cref="SqliteWriteGate"/> until disposed.</summary>
internal sealed class GatedTransaction(IDbContextTransaction transaction, SemaphoreSlim? gate) : IAsyncDisposable
{
    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public Task RollbackAsync(CancellationToken cancellationToken) => transaction.RollbackAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await transaction.DisposeAsync();
        }
        finally
        {
            gate?.Release();
        }
    }
}
