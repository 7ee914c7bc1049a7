using System.Data.Common;
using CrowdLabel.Core.Domain;

namespace CrowdLabel.Core.Work;

/// <summary>A lease the fast claim handed out (or gave back: the worker's oldest live one), with its item's data.</summary>
internal sealed record FastLease(Guid AssignmentId, DateTime LeaseExpiresAt, int ProjectVersion, string Data);

/// <summary>What the fast claim read about the batch (as <see cref="AssignmentService"/> reads it) and the lease it took, if any.</summary>
internal sealed record FastClaim(FoundBatch Found, FastLease? Lease);

/// <summary>
/// PostgreSQL only: the common claim and the common answer, each in ONE round trip on a pooled connection of the
/// data source EF shares (no context, no query building). They do exactly what <see cref="AssignmentService"/>'s
/// general path does, and only in the plain case: a claim of a real item with no gold due by a worker who may work on
/// the batch, an answer with a valid label to a live lease of a real item. Anything else changes nothing here and is
/// left to the general path, which gives the right result or message.
/// </summary>
public sealed class PostgresFastPath(DbDataSource dataSource, AnswerCounter counter)
{
    /// <summary>
    /// The pick of a real item, as both claims on PostgreSQL make it (this one and <see cref="AssignmentService"/>'s):
    /// an item of the batch in the status given, of the tenant, not gold, with a free slot, that this worker never had,
    /// in offer order (fewest answers, then least confident, then row), locked with the clause's tail given ("SKIP
    /// LOCKED" or nothing). Every argument is SQL: a parameter, or an expression of the enclosing statement; the
    /// condition comes first, so that a claim with no room reads no item.
    /// </summary>
    internal static string PickRealItem(string condition, string batch, string status, string tenant, string worker, string locking) => $"""
        SELECT i."Id" FROM "Items" AS i
        WHERE {condition}
          AND i."BatchId" = {batch} AND i."Status" = {status} AND i."TenantId" = {tenant}
          AND i."GoldLabel" IS NULL AND i."Claimed" < i."RedundancyTarget"
          AND NOT EXISTS (SELECT 1 FROM "Assignments" AS a WHERE a."ItemId" = i."Id" AND a."WorkerId" = {worker})
        ORDER BY i."AnswerCount", i."Confidence" NULLS FIRST, i."RowNumber"
        LIMIT 1
        FOR UPDATE {locking}
        """;

    /// <summary>
    /// The claim, one call of the database's claim_task_v1 (migration ClaimFunction of the PostgreSQL migrations): the
    /// worker's lock row; the batch, its project and the worker's standing (what <see cref="AssignmentService"/> checks
    /// before a claim, read for its refusal messages); and, only if the batch is published and the worker may take its
    /// tasks (the same rules as <c>ClaimRefusal</c>, never looser), the claim: if the worker's live leases are fewer than
    /// allowed and no gold is due, the best real item this worker never had (<see cref="PickRealItem"/>'s pick),
    /// skipping items another claim has locked, takes a slot and is leased; if they are not fewer, the oldest live lease
    /// comes back. Each of the function's statements takes its own snapshot, so what it reads after the lock row sees
    /// every lease committed before the lock. One statement of a PL/pgSQL function instead of one statement that did it
    /// all: the function sets up only the parts a claim needs (docs/benchmarks.md, the twentieth session).
    /// </summary>
    private const string Claim = """SELECT * FROM claim_task_v1($1, $2, $3, $4)""";

    /// <summary>
    /// A write that commits without waiting for its WAL to reach the disk (for its own transaction only): the claim (its
    /// function sets it) and the answer counter's rounds. Until its commit the claim holds its item's row, which the
    /// item's other claims skip and its answers wait for; the flush need not be part of that hold (the claim statement
    /// went from 1.36 to about 1.0 ms a call; docs/benchmarks.md, runs 31 to 33). What a crash of the database can lose
    /// is the last fraction of a second of claims, each whole (its slot and its lease together), which their workers see
    /// as leases that expired. Nothing else: an answer commits synchronously, and its flush makes durable all the WAL
    /// before it, its own claim's included; so do the jobs and every other write.
    /// </summary>
    internal const string AsynchronousCommit = "SELECT set_config('synchronous_commit', 'off', true)";

    /// <summary>
    /// Records the answer on a live lease of this worker, of a real item, with a label of the project version the task
    /// was shown under. The item's answer count follows once the answer has committed (<see cref="AnswerCounter"/>): the
    /// answer does not wait for the item's row, which its other answers hold until their commits reach the disk.
    /// </summary>
    private const string Answer = """
        UPDATE "Assignments" AS a SET "Status" = $4, "Label" = $5, "SubmittedAt" = $3
        WHERE a."Id" = $1 AND a."WorkerId" = $2 AND a."Status" = $6 AND a."LeaseExpiresAt" >= $3
          AND EXISTS (SELECT 1 FROM "Items" AS i WHERE i."Id" = a."ItemId" AND i."GoldLabel" IS NULL)
          AND EXISTS (SELECT 1 FROM "Batches" AS b JOIN "ProjectLabels" AS l ON l."ProjectId" = b."ProjectId"
                      WHERE b."Id" = a."BatchId" AND l."ProjectVersion" = a."ProjectVersion" AND l."Name" = $5)
        RETURNING a."BatchId", a."ItemId"
        """;

    /// <summary>The batch as the claim sees it and the lease taken, if any; null when the batch does not exist.</summary>
    internal async Task<FastClaim?> TryClaimAsync(Guid batchId, Guid workerId, DateTime now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Claim);
        AddArguments(command.Parameters, command.CreateParameter, [batchId, workerId, now, Guid.CreateVersion7()]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var batch = new Batch
        {
            Id = batchId, TenantId = reader.GetGuid(0), Status = Enum.Parse<BatchStatus>(reader.GetString(1)), ProjectVersion = reader.GetInt32(2),
        };
        var project = new Project
        {
            Id = reader.GetGuid(3), TenantId = batch.TenantId, Name = reader.GetString(4), ItemTemplate = reader.GetString(5),
            Instructions = reader.GetString(6), QualificationItemCount = reader.GetInt32(7),
        };
        var standing = reader.IsDBNull(8) ? null : new ProjectWorker
        {
            TenantId = batch.TenantId, ProjectId = project.Id, WorkerId = workerId, Status = Enum.Parse<ProjectWorkerStatus>(reader.GetString(8)),
            StatusReason = reader.IsDBNull(9) ? null : reader.GetString(9), QualifiedAt = reader.IsDBNull(10) ? null : Utc(reader.GetDateTime(10)),
        };
        var lease = reader.IsDBNull(12) ? null : new FastLease(reader.GetGuid(12), Utc(reader.GetDateTime(13)), reader.GetInt32(14), reader.GetString(15));
        return new FastClaim(new FoundBatch(batch, project, standing, reader.GetBoolean(11)), lease);
    }

    /// <summary>The answer's fast case: the batch of the answered assignment, or null when nothing was recorded.</summary>
    internal async Task<Guid?> TryAnswerAsync(Guid assignmentId, Guid workerId, string label, DateTime now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Answer);
        AddArguments(command.Parameters, command.CreateParameter,
            [assignmentId, workerId, now, nameof(AssignmentStatus.Submitted), label, nameof(AssignmentStatus.Leased)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        // The statement ran on its own, so it has committed once its row is read.
        counter.Count(reader.GetGuid(1));
        return reader.GetGuid(0);
    }

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    internal static DbBatchCommand Command(DbBatch batch, string sql, params object[] arguments)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = sql;
        AddArguments(command.Parameters, command.CreateParameter, arguments);
        return command;
    }

    /// <summary>Positional arguments ($1, $2, ...), in order.</summary>
    internal static void AddArguments(DbParameterCollection parameters, Func<DbParameter> create, object[] arguments)
    {
        foreach (var argument in arguments)
        {
            var parameter = create();
            parameter.Value = argument;
            parameters.Add(parameter);
        }
    }
}
