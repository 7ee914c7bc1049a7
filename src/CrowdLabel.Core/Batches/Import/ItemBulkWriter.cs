using CrowdLabel.Core.Domain;

namespace CrowdLabel.Core.Batches.Import;

/// <summary>
/// Writes many items fast inside the current database transaction (binary COPY on PostgreSQL, one prepared
/// statement on SQLite). Rows are visible only when the caller commits the transaction.
/// </summary>
public interface IItemBulkWriter : IAsyncDisposable
{
    ValueTask AddAsync(Item item, CancellationToken cancellationToken);

    /// <summary>Writes what is buffered; after this, the rows are in the transaction.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}

/// <summary>Makes the bulk writer that suits the configured database provider.</summary>
public interface IItemBulkWriterFactory
{
    Task<IItemBulkWriter> CreateAsync(ICrowdLabelDb db, CancellationToken cancellationToken);

    /// <summary>
    /// After a large upload has committed: brings the database's planner statistics of the items up to date, where the
    /// planner needs them to pick the claim's index (PostgreSQL); elsewhere nothing.
    /// </summary>
    Task RefreshStatisticsAsync(ICrowdLabelDb db);
}
