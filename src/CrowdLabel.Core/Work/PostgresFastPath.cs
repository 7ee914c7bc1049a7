using System.Data.Common;
using CrowdLabel.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Work;

/// <summary>A lease the fast claim handed out (or gave back: the worker's oldest live one), with its item's data.</summary>
internal sealed record FastLease(Guid AssignmentId, DateTime LeaseExpiresAt, int ProjectVersion, string Data);

/// <summary>
/// PostgreSQL only: the common claim and the common answer, each in ONE round trip, straight through the connection
/// EF holds (no query building). They do exactly what <see cref="AssignmentService"/>'s general path does, and only
/// in the plain case: a claim of a real item with no gold due, an answer with a valid label to a live lease of a real
/// item. Anything else (nothing found, every open item locked, gold due, a late or repeated answer, a wrong label, an
/// unknown assignment) changes nothing here and is left to the general path, which gives the right result or message.
/// </summary>
internal sealed class PostgresFastPath(ICrowdLabelDb db)
{
    /// <summary>
    /// The worker's lock row first (one worker's claims run one at a time, as in the general path); then, in the next
    /// statement of the same implicit transaction (so its snapshot sees every lease committed before the lock was
    /// granted): the worker's live leases; if they are fewer than allowed, the best real item this worker never had,
    /// skipping items another claim has locked, takes a slot and is leased; else the oldest live lease comes back.
    /// </summary>
    private const string ClaimTemplate = """
        WITH live AS (
            SELECT a."Id", a."ItemId", a."LeaseExpiresAt", a."ProjectVersion", a."LeasedAt"
            FROM "Assignments" AS a
            WHERE a."BatchId" = $1 AND a."WorkerId" = $2 AND a."Status" = $3 AND a."LeaseExpiresAt" >= $4),
        picked AS (
            SELECT i."Id" FROM "Items" AS i
            WHERE (SELECT count(*) FROM live) < $5
              AND EXISTS (SELECT 1 FROM "WorkerProfiles" AS w WHERE w."UserId" = $2)
              AND i."BatchId" = $1 AND i."Status" = $6 AND i."TenantId" = $7
              AND i."GoldLabel" IS NULL AND i."Claimed" < i."RedundancyTarget"
              AND NOT EXISTS (SELECT 1 FROM "Assignments" AS a WHERE a."ItemId" = i."Id" AND a."WorkerId" = $2)
              GOLD
            ORDER BY i."AnswerCount", i."Confidence" NULLS FIRST, i."RowNumber"
            LIMIT 1
            FOR UPDATE SKIP LOCKED),
        taken AS (
            UPDATE "Items" SET "Claimed" = "Claimed" + 1
            WHERE "Id" = (SELECT "Id" FROM picked) AND "Claimed" < "RedundancyTarget"
            RETURNING "Id", "Data"),
        leased AS (
            INSERT INTO "Assignments" ("Id", "TenantId", "BatchId", "ItemId", "WorkerId", "ProjectVersion", "Status", "LeasedAt", "LeaseExpiresAt")
            SELECT $8, $7, $1, taken."Id", $2, $9, $3, $4, $10 FROM taken
            RETURNING "Id", "ItemId", "LeaseExpiresAt", "ProjectVersion")
        SELECT leased."Id", leased."LeaseExpiresAt", leased."ProjectVersion", taken."Data"
        FROM leased JOIN taken ON taken."Id" = leased."ItemId"
        UNION ALL
        (SELECT live."Id", live."LeaseExpiresAt", live."ProjectVersion", i."Data"
         FROM live JOIN "Items" AS i ON i."Id" = live."ItemId"
         WHERE (SELECT count(*) FROM live) >= $5
         ORDER BY live."LeasedAt", live."Id"
         LIMIT 1)
        """;

    /// <summary>
    /// Gold is due while the worker's gold in the batch (answered or held) is below the gold ratio of all they answered or
    /// hold there, this task included (the general path's rule); then the fast claim takes nothing and the general path
    /// hands out gold.
    /// </summary>
    private const string NoGoldDue = """
        AND (SELECT count(*) FILTER (WHERE g."GoldLabel" IS NOT NULL) >= $11 * (count(*) + 1)
                   FROM "Assignments" AS h JOIN "Items" AS g ON g."Id" = h."ItemId"
                   WHERE h."BatchId" = $1 AND h."WorkerId" = $2 AND h."Status" <> $12 AND h."Status" <> $13)
        """;

    private const string LockWorker = """UPDATE "WorkerProfiles" SET "ClaimSequence" = "ClaimSequence" + 1 WHERE "UserId" = $1""";

    private static readonly string ClaimWithoutGold = ClaimTemplate.Replace("GOLD", "", StringComparison.Ordinal);

    private static readonly string ClaimWithGold = ClaimTemplate.Replace("GOLD", NoGoldDue, StringComparison.Ordinal);

    /// <summary>
    /// Records the answer on a live lease of this worker, of a real item, with a label of the project version the task
    /// was shown under, and counts it on the item: one statement, so both or neither happen.
    /// </summary>
    private const string Answer = """
        WITH answered AS (
            UPDATE "Assignments" AS a SET "Status" = $4, "Label" = $5, "SubmittedAt" = $3
            WHERE a."Id" = $1 AND a."WorkerId" = $2 AND a."Status" = $6 AND a."LeaseExpiresAt" >= $3
              AND EXISTS (SELECT 1 FROM "Items" AS i WHERE i."Id" = a."ItemId" AND i."GoldLabel" IS NULL)
              AND EXISTS (SELECT 1 FROM "Batches" AS b JOIN "ProjectLabels" AS l ON l."ProjectId" = b."ProjectId"
                          WHERE b."Id" = a."BatchId" AND l."ProjectVersion" = a."ProjectVersion" AND l."Name" = $5)
            RETURNING a."ItemId", a."BatchId")
        UPDATE "Items" AS i SET "AnswerCount" = i."AnswerCount" + 1
        FROM answered WHERE i."Id" = answered."ItemId"
        RETURNING answered."BatchId"
        """;

    /// <summary>The claim's fast case; null when it took nothing (the general path then decides).</summary>
    public async Task<FastLease?> TryClaimAsync(Batch batch, Project project, Guid workerId, DateTime now, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return null;
        }

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // One batch, one implicit transaction: the lock row is held until the claim statement has run.
            await using var commands = connection.CreateBatch();
            commands.BatchCommands.Add(Command(commands, LockWorker, workerId));
            List<object> arguments =
            [
                batch.Id, workerId, nameof(AssignmentStatus.Leased), now, Math.Max(1, project.MaxLeasesPerWorker),
                nameof(ItemStatus.Open), batch.TenantId, Guid.CreateVersion7(), batch.ProjectVersion,
                now.AddMinutes(Math.Max(1, project.LeaseMinutes)),
            ];
            if (project.GoldRatio > 0)
            {
                arguments.AddRange([project.GoldRatio, nameof(AssignmentStatus.Skipped), nameof(AssignmentStatus.Expired)]);
            }

            commands.BatchCommands.Add(Command(commands, project.GoldRatio > 0 ? ClaimWithGold : ClaimWithoutGold, [.. arguments]));
            await using var reader = await commands.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new FastLease(reader.GetGuid(0), DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc), reader.GetInt32(2), reader.GetString(3))
                : null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The answer's fast case: the batch of the answered assignment, or null when nothing was recorded.</summary>
    public async Task<Guid?> TryAnswerAsync(Guid assignmentId, Guid workerId, string label, DateTime now, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return null;
        }

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Answer;
            AddArguments(command.Parameters, command.CreateParameter,
                [assignmentId, workerId, now, nameof(AssignmentStatus.Submitted), label, nameof(AssignmentStatus.Leased)]);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? reader.GetGuid(0) : null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static DbBatchCommand Command(DbBatch batch, string sql, params object[] arguments)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = sql;
        AddArguments(command.Parameters, command.CreateParameter, arguments);
        return command;
    }

    /// <summary>Positional arguments ($1, $2, ...), in order.</summary>
    private static void AddArguments(DbParameterCollection parameters, Func<DbParameter> create, object[] arguments)
    {
        foreach (var argument in arguments)
        {
            var parameter = create();
            parameter.Value = argument;
            parameters.Add(parameter);
        }
    }
}
