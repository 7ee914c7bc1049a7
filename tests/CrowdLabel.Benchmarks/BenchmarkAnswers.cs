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
    /// <summary>One submitted answer from the worker on every item, written in one statement.</summary>
    public static async Task AnswerEveryItemAsync(ICrowdLabelDb db, DatabaseProvider provider, Guid worker)
    {
        var postgres = provider == DatabaseProvider.Postgres;
        // The values are the benchmark's own (a Guid and constants), never input.
        // On SQLite a Guid is text in EF Core's form (upper case, with dashes), so that lookups by id find it.
        var (id, workerId, leased, submitted) = postgres
            ? ("gen_random_uuid()", $"'{worker}'::uuid", "now() - interval '30 seconds'", "now()")
            : ("substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)",
                $"'{worker.ToString().ToUpperInvariant()}'", "'2026-03-02 13:59:30'", "'2026-03-02 14:00:00'");
        var sql = $"""
            INSERT INTO "Assignments" ("Id", "TenantId", "BatchId", "ItemId", "WorkerId", "ProjectVersion", "Status", "LeasedAt", "LeaseExpiresAt", "SubmittedAt", "Label")
            SELECT {id}, "TenantId", "BatchId", "Id", {workerId}, 1, 'Submitted', {leased}, {submitted}, {submitted}, 'yes'
            FROM (SELECT {(postgres ? "''" : "hex(randomblob(16))")} AS h, "TenantId", "BatchId", "Id" FROM "Items") AS items
            """;
#pragma warning disable EF1002 // no input in it (above)
        await db.Database.ExecuteSqlRawAsync(sql);
#pragma warning restore EF1002
    }
}
