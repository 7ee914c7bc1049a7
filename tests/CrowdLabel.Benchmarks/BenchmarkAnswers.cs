using CrowdLabel.Core;
using CrowdLabel.Data;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Benchmarks;

/// <summary>
/// Answers written straight into the assignments table, as a worker's claims and answers would have left them:
/// answering tens of thousands of tasks through the services would take most of a benchmark's run.
/// </summary>
internal static class BenchmarkAnswers
{
    /// <summary>One submitted answer "yes" from each worker on every item (one statement each), and the items' counts to match.</summary>
    public static async Task AnswerEveryItemAsync(ICrowdLabelDb db, DatabaseProvider provider, IReadOnlyList<Guid> workers)
    {
        foreach (var worker in workers)
        {
            await AnswerItemsAsync(db, provider, worker, "1 = 1", "'yes'");
        }

        await SetAnswerCountsAsync(db, workers.Count);
    }

    /// <summary>Every item's taken slots and answer count, as <paramref name="answers"/> answers on each would have left them.</summary>
    public static Task SetAnswerCountsAsync(ICrowdLabelDb db, int answers) =>
        db.Items.ExecuteUpdateAsync(u => u.SetProperty(i => i.Claimed, answers).SetProperty(i => i.AnswerCount, answers));

    /// <summary>
    /// One submitted answer from the worker on each item that <paramref name="where"/> selects, with the label
    /// <paramref name="label"/> gives; both are SQL over the item's "RowNumber", written by the benchmark (never input).
    /// </summary>
    public static async Task AnswerItemsAsync(ICrowdLabelDb db, DatabaseProvider provider, Guid worker, string where, string label)
    {
        var postgres = provider == DatabaseProvider.Postgres;
        // On SQLite a Guid is text in EF Core's form (upper case, with dashes), so that lookups by id find it.
        var (id, workerId, leased, submitted) = postgres
            ? ("gen_random_uuid()", $"'{worker}'::uuid", "now() - interval '90 seconds'", "now() - interval '1 minute'")
            : ("substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)",
                $"'{worker.ToString().ToUpperInvariant()}'", "'2026-03-02 13:59:30'", "'2026-03-02 14:00:00'");
        var sql = $"""
            INSERT INTO "Assignments" ("Id", "TenantId", "BatchId", "ItemId", "WorkerId", "ProjectVersion", "Status", "LeasedAt", "LeaseExpiresAt", "SubmittedAt", "Label")
            SELECT {id}, "TenantId", "BatchId", "Id", {workerId}, 1, 'Submitted', {leased}, {submitted}, {submitted}, {label}
            FROM (SELECT {(postgres ? "''" : "hex(randomblob(16))")} AS h, "TenantId", "BatchId", "Id", "RowNumber" FROM "Items") AS items
            WHERE {where}
            """;
#pragma warning disable EF1002 // no input in it (above)
        await db.Database.ExecuteSqlRawAsync(sql);
#pragma warning restore EF1002
    }
}
