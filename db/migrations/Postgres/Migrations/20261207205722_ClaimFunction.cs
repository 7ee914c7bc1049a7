using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.Postgres.Migrations
{
    /// <summary>
    /// claim_task_v1: the worker API's common claim as one PL/pgSQL function (CrowdLabel.Core's PostgresFastPath calls
    /// it), replacing the lock statement and the claim statement of one round trip. Its statements are the ones the
    /// site sent before, run one after another: each takes its own snapshot (the function is volatile), so what the
    /// claim reads after the worker's lock row sees every lease committed before the lock, as before; and the parts a
    /// claim does not need (the gold count with no gold, the oldest live lease when there is room) are not set up at
    /// all. The pick is AssignmentService's (PostgresFastPath.PickRealItem); a change to either rule is a new function
    /// (claim_task_v2) in a new migration, never an edit of this one. docs/benchmarks.md, the twentieth session.
    /// Dropped by the later migration DropClaimFunction: in the site it did not beat the statement it replaced.
    /// </summary>
    public partial class ClaimFunction : Migration
    {
        /// <summary>The function as this migration creates it (DropClaimFunction recreates it on the way down).</summary>
        internal const string CreateFunction = """
            CREATE FUNCTION claim_task_v1(batch_id uuid, worker_id uuid, claimed_at timestamptz, new_lease_id uuid)
            RETURNS TABLE (tenant_id uuid, batch_status text, batch_version int, project_id uuid, project_name text,
                           item_template text, instructions text, qualification_item_count int, standing text,
                           standing_reason text, qualified_at timestamptz, may_work boolean,
                           lease_id uuid, lease_expires_at timestamptz, lease_version int, item_data text)
            LANGUAGE plpgsql VOLATILE AS $$
            DECLARE
                found_batch record;
                is_worker boolean;
                live_leases int;
            BEGIN
                -- The claim's commit does not wait for the WAL flush (its own transaction only): the answer's does, and
                -- makes the claim durable with it.
                PERFORM set_config('synchronous_commit', 'off', true);
                -- The worker's lock row: one worker's claims run one at a time.
                UPDATE "WorkerProfiles" SET "ClaimSequence" = "ClaimSequence" + 1 WHERE "UserId" = worker_id;
                is_worker := FOUND;

                SELECT b."TenantId", b."Status", b."ProjectVersion", p."Id" AS "ProjectId", p."Name", p."ItemTemplate",
                       p."Instructions", p."LeaseMinutes", p."MaxLeasesPerWorker", p."GoldRatio", p."QualificationItemCount",
                       s."Status" AS "Standing", s."StatusReason", s."QualifiedAt",
                       (p."Visibility" <> 'PrivateWorkforce' OR EXISTS (SELECT 1 FROM "WorkforceMembers" AS m
                                                                        WHERE m."TenantId" = b."TenantId" AND m."WorkerId" = worker_id)) AS "MayWork"
                INTO found_batch
                FROM "Batches" AS b
                JOIN "Projects" AS p ON p."Id" = b."ProjectId"
                LEFT JOIN "ProjectWorkers" AS s ON s."TenantId" = b."TenantId" AND s."ProjectId" = p."Id" AND s."WorkerId" = worker_id
                WHERE b."Id" = batch_id;
                IF NOT FOUND THEN
                    RETURN;
                END IF;

                tenant_id := found_batch."TenantId"; batch_status := found_batch."Status"; batch_version := found_batch."ProjectVersion";
                project_id := found_batch."ProjectId"; project_name := found_batch."Name"; item_template := found_batch."ItemTemplate";
                instructions := found_batch."Instructions"; qualification_item_count := found_batch."QualificationItemCount";
                standing := found_batch."Standing"; standing_reason := found_batch."StatusReason";
                qualified_at := found_batch."QualifiedAt"; may_work := found_batch."MayWork";

                -- The claim rules (AssignmentService.ClaimRefusal, never looser): refused, the batch comes back without a lease.
                IF NOT (found_batch."MayWork" AND found_batch."Status" = 'Published'
                        AND (found_batch."Standing" IS NULL OR found_batch."Standing" = 'Active')
                        AND (found_batch."QualificationItemCount" <= 0 OR found_batch."QualifiedAt" IS NOT NULL)
                        AND is_worker) THEN
                    RETURN NEXT;
                    RETURN;
                END IF;

                SELECT count(*) INTO live_leases FROM "Assignments" AS a
                WHERE a."BatchId" = batch_id AND a."WorkerId" = worker_id AND a."Status" = 'Leased' AND a."LeaseExpiresAt" >= claimed_at;

                IF live_leases >= GREATEST(1, found_batch."MaxLeasesPerWorker") THEN
                    -- All the leases this worker may hold: the oldest comes back.
                    SELECT a."Id", a."LeaseExpiresAt", a."ProjectVersion", i."Data"
                    INTO lease_id, lease_expires_at, lease_version, item_data
                    FROM "Assignments" AS a JOIN "Items" AS i ON i."Id" = a."ItemId"
                    WHERE a."BatchId" = batch_id AND a."WorkerId" = worker_id AND a."Status" = 'Leased' AND a."LeaseExpiresAt" >= claimed_at
                    ORDER BY a."LeasedAt", a."Id"
                    LIMIT 1;
                ELSIF found_batch."GoldRatio" <= 0 OR (
                        SELECT count(*) FILTER (WHERE g."GoldLabel" IS NOT NULL) >= found_batch."GoldRatio" * (count(*) + 1)
                        FROM "Assignments" AS h JOIN "Items" AS g ON g."Id" = h."ItemId"
                        WHERE h."BatchId" = batch_id AND h."WorkerId" = worker_id AND h."Status" <> 'Skipped' AND h."Status" <> 'Expired') THEN
                    -- No gold due: the best real item this worker never had, skipping items another claim has locked,
                    -- takes a slot and is leased.
                    WITH picked AS (
                        SELECT i."Id" FROM "Items" AS i
                        WHERE i."BatchId" = batch_id AND i."Status" = 'Open' AND i."TenantId" = found_batch."TenantId"
                          AND i."GoldLabel" IS NULL AND i."Claimed" < i."RedundancyTarget"
                          AND NOT EXISTS (SELECT 1 FROM "Assignments" AS a WHERE a."ItemId" = i."Id" AND a."WorkerId" = worker_id)
                        ORDER BY i."AnswerCount", i."Confidence" NULLS FIRST, i."RowNumber"
                        LIMIT 1
                        FOR UPDATE SKIP LOCKED),
                    taken AS (
                        UPDATE "Items" AS i SET "Claimed" = i."Claimed" + 1
                        WHERE i."Id" = (SELECT picked."Id" FROM picked) AND i."Claimed" < i."RedundancyTarget"
                        RETURNING i."Id", i."Data"),
                    leased AS (
                        INSERT INTO "Assignments" ("Id", "TenantId", "BatchId", "ItemId", "WorkerId", "ProjectVersion", "Status", "LeasedAt", "LeaseExpiresAt")
                        SELECT new_lease_id, found_batch."TenantId", batch_id, taken."Id", worker_id, found_batch."ProjectVersion", 'Leased', claimed_at,
                               claimed_at + make_interval(mins => GREATEST(1, found_batch."LeaseMinutes"))
                        FROM taken
                        RETURNING "Assignments"."Id", "Assignments"."ItemId", "Assignments"."LeaseExpiresAt", "Assignments"."ProjectVersion")
                    SELECT leased."Id", leased."LeaseExpiresAt", leased."ProjectVersion", taken."Data"
                    INTO lease_id, lease_expires_at, lease_version, item_data
                    FROM leased JOIN taken ON taken."Id" = leased."ItemId";
                END IF;

                RETURN NEXT;
            END
            $$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(CreateFunction);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION claim_task_v1(uuid, uuid, timestamptz, uuid);");
        }
    }
}
