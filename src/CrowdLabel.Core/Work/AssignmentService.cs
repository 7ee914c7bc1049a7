using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Qualification;
using CrowdLabel.Core.Quality;
using CrowdLabel.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdLabel.Core.Work;

/// <summary>
/// The assignment engine (DESIGN.md, "The life of a batch", steps 4 and 5): leases items to workers, takes their
/// answers, and frees leases that are given back or run out.
/// <para>
/// It keeps two invariants under any concurrency, on every provider: no item ever has more live leases plus answers
/// than its redundancy target (<see cref="Item.Claimed"/> counts exactly those, and a slot is taken by one conditional
/// UPDATE that checks the count in the same statement), and no worker is ever assigned an item twice (the claim only
/// looks at items the worker never had, and the unique index on (item, worker) stands behind it).
/// </para>
/// <para>
/// Workers are global accounts, not tenant members: a worker's request has no current tenant. Each operation finds its
/// batch or assignment past the tenant filter, checks that this worker may see it, and then makes its tenant current
/// for the rest of the operation, so the filter and the write guard apply as usual. One scope serves one tenant.
/// </para>
/// </summary>
public sealed class AssignmentService(
    ICrowdLabelDb db,
    TenantContext tenantContext,
    TimeProvider clock,
    TaskLabelCache labelCache,
    IOptions<QualityOptions> quality,
    PostgresFastPath? fastPath = null)
{
    /// <summary>The errors-map key of a refusal because the worker's lease on the task has ended (the API answers 409).</summary>
    public const string LeaseErrorKey = "lease";

    /// <summary>Items tried per round of a claim; a round whose items all filled up meanwhile is followed by a fresh one.</summary>
    private const int CandidatesPerRound = 8;

    private const int MaxRounds = 20;

    /// <summary>Expired leases of one batch a claim frees on its way; the job frees any others.</summary>
    private const int LazyExpiryLimit = 100;

    private const int JobChunk = 500;

    private const int MaxAttempts = 4;

    /// <summary>
    /// The claims of a real item on PostgreSQL, skipping locked items and then waiting for them; the tenant is named
    /// explicitly, as raw SQL bypasses the tenant filter. The UPDATE checks the locked row's slot count again.
    /// </summary>
    private static readonly string[] PostgresClaims = [.. new[] { "SKIP LOCKED", "" }.Select(locking => $"""
        UPDATE "Items" SET "Claimed" = "Claimed" + 1
        WHERE "Id" = (
            {PostgresFastPath.PickRealItem("TRUE", "{0}", "{1}", "{2}", "{3}", locking)})
          AND "Claimed" < "RedundancyTarget"
        RETURNING "Id" AS "Value"
        """)];

    private const string GivenBack = "You gave this task back, so it can no longer be answered. Take the next task.";

    private static readonly AnswerInputValidator AnswerValidator = new();
    private static readonly ProblemInputValidator ProblemValidator = new();

    /// <summary>
    /// Leases the next item of a batch to a worker: an item this worker never had, with an open slot, fewest answers
    /// first, then least confident; gold items come in at the project's gold ratio. A worker already holding as many
    /// live leases in the batch as the project allows gets their oldest one back (so a repeated claim is harmless).
    /// Refused, with nothing changed, when the batch is not open or the worker may not work on its project; not found
    /// when the batch does not exist or is private to a workforce the worker is not in.
    /// </summary>
    public async Task<Result<ClaimOutcome>> ClaimAsync(Guid batchId, Guid workerId, CancellationToken cancellationToken = default)
    {
        // One draw decides whether gold is due, for the fast path and the general one alike (GoldDue).
        var goldDraw = RandomNumberGenerator.GetInt32(int.MaxValue) / (double)int.MaxValue;
        if (fastPath is not null && await ClaimFastAsync(fastPath, batchId, workerId, goldDraw, cancellationToken) is { } decided)
        {
            return decided;
        }

        var found = await FindBatchAsync(batchId, workerId, cancellationToken);
        if (found is null)
        {
            return Result<ClaimOutcome>.NotFound();
        }

        if (ClaimRefusal(found) is { } refusal)
        {
            return Result<ClaimOutcome>.Invalid("", refusal);
        }

        var (batch, project) = (found.Batch, found.Project);
        return await RetryTransientAsync(() => ClaimOnceAsync(batch, project, workerId, goldDraw, cancellationToken));
    }

    /// <summary>The task of an assignment the worker holds now (for showing it again); not found for any other assignment.</summary>
    public async Task<Result<WorkTask>> GetTaskAsync(Guid assignmentId, Guid workerId, CancellationToken cancellationToken = default)
    {
        var held = await FindAssignmentAsync(assignmentId, workerId, cancellationToken);
        if (held is null || held.Assignment.Status != AssignmentStatus.Leased || held.Assignment.LeaseExpiresAt < Now())
        {
            return Result<WorkTask>.NotFound();
        }

        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == held.ProjectId, cancellationToken);
        return Result<WorkTask>.Success(await TaskOfAsync(held.Assignment, project, cancellationToken));
    }

    /// <summary>
    /// Records the worker's answer. Idempotent: once answered, any further submit returns the first answer unchanged.
    /// A label outside the project version the task was shown under is refused; so is an answer after the lease ended
    /// (the lease is freed then, if the job has not freed it yet), and one in a batch that was cancelled or completed,
    /// which could never be paid for.
    /// </summary>
    public async Task<Result<AssignmentReceipt>> SubmitAsync(
        Guid assignmentId, Guid workerId, AnswerInput input, CancellationToken cancellationToken = default)
    {
        // Pure, so checked once: the fast path records only valid answers, and the general path reports the errors.
        var validation = await AnswerValidator.ValidateAsync(input, cancellationToken);
        if (fastPath is not null && validation.IsValid)
        {
            var (given, now) = (input.Label.Trim(), Now());
            if (await RetryTransientAsync(() => fastPath.TryAnswerAsync(assignmentId, workerId, given, now, cancellationToken)) is { } batchId)
            {
                return Result<AssignmentReceipt>.Success(new AssignmentReceipt(assignmentId, batchId, AssignmentStatus.Submitted, given, now, ProblemReport: null));
            }
        }

        var held = await FindAssignmentAsync(assignmentId, workerId, cancellationToken);
        if (held is null)
        {
            return Result<AssignmentReceipt>.NotFound();
        }

        if (AnsweredAssignments.Is(held.Assignment.Status))
        {
            return Result<AssignmentReceipt>.Success(AssignmentReceipt.Of(held.Assignment));
        }

        if (ClosedToAnswers(held.BatchStatus) is { } closed)
        {
            // The close of the batch ended its leases; one a claim took while the batch was closing ends now.
            await EndLeaseAsync(held.Assignment, endedBefore: null, cancellationToken);
            return Result<AssignmentReceipt>.Invalid(LeaseErrorKey, closed);
        }

        if (await EndedLeaseAsync(held.Assignment, cancellationToken) is { } ended)
        {
            return Result<AssignmentReceipt>.Invalid(LeaseErrorKey, ended);
        }

        if (!validation.IsValid)
        {
            return Result<AssignmentReceipt>.Invalid(validation);
        }

        var labels = (await labelCache.GetAsync(db, held.ProjectId, held.Assignment.ProjectVersion, cancellationToken)).Select(l => l.Name).ToList();
        var label = input.Label.Trim();
        if (!labels.Contains(label, StringComparer.Ordinal))
        {
            return Result<AssignmentReceipt>.Invalid(nameof(AnswerInput.Label), $"\"{label}\" is not one of the labels: {string.Join(", ", labels)}.");
        }

        return await RetryTransientAsync(() => AnswerOnceAsync(held, label, cancellationToken));
    }

    /// <summary>Gives the item back without answering; the worker is never offered it again. Idempotent.</summary>
    public Task<Result<AssignmentReceipt>> SkipAsync(Guid assignmentId, Guid workerId, CancellationToken cancellationToken = default) =>
        GiveBackAsync(assignmentId, workerId, problem: null, cancellationToken);

    /// <summary>Gives the item back with a report of what is wrong with it; the worker is never offered it again.</summary>
    public async Task<Result<AssignmentReceipt>> ReportProblemAsync(
        Guid assignmentId, Guid workerId, ProblemInput input, CancellationToken cancellationToken = default)
    {
        var validation = await ProblemValidator.ValidateAsync(input, cancellationToken);
        return validation.IsValid
            ? await GiveBackAsync(assignmentId, workerId, input.Problem.Trim(), cancellationToken)
            : Result<AssignmentReceipt>.Invalid(validation);
    }

    /// <summary>Frees every lease, in every tenant, that ended before <paramref name="now"/>; returns how many it freed.</summary>
    public async Task<int> ExpireLeasesAsync(DateTime now, CancellationToken cancellationToken = default)
    {
        var freed = 0;
        while (true)
        {
            // The job acts for no tenant and frees the leases of all of them, so it reads past the tenant filter; each
            // lease is then freed by its id and its own tenant (ExpireAsync), never by a query that could reach other rows.
            var leases = await db.Assignments.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking()
                .Where(a => a.Status == AssignmentStatus.Leased && a.LeaseExpiresAt < now)
                .OrderBy(a => a.LeaseExpiresAt).Take(JobChunk)
                .Select(a => new Lease(a.Id, a.TenantId, a.ItemId))
                .ToListAsync(cancellationToken);
            foreach (var lease in leases)
            {
                freed += await RetryTransientAsync(async () =>
                {
                    await using var transaction = await SqliteWriteGate.BeginTransactionAsync(db, cancellationToken);
                    var expired = await ExpireAsync(lease, now, cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    return expired ? 1 : 0;
                });
            }

            // A lease that was not freed here was answered, given back or freed by someone else: no query returns it again.
            if (leases.Count < JobChunk)
            {
                return freed;
            }
        }
    }

    /// <summary>"Your lease on this task ended at 14:05 UTC; ...": the refusal of an answer that came too late.</summary>
    public static string LeaseEndedMessage(DateTime leaseExpiresAt) =>
        $"Your lease on this task ended at {leaseExpiresAt.ToString("HH:mm", CultureInfo.InvariantCulture)} UTC; the task went back to the pool. Take the next task.";

    /// <summary>
    /// The claim in one round trip on PostgreSQL: decided when the batch is not found, the worker is refused, or a task
    /// was leased; null when the general path must decide (nothing found at once, gold due, not a worker account).
    /// </summary>
    private async Task<Result<ClaimOutcome>?> ClaimFastAsync(
        PostgresFastPath postgres, Guid batchId, Guid workerId, double goldDraw, CancellationToken cancellationToken)
    {
        var fast = await RetryTransientAsync(() => postgres.TryClaimAsync(batchId, workerId, Now(), goldDraw, cancellationToken));
        if (fast is null || !fast.Found.MayWork)
        {
            return Result<ClaimOutcome>.NotFound();
        }

        tenantContext.Set(fast.Found.Batch.TenantId);
        if (ClaimRefusal(fast.Found) is { } refusal)
        {
            return fast.Lease is null
                ? Result<ClaimOutcome>.Invalid("", refusal)
                : throw new InvalidOperationException($"The fast claim leased a task the claim rules refuse ({refusal}): {nameof(PostgresFastPath)} must keep to {nameof(ClaimRefusal)}.");
        }

        if (fast.Lease is not { } lease)
        {
            return null;
        }

        var project = fast.Found.Project;
        var labels = await labelCache.GetAsync(db, project.Id, lease.ProjectVersion, cancellationToken);
        return Result<ClaimOutcome>.Success(new ClaimOutcome(TaskOf(lease.AssignmentId, batchId, lease.Data, project, labels, lease.LeaseExpiresAt)));
    }

    private async Task<Result<ClaimOutcome>> ClaimOnceAsync(Batch batch, Project project, Guid workerId, double goldDraw, CancellationToken cancellationToken)
    {
        var now = Now();
        Assignment? assignment;
        await using (var transaction = await SqliteWriteGate.BeginTransactionAsync(db, cancellationToken))
        {
            // The worker's lock row, first: one worker's claims run one at a time on every provider (SQLite runs all
            // writers one at a time anyway), so the lease count and the "never had this item" check below cannot race
            // with another claim of the same worker.
            var isWorker = await db.WorkerProfiles.Where(w => w.UserId == workerId)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.ClaimSequence, w => w.ClaimSequence + 1), cancellationToken);
            if (isWorker == 0)
            {
                return Result<ClaimOutcome>.Invalid("", "Only worker accounts take tasks.");
            }

            // A worker who already holds all the leases they may hold gets the oldest back: a reloaded page or a repeated
            // API call takes nothing more.
            var live = await LiveLeases(batch.Id, workerId, now).ToListAsync(cancellationToken);
            if (live.Count >= MaxLeases(project))
            {
                assignment = live[0];
            }
            else
            {
                var gold = await PrefersGoldAsync(batch, project, workerId, goldDraw, cancellationToken);
                assignment = await TakeEitherAsync(batch, project, workerId, gold, now, cancellationToken);
                // Leases that ran out hold slots the job has not freed yet: free this batch's and look again, only when they
                // stand in the way (a claim that finds work costs no extra query).
                if (assignment is null && await ExpireInBatchAsync(batch.Id, now, cancellationToken) > 0)
                {
                    assignment = await TakeEitherAsync(batch, project, workerId, gold, now, cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return Result<ClaimOutcome>.Success(assignment is null ? ClaimOutcome.NothingLeft : new ClaimOutcome(await TaskOfAsync(assignment, project, cancellationToken)));
    }

    /// <summary>The worker's leases in the batch that have not ended, oldest first.</summary>
    private IQueryable<Assignment> LiveLeases(Guid batchId, Guid workerId, DateTime now) =>
        db.Assignments.AsNoTracking()
            .Where(a => a.BatchId == batchId && a.WorkerId == workerId && a.Status == AssignmentStatus.Leased && a.LeaseExpiresAt >= now)
            .OrderBy(a => a.LeasedAt).ThenBy(a => a.Id);

    /// <summary>
    /// Whether gold is due, by randomized rounding: with <c>owed</c> the gold ratio of all this worker answered or holds in
    /// the batch, this task included, less the gold among them, gold is due with chance <c>owed</c> (never below 0, and
    /// certain from 1). So in every run of 1 / ratio tasks (10 at 10%) exactly one is gold, and where in the run it falls
    /// is drawn: a worker cannot tell gold by its place (their first task is gold only at the ratio's chance). The same
    /// rule is written in SQL in <see cref="PostgresFastPath"/>, with the same draw.
    /// </summary>
    internal static bool GoldDue(double ratio, int all, int gold, double draw) => gold < ratio * (all + 1) - draw;

    private async Task<bool> PrefersGoldAsync(Batch batch, Project project, Guid workerId, double goldDraw, CancellationToken cancellationToken)
    {
        if (project.GoldRatio <= 0)
        {
            return false;
        }

        var held = db.Assignments.Where(a => a.BatchId == batch.Id && a.WorkerId == workerId &&
                                             a.Status != AssignmentStatus.Skipped && a.Status != AssignmentStatus.Expired);
        var all = await held.CountAsync(cancellationToken);
        var gold = await held.CountAsync(a => db.Items.Any(i => i.Id == a.ItemId && i.GoldLabel != null), cancellationToken);
        return GoldDue(project.GoldRatio, all, gold, goldDraw);
    }

    /// <summary>
    /// Gold comes only when it is due and there is real work beside it: a task handed out when the marketplace shows none
    /// left would be gold, and so tell itself apart. When the gold is used up, real work goes on.
    /// </summary>
    private async Task<Assignment?> TakeEitherAsync(Batch batch, Project project, Guid workerId, bool gold, DateTime now, CancellationToken cancellationToken)
    {
        if (gold && !await Candidates(batch.Id, project, workerId, gold: false).AnyAsync(cancellationToken))
        {
            return null;
        }

        return await TakeAsync(batch, project, workerId, gold, now, cancellationToken)
               ?? (gold ? await TakeAsync(batch, project, workerId, gold: false, now, cancellationToken) : null);
    }

    /// <summary>Takes a slot on the best item of one kind (gold or real) and leases it to the worker; null when none is left.</summary>
    private async Task<Assignment?> TakeAsync(Batch batch, Project project, Guid workerId, bool gold, DateTime now, CancellationToken cancellationToken)
    {
        if (!gold && IsPostgres)
        {
            // One statement finds the item and takes its slot; nothing is left to race for, so no rounds.
            var taken = await TakeNextOnPostgresAsync(batch, workerId, cancellationToken);
            return taken is { } itemId ? await LeaseWithoutSavepointAsync(batch, project, workerId, itemId, now, cancellationToken) : null;
        }

        for (var round = 0; round < MaxRounds; round++)
        {
            // Read without locks: the list can be stale by the time a slot is taken, which the conditional UPDATE settles.
            var candidates = await Candidates(batch.Id, project, workerId, gold).Take(CandidatesPerRound).Select(i => i.Id).ToListAsync(cancellationToken);
            if (candidates.Count == 0)
            {
                return null;
            }

            foreach (var itemId in candidates)
            {
                if (await TakeSlotAsync(itemId, gold, cancellationToken) &&
                    await LeaseAsync(batch, project, workerId, itemId, now, cancellationToken) is { } assignment)
                {
                    return assignment;
                }
            }
        }

        return null;
    }

    /// <summary>Records the lease of an item whose slot this claim has just taken; null (slot given back) if the worker had it before.</summary>
    private async Task<Assignment?> LeaseAsync(Batch batch, Project project, Guid workerId, Guid itemId, DateTime now, CancellationToken cancellationToken)
    {
        var assignment = new Assignment
        {
            Id = Guid.CreateVersion7(), TenantId = batch.TenantId, BatchId = batch.Id, ItemId = itemId, WorkerId = workerId,
            ProjectVersion = batch.ProjectVersion, Status = AssignmentStatus.Leased, LeasedAt = now,
            LeaseExpiresAt = now.AddMinutes(Math.Max(1, project.LeaseMinutes)),
        };
        return await InsertAsync(assignment, cancellationToken) ? assignment : null;
    }

    /// <summary>
    /// The PostgreSQL claim already excluded items the worker had, under the worker's lock row, so the insert cannot hit
    /// the unique index: it needs no savepoint to recover from that, which saves two round trips.
    /// </summary>
    private async Task<Assignment?> LeaseWithoutSavepointAsync(
        Batch batch, Project project, Guid workerId, Guid itemId, DateTime now, CancellationToken cancellationToken)
    {
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            return await LeaseAsync(batch, project, workerId, itemId, now, cancellationToken);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = true;
        }
    }

    /// <summary>
    /// PostgreSQL: picks the best real item this worker never had and takes one of its slots, in ONE statement. The pick
    /// walks the claim index in offer order and first skips rows another claim has locked (SKIP LOCKED), so concurrent
    /// workers spread over the next equally good items instead of queueing on the first one. Only when every open item is
    /// locked that way does it wait for them (a plain FOR UPDATE, which re-checks each row once its lock is released), so a
    /// claim never reports "nothing left" while a slot remains. The UPDATE checks the locked row's slot count again.
    /// </summary>
    private async Task<Guid?> TakeNextOnPostgresAsync(Batch batch, Guid workerId, CancellationToken cancellationToken)
    {
        foreach (var statement in PostgresClaims)
        {
            var taken = await db.Database.SqlQueryRaw<Guid>(statement, batch.Id, nameof(ItemStatus.Open), batch.TenantId, workerId)
                .ToListAsync(cancellationToken);
            if (taken.Count == 1)
            {
                return taken[0];
            }
        }

        return null;
    }

    /// <summary>Frees the batch's leases that ran out (at most <see cref="LazyExpiryLimit"/>) inside the caller's transaction.</summary>
    private async Task<int> ExpireInBatchAsync(Guid batchId, DateTime now, CancellationToken cancellationToken)
    {
        var expired = await db.Assignments.AsNoTracking()
            .Where(a => a.BatchId == batchId && a.Status == AssignmentStatus.Leased && a.LeaseExpiresAt < now)
            .OrderBy(a => a.ItemId).Take(LazyExpiryLimit)
            .Select(a => new Lease(a.Id, a.TenantId, a.ItemId))
            .ToListAsync(cancellationToken);
        var freed = 0;
        foreach (var lease in expired)
        {
            freed += await ExpireAsync(lease, now, cancellationToken) ? 1 : 0;
        }

        return freed;
    }

    /// <summary>
    /// Open items of the batch this worker never had, of one kind, in the order they should be offered. Gold excludes
    /// the project's qualification test items: every worker on such a project has answered them in the test, so as
    /// gold tasks they would score memory, not work.
    /// </summary>
    private IQueryable<Item> Candidates(Guid batchId, Project project, Guid workerId, bool gold)
    {
        var open = db.Items.AsNoTracking().Where(i => i.BatchId == batchId && i.Status == ItemStatus.Open &&
                                                      !db.Assignments.Any(a => a.ItemId == i.Id && a.WorkerId == workerId));
        var ofKind = gold
            ? open.Where(i => i.GoldLabel != null)
            : open.Where(i => i.GoldLabel == null && i.Claimed < i.RedundancyTarget);
        if (gold && project.QualificationItemCount > 0)
        {
            var testItems = QualificationService.TestItems(db, project.Id, project.QualificationItemCount).Select(t => t.Id);
            ofKind = ofKind.Where(i => !testItems.Contains(i.Id));
        }

        // Fewest answers first, then least certain, in the order of the claim index: an item with no consensus yet counts
        // as least certain, as SQLite and SQL Server sort nulls first (PostgreSQL claims real items in its own statement).
        return ofKind.OrderBy(i => i.AnswerCount).ThenBy(i => i.Confidence).ThenBy(i => i.RowNumber);
    }

    /// <summary>
    /// Takes one slot of an item in ONE statement that checks the count and raises it together, so two claims can never
    /// both take the last slot: PostgreSQL re-checks the condition on the row after waiting for the other writer's lock,
    /// SQLite runs one writer at a time. Gold items have no slot limit: they score every worker who gets them.
    /// </summary>
    private async Task<bool> TakeSlotAsync(Guid itemId, bool gold, CancellationToken cancellationToken)
    {
        var item = db.Items.Where(i => i.Id == itemId && i.Status == ItemStatus.Open);
        if (!gold)
        {
            item = item.Where(i => i.Claimed < i.RedundancyTarget);
        }

        return await item.ExecuteUpdateAsync(s => s.SetProperty(i => i.Claimed, i => i.Claimed + 1), cancellationToken) == 1;
    }

    /// <summary>
    /// Inserts the lease. The unique index on (item, worker) refuses a second assignment of an item to a worker; EF rolls
    /// the failed insert back to its own savepoint, and the slot taken for it is given back here.
    /// </summary>
    private async Task<bool> InsertAsync(Assignment assignment, CancellationToken cancellationToken)
    {
        db.Assignments.Add(assignment);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            db.Assignments.Entry(assignment).State = EntityState.Detached;
            if (!await db.Assignments.AnyAsync(a => a.ItemId == assignment.ItemId && a.WorkerId == assignment.WorkerId, cancellationToken))
            {
                throw;
            }

            await ReleaseSlotAsync(assignment.ItemId, assignment.TenantId, cancellationToken);
            return false;
        }
    }

    private async Task<Result<AssignmentReceipt>> AnswerOnceAsync(HeldAssignment held, string label, CancellationToken cancellationToken)
    {
        var now = Now();
        var assignment = held.Assignment;
        await using var transaction = await SqliteWriteGate.BeginTransactionAsync(db, cancellationToken);
        // Only a live lease of a batch that takes answers takes one, checked in the statement that records it: a second
        // submit racing this one, the expiry job, a skip or the close of the batch changes the row first or not at all.
        var answered = await db.Assignments
            .Where(a => a.Id == assignment.Id && a.Status == AssignmentStatus.Leased && a.LeaseExpiresAt >= now &&
                        db.Batches.Any(b => b.Id == a.BatchId && (b.Status == BatchStatus.Published || b.Status == BatchStatus.Paused)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, AssignmentStatus.Submitted)
                .SetProperty(a => a.Label, label)
                .SetProperty(a => a.SubmittedAt, now), cancellationToken);
        if (answered == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            var lost = await AfterLostRaceAsync(assignment.Id, cancellationToken);
            return !lost.Succeeded &&
                   ClosedToAnswers(await db.Batches.Where(b => b.Id == assignment.BatchId).Select(b => b.Status).SingleAsync(cancellationToken)) is { } closed
                ? Result<AssignmentReceipt>.Invalid(LeaseErrorKey, closed)
                : lost;
        }

        // The slot the lease held is now the answer's: Claimed stays, AnswerCount grows.
        await db.Items.Where(i => i.Id == assignment.ItemId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.AnswerCount, i => i.AnswerCount + 1), cancellationToken);
        if (held.GoldLabel is not null)
        {
            await CountGoldAnswerAsync(held, string.Equals(label, held.GoldLabel, StringComparison.Ordinal), now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return Result<AssignmentReceipt>.Success(new AssignmentReceipt(assignment.Id, assignment.BatchId, AssignmentStatus.Submitted, label, now, ProblemReport: null));
    }

    /// <summary>
    /// Adds a gold answer to the worker's score on the project, and pauses them there when the score says so
    /// (<see cref="GoldScore.PauseReason"/>); in the answer's transaction, so score and pause never disagree.
    /// </summary>
    private async Task CountGoldAnswerAsync(HeldAssignment held, bool correct, DateTime now, CancellationToken cancellationToken)
    {
        var right = correct ? 1 : 0;
        var workerId = held.Assignment.WorkerId;
        var counted = await db.ProjectWorkers.Where(w => w.ProjectId == held.ProjectId && w.WorkerId == workerId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(w => w.GoldAnswers, w => w.GoldAnswers + 1)
                .SetProperty(w => w.GoldCorrect, w => w.GoldCorrect + right)
                .SetProperty(w => w.UpdatedAt, now), cancellationToken);
        if (counted == 0)
        {
            db.ProjectWorkers.Add(new ProjectWorker
            {
                Id = Guid.CreateVersion7(), TenantId = held.Assignment.TenantId, ProjectId = held.ProjectId, WorkerId = workerId,
                GoldAnswers = 1, GoldCorrect = right, UpdatedAt = now,
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        var score = await (
                from standing in db.ProjectWorkers.AsNoTracking()
                join project in db.Projects.AsNoTracking() on standing.ProjectId equals project.Id
                where standing.ProjectId == held.ProjectId && standing.WorkerId == workerId
                select new { standing.GoldCorrect, standing.GoldAnswers, standing.Status, project.MinWorkerGoldAccuracy })
            .SingleAsync(cancellationToken);
        if (score.Status == ProjectWorkerStatus.Active &&
            GoldScore.PauseReason(score.GoldCorrect, score.GoldAnswers, score.MinWorkerGoldAccuracy, quality.Value.MinGoldAnswersBeforePause) is { } reason)
        {
            // Only an active worker is paused: a block set by the requester stays, with its own reason.
            await db.ProjectWorkers
                .Where(w => w.ProjectId == held.ProjectId && w.WorkerId == workerId && w.Status == ProjectWorkerStatus.Active)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(w => w.Status, ProjectWorkerStatus.Paused)
                    .SetProperty(w => w.StatusReason, reason), cancellationToken);
        }
    }

    private async Task<Result<AssignmentReceipt>> GiveBackAsync(Guid assignmentId, Guid workerId, string? problem, CancellationToken cancellationToken)
    {
        var held = await FindAssignmentAsync(assignmentId, workerId, cancellationToken);
        if (held is null)
        {
            return Result<AssignmentReceipt>.NotFound();
        }

        if (held.Assignment.Status == AssignmentStatus.Skipped)
        {
            return Result<AssignmentReceipt>.Success(AssignmentReceipt.Of(held.Assignment));
        }

        if (AnsweredAssignments.Is(held.Assignment.Status))
        {
            return Result<AssignmentReceipt>.Invalid("", "You already answered this task; an answered task cannot be given back.");
        }

        if (await EndedLeaseAsync(held.Assignment, cancellationToken) is { } ended)
        {
            return Result<AssignmentReceipt>.Invalid(LeaseErrorKey, ended);
        }

        return await RetryTransientAsync(async () =>
        {
            var assignment = held.Assignment;
            await using var transaction = await SqliteWriteGate.BeginTransactionAsync(db, cancellationToken);
            var skipped = await db.Assignments
                .Where(a => a.Id == assignment.Id && a.Status == AssignmentStatus.Leased)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Status, AssignmentStatus.Skipped)
                    .SetProperty(a => a.ProblemReport, problem), cancellationToken);
            if (skipped == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return await AfterLostRaceAsync(assignment.Id, cancellationToken);
            }

            await ReleaseSlotAsync(assignment.ItemId, assignment.TenantId, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Result<AssignmentReceipt>.Success(new AssignmentReceipt(
                assignment.Id, assignment.BatchId, AssignmentStatus.Skipped, Label: null, SubmittedAt: null, problem));
        });
    }

    /// <summary>
    /// What to say when the row changed under an answer or a skip: the first answer or skip stands (idempotent), a lease
    /// that ended is refused as late.
    /// </summary>
    private async Task<Result<AssignmentReceipt>> AfterLostRaceAsync(Guid assignmentId, CancellationToken cancellationToken)
    {
        var current = await db.Assignments.AsNoTracking().SingleAsync(a => a.Id == assignmentId, cancellationToken);
        return current.Status switch
        {
            AssignmentStatus.Leased or AssignmentStatus.Expired => Result<AssignmentReceipt>.Invalid(
                LeaseErrorKey, await EndedLeaseAsync(current, cancellationToken) ?? LeaseEndedMessage(current.LeaseExpiresAt)),
            AssignmentStatus.Skipped => Result<AssignmentReceipt>.Invalid(LeaseErrorKey, GivenBack),
            _ => Result<AssignmentReceipt>.Success(AssignmentReceipt.Of(current)),
        };
    }

    /// <summary>
    /// Why the worker's lease no longer holds, or null while it does. A lease past its end that the job has not freed
    /// yet is freed now: the refusal and the freed slot go together.
    /// </summary>
    private async Task<string?> EndedLeaseAsync(Assignment assignment, CancellationToken cancellationToken)
    {
        if (assignment.Status == AssignmentStatus.Skipped)
        {
            return GivenBack;
        }

        var now = Now();
        if (assignment.Status == AssignmentStatus.Leased && assignment.LeaseExpiresAt >= now)
        {
            return null;
        }

        await EndLeaseAsync(assignment, endedBefore: now, cancellationToken);
        return LeaseEndedMessage(assignment.LeaseExpiresAt);
    }

    /// <summary>Ends the lease in a transaction of its own, if it is still leased (and past <paramref name="endedBefore"/>, when given).</summary>
    private async Task EndLeaseAsync(Assignment assignment, DateTime? endedBefore, CancellationToken cancellationToken)
    {
        if (assignment.Status != AssignmentStatus.Leased)
        {
            return;
        }

        await RetryTransientAsync(async () =>
        {
            await using var transaction = await SqliteWriteGate.BeginTransactionAsync(db, cancellationToken);
            var expired = await Leases.ExpireAsync(db, assignment.Id, assignment.TenantId, assignment.ItemId, endedBefore, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return expired;
        });
    }

    /// <summary>
    /// Why an answer to a lease of a batch in this status is refused, in words shown to the worker; null while the batch
    /// takes answers (published or paused). A closed batch's escrow keeps only the pay of the answers handed in before
    /// its close, so an answer taken after it could not be paid.
    /// </summary>
    private static string? ClosedToAnswers(BatchStatus status) => status switch
    {
        BatchStatus.Published or BatchStatus.Paused => null,
        BatchStatus.Cancelled => "This batch was cancelled by its requester; your answer was not recorded.",
        BatchStatus.Completed => "This batch is complete; your answer was not recorded.",
        _ => "This batch is not open for work; your answer was not recorded.",
    };

    /// <summary>Frees one lease that ran out (<see cref="Leases.ExpireAsync"/>) inside the caller's transaction.</summary>
    private Task<bool> ExpireAsync(Lease lease, DateTime now, CancellationToken cancellationToken) =>
        Leases.ExpireAsync(db, lease.AssignmentId, lease.TenantId, lease.ItemId, endedBefore: now, cancellationToken);

    private Task<int> ReleaseSlotAsync(Guid itemId, Guid tenantId, CancellationToken cancellationToken) =>
        Leases.ReleaseSlotAsync(db, itemId, tenantId, cancellationToken);

    /// <summary>
    /// The batch, its project and this worker's standing on it, if this worker may see them, with the batch's tenant made
    /// current; one query. Workers are not tenant members, so the batch is read past the tenant filter; a private project's
    /// batch is not found by a worker outside its tenant's workforce, exactly like a batch that does not exist.
    /// </summary>
    private async Task<FoundBatch?> FindBatchAsync(Guid batchId, Guid workerId, CancellationToken cancellationToken)
    {
        // Joined and nested sources are locals: a method call inside the query would be compiled on every execution.
        var projects = db.Projects.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking();
        var standings = db.ProjectWorkers.IgnoreQueryFilters(TenantAccess.TenantFilterOnly);
        var workforces = db.WorkforceMembers.IgnoreQueryFilters(TenantAccess.TenantFilterOnly);
        var found = await (
                from batch in db.Batches.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking()
                join project in projects on batch.ProjectId equals project.Id
                where batch.Id == batchId
                select new FoundBatch(
                    batch,
                    project,
                    standings
                        .FirstOrDefault(w => w.TenantId == batch.TenantId && w.ProjectId == project.Id && w.WorkerId == workerId),
                    project.Visibility != ProjectVisibility.PrivateWorkforce ||
                    workforces.Any(w => w.TenantId == batch.TenantId && w.WorkerId == workerId)))
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null || !found.MayWork)
        {
            return null;
        }

        tenantContext.Set(found.Batch.TenantId);
        return found;
    }

    /// <summary>"You are blocked from the project "X": reason.", the refusal of a blocked worker's claim or qualification test.</summary>
    internal static string BlockedMessage(string projectName, string? statusReason) =>
        $"You are blocked from the project \"{projectName}\"{Reason(statusReason)}";

    private static string Reason(string? statusReason) =>
        string.IsNullOrWhiteSpace(statusReason) ? "." : $": {statusReason.Trim().TrimEnd('.')}.";

    /// <summary>Why this worker may not take tasks of this batch now, in words shown to them; null when they may.</summary>
    private static string? ClaimRefusal(FoundBatch found)
    {
        var (batch, project, standing) = (found.Batch, found.Project, found.Standing);
        var closed = batch.Status switch
        {
            BatchStatus.Published => null,
            BatchStatus.Draft => "This batch is not open for work yet.",
            BatchStatus.Paused => "This batch is paused by its requester; try again later or choose another batch.",
            BatchStatus.Completed => "This batch is complete; choose another batch.",
            _ => "This batch was cancelled; choose another batch.",
        };
        if (closed is not null)
        {
            return closed;
        }

        return standing?.Status switch
        {
            ProjectWorkerStatus.Blocked => BlockedMessage(project.Name, standing.StatusReason),
            ProjectWorkerStatus.Paused => $"Your work on the project \"{project.Name}\" is paused{Reason(standing.StatusReason)}",
            _ when project.QualificationItemCount > 0 && standing?.QualifiedAt is null =>
                $"The project \"{project.Name}\" asks for a qualification test first: pass it to take its tasks.",
            _ => null,
        };
    }

    /// <summary>
    /// An assignment of this worker, with its project and gold answer, and its tenant made current. Found past the
    /// tenant filter (workers have no current tenant) by id AND worker, so another worker's assignment is simply not found.
    /// </summary>
    private async Task<HeldAssignment?> FindAssignmentAsync(Guid assignmentId, Guid workerId, CancellationToken cancellationToken)
    {
        var (items, batches) = (db.Items.IgnoreQueryFilters(TenantAccess.TenantFilterOnly), db.Batches.IgnoreQueryFilters(TenantAccess.TenantFilterOnly));
        var held = await (
                from assignment in db.Assignments.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking()
                join item in items on assignment.ItemId equals item.Id
                join batch in batches on assignment.BatchId equals batch.Id
                where assignment.Id == assignmentId && assignment.WorkerId == workerId
                select new HeldAssignment(assignment, batch.ProjectId, batch.Status, item.GoldLabel))
            .FirstOrDefaultAsync(cancellationToken);
        if (held is not null)
        {
            tenantContext.Set(held.Assignment.TenantId);
        }

        return held;
    }

    private async Task<WorkTask> TaskOfAsync(Assignment assignment, Project project, CancellationToken cancellationToken)
    {
        var data = await db.Items.AsNoTracking().Where(i => i.Id == assignment.ItemId).Select(i => i.Data).SingleAsync(cancellationToken);
        var labels = await labelCache.GetAsync(db, project.Id, assignment.ProjectVersion, cancellationToken);
        return TaskOf(assignment.Id, assignment.BatchId, data, project, labels, assignment.LeaseExpiresAt);
    }

    private static WorkTask TaskOf(
        Guid assignmentId, Guid batchId, string data, Project project, IReadOnlyList<TaskLabel> labels, DateTime leaseExpiresAt) =>
        new(assignmentId, batchId, ItemFields.Parse(data), project.ItemTemplate, project.Instructions, labels, leaseExpiresAt);

    // Whole microseconds: PostgreSQL keeps no finer time, so a time returned now equals the same time read back later
    // (an idempotent second submit must return exactly the first answer's receipt).
    private DateTime Now()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }

    private bool IsPostgres => db.Database.IsPostgres();

    private static int MaxLeases(Project project) => Math.Max(1, project.MaxLeasesPerWorker);

    /// <summary>
    /// Runs a short transaction again when the database says another try could succeed: a PostgreSQL deadlock between two
    /// claims that free and take slots of the same items in different orders, or a serialization failure. Each attempt
    /// starts its own transaction, so a failed one leaves nothing behind.
    /// </summary>
    private static async Task<T> RetryTransientAsync<T>(Func<Task<T>> attempt)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await attempt();
            }
            catch (Exception e) when (tries < MaxAttempts && IsTransient(e))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10 * tries));
            }
        }
    }

    private static bool IsTransient(Exception? e) => e switch
    {
        null => false,
        DbException db => db.IsTransient,
        _ => IsTransient(e.InnerException),
    };

    private sealed record Lease(Guid AssignmentId, Guid TenantId, Guid ItemId);

    private sealed record HeldAssignment(Assignment Assignment, Guid ProjectId, BatchStatus BatchStatus, string? GoldLabel);
}

/// <summary>A batch, its project and a worker's standing on it, as a claim checks them; MayWork is false for a private batch outside the worker's workforces.</summary>
internal sealed record FoundBatch(Batch Batch, Project Project, ProjectWorker? Standing, bool MayWork);
