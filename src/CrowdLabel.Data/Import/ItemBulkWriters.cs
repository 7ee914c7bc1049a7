using CrowdLabel.Core;
using CrowdLabel.Core.Batches.Import;
using CrowdLabel.Core.Domain;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace CrowdLabel.Data.Import;

/// <summary>Chooses the fastest item writer the configured provider has.</summary>
public sealed partial class ItemBulkWriterFactory(DatabaseOptions options, ILogger<ItemBulkWriterFactory> logger) : IItemBulkWriterFactory
{
    public async Task<IItemBulkWriter> CreateAsync(ICrowdLabelDb db, CancellationToken cancellationToken)
    {
        var context = (CrowdLabelDbContext)db;
        var table = ItemTable.From(context.Model);
        var transaction = context.Database.CurrentTransaction?.GetDbTransaction()
                          ?? throw new InvalidOperationException("Bulk writes run inside the import's transaction.");
        return options.Provider switch
        {
            DatabaseProvider.Postgres => await PostgresItemWriter.OpenAsync((NpgsqlConnection)transaction.Connection!, table, cancellationToken),
            DatabaseProvider.Sqlite => new SqliteItemWriter((SqliteConnection)transaction.Connection!, (SqliteTransaction)transaction, table),
            _ => new EfItemWriter(context),
        };
    }

    /// <summary>
    /// PostgreSQL: ANALYZE of the items table. Without it, the items of a large new batch are unknown to the planner
    /// until autovacuum's next analyze, up to minutes later; meanwhile it estimates a batch's open items at a couple of
    /// rows and claims sort all of them instead of reading the claim index from its front (measured: 60,000 items, 5 s
    /// claims). SQLite and SQL Server keep nothing that needs this.
    /// </summary>
    /// <remarks>
    /// The upload has committed by now, so nothing here may fail it: it does not stop when the uploader goes away, and
    /// an error is logged and left to autovacuum's own analyze. (A database user that does not own the table gets a
    /// warning from PostgreSQL, not an error, and the same autovacuum schedule.)
    /// </remarks>
    public async Task RefreshStatisticsAsync(ICrowdLabelDb db)
    {
        if (options.Provider != DatabaseProvider.Postgres)
        {
            return;
        }

        var context = (CrowdLabelDbContext)db;
        // The table's name comes from the model, never from input.
        var table = ItemTable.From(context.Model).Name;
        var analyze = "ANALYZE \"" + table + "\"";
        try
        {
            await context.Database.ExecuteSqlRawAsync(analyze, CancellationToken.None);
        }
        catch (NpgsqlException e)
        {
            LogAnalyzeFailed(logger, e, table);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ANALYZE of {Table} after an upload failed; autovacuum will analyze it later")]
    private static partial void LogAnalyzeFailed(ILogger logger, Exception exception, string table);
}

/// <summary>The Items table's real name and column names, read from the EF model so they cannot drift.</summary>
internal sealed record ItemTable(string Name, string[] Columns)
{
    // The order every raw writer uses: every column without a null, so nothing depends on a database default the
    // model does not declare (SQLite loses such defaults whenever a migration rebuilds the table).
    private static readonly string[] Properties =
    [
        nameof(Item.Id), nameof(Item.TenantId), nameof(Item.BatchId), nameof(Item.RowNumber), nameof(Item.ExternalId),
        nameof(Item.Data), nameof(Item.GoldLabel), nameof(Item.Status), nameof(Item.RedundancyTarget),
        nameof(Item.Claimed), nameof(Item.AnswerCount), nameof(Item.QaSample),
    ];

    public static ItemTable From(IModel model)
    {
        var entity = model.FindEntityType(typeof(Item))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return new ItemTable(table.Name, Properties.Select(p => entity.FindProperty(p)!.GetColumnName(table)!).ToArray());
    }

    public string QuotedColumns => string.Join(", ", Columns.Select(c => $"\"{c}\""));
}

/// <summary>PostgreSQL: one binary COPY stream for the whole batch.</summary>
internal sealed class PostgresItemWriter : IItemBulkWriter
{
    private readonly NpgsqlBinaryImporter _importer;

    private PostgresItemWriter(NpgsqlBinaryImporter importer) => _importer = importer;

    public static async Task<IItemBulkWriter> OpenAsync(NpgsqlConnection connection, ItemTable table, CancellationToken cancellationToken) =>
        new PostgresItemWriter(await connection.BeginBinaryImportAsync(
            $"COPY \"{table.Name}\" ({table.QuotedColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken));

    // Synchronous writes: they only fill Npgsql's buffer, which goes to the server when full; per-value async
    // calls cost more than the COPY itself.
    public ValueTask AddAsync(Item item, CancellationToken cancellationToken)
    {
        _importer.StartRow();
        _importer.Write(item.Id, NpgsqlDbType.Uuid);
        _importer.Write(item.TenantId, NpgsqlDbType.Uuid);
        _importer.Write(item.BatchId, NpgsqlDbType.Uuid);
        _importer.Write(item.RowNumber, NpgsqlDbType.Integer);
        WriteNullable(item.ExternalId);
        _importer.Write(item.Data, NpgsqlDbType.Text);
        WriteNullable(item.GoldLabel);
        _importer.Write(item.Status.ToString(), NpgsqlDbType.Text);
        _importer.Write(item.RedundancyTarget, NpgsqlDbType.Integer);
        _importer.Write(item.Claimed, NpgsqlDbType.Integer);
        _importer.Write(item.AnswerCount, NpgsqlDbType.Integer);
        _importer.Write(item.QaSample, NpgsqlDbType.Boolean);
        return ValueTask.CompletedTask;
    }

    public async Task CompleteAsync(CancellationToken cancellationToken) => await _importer.CompleteAsync(cancellationToken);

    // Disposing without CompleteAsync cancels the COPY: nothing of it stays in the transaction.
    public ValueTask DisposeAsync() => _importer.DisposeAsync();

    private void WriteNullable(string? value)
    {
        if (value is null)
        {
            _importer.WriteNull();
        }
        else
        {
            _importer.Write(value, NpgsqlDbType.Text);
        }
    }
}

/// <summary>SQLite: one prepared INSERT reused for every row, inside the import's transaction.</summary>
internal sealed class SqliteItemWriter : IItemBulkWriter
{
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter[] _parameters;

    public SqliteItemWriter(SqliteConnection connection, SqliteTransaction transaction, ItemTable table)
    {
        _insert = connection.CreateCommand();
        _insert.Transaction = transaction;
        _insert.CommandText = $"INSERT INTO \"{table.Name}\" ({table.QuotedColumns}) VALUES ({string.Join(", ", table.Columns.Select((_, i) => $"$p{i}"))})";
        _parameters = table.Columns.Select((_, i) => _insert.Parameters.Add(new SqliteParameter($"$p{i}", null))).ToArray();
        _insert.Prepare();
    }

    // SQLite's driver is synchronous underneath: the async call only adds a task per row.
    public ValueTask AddAsync(Item item, CancellationToken cancellationToken)
    {
        // Guids as upper-case text, the way EF Core's SQLite provider stores them, so queries by id match.
        _parameters[0].Value = item.Id.ToString().ToUpperInvariant();
        _parameters[1].Value = item.TenantId.ToString().ToUpperInvariant();
        _parameters[2].Value = item.BatchId.ToString().ToUpperInvariant();
        _parameters[3].Value = item.RowNumber;
        _parameters[4].Value = (object?)item.ExternalId ?? DBNull.Value;
        _parameters[5].Value = item.Data;
        _parameters[6].Value = (object?)item.GoldLabel ?? DBNull.Value;
        _parameters[7].Value = item.Status.ToString();
        _parameters[8].Value = item.RedundancyTarget;
        _parameters[9].Value = item.Claimed;
        _parameters[10].Value = item.AnswerCount;
        _parameters[11].Value = item.QaSample;
        _insert.ExecuteNonQuery();
        return ValueTask.CompletedTask;
    }

    public Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => _insert.DisposeAsync();
}

/// <summary>Any other provider (SQL Server): EF Core batched inserts, in chunks so the change tracker stays small.</summary>
internal sealed class EfItemWriter(CrowdLabelDbContext context) : IItemBulkWriter
{
    private const int ChunkSize = 2000;
    private readonly List<Item> _pending = new(ChunkSize);

    public async ValueTask AddAsync(Item item, CancellationToken cancellationToken)
    {
        _pending.Add(item);
        if (_pending.Count >= ChunkSize)
        {
            await FlushAsync(cancellationToken);
        }
    }

    public Task CompleteAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        context.Items.AddRange(_pending);
        await context.SaveChangesAsync(cancellationToken);
        foreach (var item in _pending)
        {
            context.Entry(item).State = EntityState.Detached;
        }

        _pending.Clear();
    }
}
