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
    /// One statement: the batch, its project and the worker's standing (what <see cref="AssignmentService"/> checks
    /// before a claim, read for its refusal messages); and, only if the batch is published and the worker may take its
    /// tasks (the same rules as <c>ClaimRefusal</c>, never looser), the claim: the worker's live leases; if they are
    /// fewer than allowed and no gold is due (<see cref="AssignmentService.GoldDue"/>, with the claim's draw as $12), the
    /// best real item this worker never had, skipping items another claim has locked, takes a slot and is leased; if they are not fewer, the oldest live lease comes back. It runs after the
    /// worker's lock row in the same implicit transaction, so its snapshot sees every lease committed before the lock.
    /// The live leases' status is written in, not passed: only then can the generic plan use the index of live leases.
    /// </summary>
    private static readonly string Claim = $"""
        WITH found AS (
            SELECT b."TenantId", b."Status", b."ProjectVersion", p."Id" AS "ProjectId", p."Name", p."ItemTemplate",
                   p."Instructions", p."LeaseMinutes", p."MaxLeasesPerWorker", p."GoldRatio", p."QualificationItemCount",
                   s."Status" AS "Standing", s."StatusReason", s."QualifiedAt",
                   (p."Visibility" <> $3 OR EXISTS (SELECT 1 FROM "WorkforceMembers" AS m
                                                    WHERE m."TenantId" = b."TenantId" AND m."WorkerId" = $2)) AS "MayWork"
            FROM "Batches" AS b
            JOIN "Projects" AS p ON p."Id" = b."ProjectId"
            LEFT JOIN "ProjectWorkers" AS s ON s."TenantId" = b."TenantId" AND s."ProjectId" = p."Id" AND s."WorkerId" = $2
            WHERE b."Id" = $1),
        open AS (
            SELECT * FROM found
            WHERE "MayWork" AND "Status" = $4 AND ("Standing" IS NULL OR "Standing" = $5)
              AND ("QualificationItemCount" <= 0 OR "QualifiedAt" IS NOT NULL)
              AND EXISTS (SELECT 1 FROM "WorkerProfiles" AS w WHERE w."UserId" = $2)),
        live AS (
            SELECT a."Id", a."ItemId", a."LeaseExpiresAt", a."ProjectVersion", a."LeasedAt"
            FROM "Assignments" AS a
            WHERE a."BatchId" = $1 AND a."WorkerId" = $2 AND a."Status" = '{nameof(AssignmentStatus.Leased)}' AND a."LeaseExpiresAt" >= $7
              AND EXISTS (SELECT 1 FROM open)),
        room AS (
            SELECT * FROM open
            WHERE (SELECT count(*) FROM live) < GREATEST(1, open."MaxLeasesPerWorker")
              AND (open."GoldRatio" <= 0 OR (
                   SELECT count(*) FILTER (WHERE g."GoldLabel" IS NOT NULL) >= open."GoldRatio" * (count(*) + 1) - $12
                   FROM "Assignments" AS h JOIN "Items" AS g ON g."Id" = h."ItemId"
                   WHERE h."BatchId" = $1 AND h."WorkerId" = $2 AND h."Status" <> $8 AND h."Status" <> $9))),
        picked AS (
            {PickRealItem("EXISTS (SELECT 1 FROM room)", "$1", "$10", "(SELECT \"TenantId\" FROM found)", "$2", "SKIP LOCKED")}),
        taken AS (
            UPDATE "Items" SET "Claimed" = "Claimed" + 1
            WHERE "Id" = (SELECT "Id" FROM picked) AND "Claimed" < "RedundancyTarget"
            RETURNING "Id", "Data"),
        leased AS (
            INSERT INTO "Assignments" ("Id", "TenantId", "BatchId", "ItemId", "WorkerId", "ProjectVersion", "Status", "LeasedAt", "LeaseExpiresAt")
            SELECT $11, room."TenantId", $1, taken."Id", $2, room."ProjectVersion", $6, $7,
                   $7 + make_interval(mins => GREATEST(1, room."LeaseMinutes"))
            FROM taken, room
            RETURNING "Id", "ItemId", "LeaseExpiresAt", "ProjectVersion"),
        lease AS (
            SELECT leased."Id", leased."LeaseExpiresAt", leased."ProjectVersion", taken."Data"
            FROM leased JOIN taken ON taken."Id" = leased."ItemId"
            UNION ALL
            (SELECT live."Id", live."LeaseExpiresAt", live."ProjectVersion", i."Data"
             FROM live JOIN "Items" AS i ON i."Id" = live."ItemId"
             WHERE (SELECT count(*) FROM live) >= (SELECT GREATEST(1, "MaxLeasesPerWorker") FROM open)
             ORDER BY live."LeasedAt", live."Id"
             LIMIT 1))
        SELECT found."TenantId", found."Status", found."ProjectVersion", found."ProjectId", found."Name", found."ItemTemplate",
               found."Instructions", found."QualificationItemCount", found."Standing", found."StatusReason", found."QualifiedAt",
               found."MayWork", lease."Id", lease."LeaseExpiresAt", lease."ProjectVersion", lease."Data"
        FROM found LEFT JOIN lease ON TRUE
        """;

    /// <summary>
    /// The claim commits without waiting for its WAL to reach the disk (for its own transaction only). Until its commit the
    /// claim holds its item's row, which the item's other claims skip and its answers wait for; the flush need not be part
    /// of that hold (the claim statement went from 1.36 to about 1.0 ms a call; docs/benchmarks.md, runs 31 to 33). What
    /// a crash of the database can lose is the last fraction of a second of claims, each whole (its slot and its lease
    /// together), which their workers see as leases that expired. Nothing else: an answer commits synchronously, and its
    /// flush makes durable all the WAL before it, its own claim's included; so do the jobs and every other write.
    /// </summary>
    internal const string AsynchronousCommit = "SELECT set_config('synchronous_commit', 'off', true)";

    private const string LockWorker = """UPDATE "WorkerProfiles" SET "ClaimSequence" = "ClaimSequence" + 1 WHERE "UserId" = $1""";

    /// <summary>
    /// Records the answer on a live lease of this worker, of a real item, in a batch that takes answers (published or
    /// paused), with a label of the project version the task was shown under. The item's answer count follows once the
    /// answer has committed (<see cref="AnswerCounter"/>): the answer does not wait for the item's row, which its other
    /// answers hold until their commits reach the disk.
    /// </summary>
    private const string Answer = """
        UPDATE "Assignments" AS a SET "Status" = $4, "Label" = $5, "SubmittedAt" = $3
        WHERE a."Id" = $1 AND a."WorkerId" = $2 AND a."Status" = $6 AND a."LeaseExpiresAt" >= $3
          AND EXISTS (SELECT 1 FROM "Items" AS i WHERE i."Id" = a."ItemId" AND i."GoldLabel" IS NULL)
          AND EXISTS (SELECT 1 FROM "Batches" AS b JOIN "ProjectLabels" AS l ON l."ProjectId" = b."ProjectId"
                      WHERE b."Id" = a."BatchId" AND b."Status" IN ($7, $8)
                        AND l."ProjectVersion" = a."ProjectVersion" AND l."Name" = $5)
        RETURNING a."BatchId", a."ItemId"
        """;

    /// <summary>The batch as the claim sees it and the lease taken, if any; null when the batch does not exist.</summary>
    internal async Task<FastClaim?> TryClaimAsync(Guid batchId, Guid workerId, DateTime now, double goldDraw, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One batch, one implicit transaction: the commit mode is set for it alone, and the lock row is held until the
        // claim statement has run. The first result is the setting's.
        await using var commands = connection.CreateBatch();
        commands.BatchCommands.Add(Command(commands, AsynchronousCommit));
        commands.BatchCommands.Add(Command(commands, LockWorker, workerId));
        commands.BatchCommands.Add(Command(commands, Claim,
            batchId, workerId, nameof(ProjectVisibility.PrivateWorkforce), nameof(BatchStatus.Published), nameof(ProjectWorkerStatus.Active),
            nameof(AssignmentStatus.Leased), now, nameof(AssignmentStatus.Skipped), nameof(AssignmentStatus.Expired), nameof(ItemStatus.Open),
            Guid.CreateVersion7(), goldDraw));
        await using var reader = await commands.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
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
            [assignmentId, workerId, now, nameof(AssignmentStatus.Submitted), label, nameof(AssignmentStatus.Leased),
                nameof(BatchStatus.Published), nameof(BatchStatus.Paused)]);
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
