using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace CrowdLabel.Core.Quality;

/// <summary>
/// Writes what a consensus run changed on a batch's items, inside the caller's transaction (a run writes them in chunks). An item is written only while
/// its status is still the one the run read: a decision made in the meantime (a reviewer's, say on an item drawn for
/// QA) stays, and the next run sees it. The run does not track its items, so saving the context does not write them again.
/// </summary>
internal static class ConsensusWriter
{
    /// <summary>Writes the changed items (each with the status the run read) and returns how many rows took the run's figures.</summary>
    internal static Task<int> WriteAsync(ICrowdLabelDb db, Guid tenantId, Guid batchId, IReadOnlyList<(Item Item, ItemStatus ReadStatus)> changed, CancellationToken cancellationToken) =>
        db.Database.IsPostgres()
            ? PostgresConsensusWriter.WriteAsync(db, tenantId, batchId, changed, cancellationToken)
            : WriteEachAsync(db, tenantId, batchId, changed, cancellationToken);

    /// <summary>The columns a run writes, each with its value on an item.</summary>
    private static readonly (string Property, Func<Item, object?> Value)[] Written =
    [
        (nameof(Item.ConsensusLabel), i => i.ConsensusLabel), (nameof(Item.Confidence), i => i.Confidence), (nameof(Item.Posterior), i => i.Posterior),
        (nameof(Item.Status), i => i.Status), (nameof(Item.RedundancyTarget), i => i.RedundancyTarget), (nameof(Item.ReviewRequestedAt), i => i.ReviewRequestedAt),
    ];

    /// <summary>
    /// SQLite and SQL Server: one guarded UPDATE per item, through one command prepared once, whose parameters EF Core's
    /// own type mappings make (so every value is stored as EF Core stores it). Through ExecuteUpdate each item went
    /// through EF Core's query pipeline: 60,000 items took 12 s on SQLite, holding its one writer (docs/benchmarks.md).
    /// </summary>
    private static async Task<int> WriteEachAsync(ICrowdLabelDb db, Guid tenantId, Guid batchId, IReadOnlyList<(Item Item, ItemStatus ReadStatus)> changed, CancellationToken cancellationToken)
    {
        if (changed.Count == 0)
        {
            return 0;
        }

        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
                          ?? throw new InvalidOperationException("The consensus write runs inside a transaction of the run.");
        var sql = db.Items.GetService<ISqlGenerationHelper>();
        var entity = db.Items.EntityType;
        var column = (string name) => sql.DelimitIdentifier(entity.FindProperty(name)!.GetColumnName());
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            $"UPDATE {sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema())} " +
            $"SET {string.Join(", ", Written.Select((w, n) => $"{column(w.Property)} = {sql.GenerateParameterName($"v{n}")}"))} " +
            $"WHERE {column(nameof(Item.Id))} = {sql.GenerateParameterName("id")} AND {column(nameof(Item.TenantId))} = {sql.GenerateParameterName("tenant")} " +
            $"AND {column(nameof(Item.BatchId))} = {sql.GenerateParameterName("batch")} AND {column(nameof(Item.Status))} = {sql.GenerateParameterName("read")}";
        var written = 0;
        foreach (var (item, readStatus) in changed)
        {
            command.Parameters.Clear();
            for (var n = 0; n < Written.Length; n++)
            {
                Add(Written[n].Property, $"v{n}", Written[n].Value(item));
            }

            Add(nameof(Item.Id), "id", item.Id);
            Add(nameof(Item.TenantId), "tenant", tenantId);
            Add(nameof(Item.BatchId), "batch", batchId);
            Add(nameof(Item.Status), "read", readStatus);
            written += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return written;

        void Add(string property, string name, object? value)
        {
            var mapped = entity.FindProperty(property)!;
            command.Parameters.Add(mapped.GetRelationalTypeMapping().CreateParameter(command, sql.GenerateParameterName(name), value, mapped.IsNullable));
        }
    }
}

/// <summary>
/// PostgreSQL: writes what a consensus run changed on a batch's items in ONE statement per chunk, inside the chunk's
/// transaction. Through EF Core that is one UPDATE per item, each parsed and planned: for 3,000 items on an idle
/// database 250 to 410 ms against 160 to 230 ms here (the rest is the items' index entries; docs/benchmarks.md).
/// </summary>
internal static class PostgresConsensusWriter
{
    /// <summary>Each item is written only while its status is still the one the run read (<see cref="ConsensusWriter"/>).</summary>
    private const string Update = """
        UPDATE "Items" AS i
        SET "ConsensusLabel" = v.label, "Confidence" = v.confidence, "Posterior" = v.posterior, "Status" = v.status,
            "RedundancyTarget" = v.target, "ReviewRequestedAt" = v.requested
        FROM unnest($3::uuid[], $4::text[], $5::text[], $6::float8[], $7::text[], $8::text[], $9::integer[], $10::timestamptz[])
             AS v(id, read_status, label, confidence, posterior, status, target, requested)
        WHERE i."Id" = v.id AND i."TenantId" = $1 AND i."BatchId" = $2 AND i."Status" = v.read_status
        """;

    /// <summary>Writes the consensus columns of the changed items and returns how many rows took them.</summary>
    internal static async Task<int> WriteAsync(ICrowdLabelDb db, Guid tenantId, Guid batchId, IReadOnlyList<(Item Item, ItemStatus ReadStatus)> changed, CancellationToken cancellationToken)
    {
        if (changed.Count == 0)
        {
            return 0;
        }

        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
                          ?? throw new InvalidOperationException("The consensus write runs inside a transaction of the run.");
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Update;
        PostgresFastPath.AddArguments(command.Parameters, command.CreateParameter,
        [
            tenantId, batchId,
            changed.Select(c => c.Item.Id).ToArray(),
            changed.Select(c => c.ReadStatus.ToString()).ToArray(),
            changed.Select(c => c.Item.ConsensusLabel).ToArray(),
            changed.Select(c => c.Item.Confidence).ToArray(),
            changed.Select(c => c.Item.Posterior).ToArray(),
            changed.Select(c => c.Item.Status.ToString()).ToArray(),
            changed.Select(c => c.Item.RedundancyTarget).ToArray(),
            changed.Select(c => c.Item.ReviewRequestedAt).ToArray(),
        ]);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
