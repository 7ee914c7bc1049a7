using System.Text.Json.Serialization;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Core.Work;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Quality;

/// <summary>Why a requester rejects an answer: the only two grounds the marketplace accepts.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RejectionGround>))]
public enum RejectionGround
{
    /// <summary>The worker was paused on the project by their gold score.</summary>
    PausedByGold = 1,

    /// <summary>The answer disagrees with the label a reviewer set on the item.</summary>
    DisagreesWithReview = 2,
}

/// <summary>A requester's rejection of one answer: the ground, and words for the worker.</summary>
public sealed class RejectInput
{
    public RejectionGround? Ground { get; set; }

    public string Reason { get; set; } = "";
}

internal sealed class RejectInputValidator : AbstractValidator<RejectInput>
{
    public RejectInputValidator()
    {
        RuleFor(x => x.Ground).NotNull().IsInEnum()
            .WithMessage("Choose why the answer is rejected: the worker was paused by gold, or the answer disagrees with the reviewed label.");
        RuleFor(x => x.Reason).NotEmpty().WithMessage("Write the reason the worker will see.")
            .MaximumLength(400).WithMessage("Keep the reason under 400 characters.");
    }
}

/// <summary>
/// What an approval pass did: answers approved and paid, answers the escrow could not pay (left waiting), and answers of
/// workers paused by gold that were rejected instead of approved.
/// </summary>
public sealed record ApprovalOutcome(int Approved, int Failed, int Rejected = 0)
{
    public static ApprovalOutcome operator +(ApprovalOutcome a, ApprovalOutcome b) => new(a.Approved + b.Approved, a.Failed + b.Failed, a.Rejected + b.Rejected);
}

/// <summary>
/// Approval and pay accrual (DESIGN.md, step 9): an answer is approved after its project's auto-approval delay (a job)
/// or earlier by the requester; each approval moves price and fee out of the batch escrow in the same transaction that
/// marks the answer approved (a conditional update, so an answer is paid exactly once), one ledger transaction per worker
/// and approval transaction, keyed "approval:{the worker's first answer in it}".
/// Rejection, which pays nothing, needs one of two grounds and a reason the worker sees.
/// </summary>
public sealed class ApprovalService(
    ICrowdLabelDb db,
    LedgerService ledger,
    ConsensusService consensus,
    IServiceScopeFactory scopes,
    TimeProvider clock)
{
    /// <summary>
    /// How many answers one approval transaction marks and pays. One transaction per answer paid for 4,000 answers in
    /// about 150 s on SQLite and PostgreSQL alike (docs/benchmarks.md).
    /// </summary>
    public const int AnswersPerTransaction = 500;

    /// <summary>The reason a worker paused by gold sees on their answers rejected when approval comes.</summary>
    public const string PausedByGoldReason =
        "Your answers to known-answer (gold) questions on this project fell under its bar, so your answers were not accepted.";

    private static readonly RejectInputValidator RejectValidator = new();

    /// <summary>Approves, in every tenant, the answers older than their project's auto-approval delay; each batch in its own scope.</summary>
    public async Task<ApprovalOutcome> ApproveDueAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (projects, assignments) = (db.Projects.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking(), db.Assignments.IgnoreQueryFilters(TenantAccess.TenantFilterOnly));
        var batches = await (
                from batch in db.Batches.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking()
                join project in projects on batch.ProjectId equals project.Id
                where assignments.Any(a => a.BatchId == batch.Id && a.Status == AssignmentStatus.Submitted)
                select new { batch.Id, batch.TenantId, project.AutoApprovalHours })
            .ToListAsync(cancellationToken);
        var total = new ApprovalOutcome(0, 0);
        foreach (var batch in batches)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Set(batch.TenantId);
            var outcome = await scope.ServiceProvider.GetRequiredService<ApprovalService>()
                .ApproveSubmittedAsync(batch.Id, now.AddHours(-Math.Max(0, batch.AutoApprovalHours)), cancellationToken);
            total += outcome;
        }

        return total;
    }

    /// <summary>The requester approves every answer of a batch of the current tenant that waits for approval, now.</summary>
    public async Task<Result<ApprovalOutcome>> ApproveBatchAsync(Guid batchId, CancellationToken cancellationToken = default)
    {
        var batch = await db.Batches.AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
        if (batch is null)
        {
            return Result<ApprovalOutcome>.NotFound();
        }

        if (batch.Status == BatchStatus.Draft)
        {
            return Result<ApprovalOutcome>.Invalid("", "A draft batch has no answers to approve.");
        }

        var outcome = await ApproveSubmittedAsync(batchId, DateTime.MaxValue, cancellationToken);
        return outcome.Failed == 0
            ? Result<ApprovalOutcome>.Success(outcome)
            : Result<ApprovalOutcome>.Invalid("", $"{outcome.Approved} answers were approved; {outcome.Failed} could not be paid from the batch's escrow.");
    }

    /// <summary>
    /// Rejects one answer that waits for approval, on a ground that holds: its worker is paused on the project by gold, or
    /// the item was reviewed and the answer disagrees with the reviewed label. Nothing is paid; the worker sees the reason.
    /// </summary>
    public async Task<Result<Assignment>> RejectAsync(Guid assignmentId, RejectInput input, CancellationToken cancellationToken = default)
    {
        var validation = await RejectValidator.ValidateAsync(input, cancellationToken);
        if (!validation.IsValid)
        {
            return Result<Assignment>.Invalid(validation);
        }

        var found = await (
                from assignment in db.Assignments
                join item in db.Items on assignment.ItemId equals item.Id
                join batch in db.Batches on assignment.BatchId equals batch.Id
                where assignment.Id == assignmentId
                select new { assignment, item.Status, item.ConsensusLabel, batch.ProjectId })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return Result<Assignment>.NotFound();
        }

        var answer = found.assignment;
        if (answer.Status != AssignmentStatus.Submitted)
        {
            return Result<Assignment>.Invalid("", $"Only an answer waiting for approval can be rejected; this one is {answer.Status}.");
        }

        var refusal = input.Ground switch
        {
            RejectionGround.PausedByGold when !await IsPausedAsync(found.ProjectId, answer.WorkerId, cancellationToken) =>
                "This worker is not paused on the project, so the answer cannot be rejected for their gold score.",
            RejectionGround.DisagreesWithReview when found.Status != ItemStatus.Resolved =>
                "This item has not been reviewed yet, so the answer cannot be rejected for disagreeing with a reviewed label.",
            RejectionGround.DisagreesWithReview when string.Equals(found.ConsensusLabel, answer.Label, StringComparison.Ordinal) =>
                $"This answer (\"{answer.Label}\") agrees with the reviewed label, so it cannot be rejected for disagreeing with it.",
            _ => null,
        };
        if (refusal is not null)
        {
            return Result<Assignment>.Invalid(nameof(RejectInput.Ground), refusal);
        }

        var rejected = await RejectWaitingAsync(db.Assignments.Where(a => a.Id == assignmentId), input.Reason.Trim(), cancellationToken);
        if (rejected == 0)
        {
            return Result<Assignment>.Invalid("", "This answer was approved or rejected meanwhile; reload the page.");
        }

        await consensus.CompleteIfSettledAsync(answer.BatchId, cancellationToken);
        return Result<Assignment>.Success(await db.Assignments.AsNoTracking().SingleAsync(a => a.Id == assignmentId, cancellationToken));
    }

    /// <summary>
    /// Rejects, with one reason the worker sees, every answer of a worker paused by gold on the project that still waits
    /// for approval, in every batch of the project: the answers consensus already leaves out are not paid either, and the
    /// requester need not reject them one by one before the auto-approval delay runs out. Refused, with nothing changed,
    /// unless the worker is paused there. Returns how many answers were rejected (0 when none waited).
    /// </summary>
    public async Task<Result<int>> RejectPausedWorkerAsync(Guid projectId, Guid workerId, string? reason, CancellationToken cancellationToken = default)
    {
        var validation = await RejectValidator.ValidateAsync(new RejectInput { Ground = RejectionGround.PausedByGold, Reason = reason?.Trim() ?? "" }, cancellationToken);
        if (!validation.IsValid)
        {
            return Result<int>.Invalid(validation);
        }

        if (!await db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken))
        {
            return Result<int>.NotFound();
        }

        if (!await IsPausedAsync(projectId, workerId, cancellationToken))
        {
            return Result<int>.Invalid(nameof(RejectInput.Ground), "This worker is not paused on the project, so their answers cannot be rejected for their gold score.");
        }

        var batches = db.Batches.Where(b => b.ProjectId == projectId).Select(b => b.Id);
        var waiting = db.Assignments.Where(a => a.WorkerId == workerId && a.Status == AssignmentStatus.Submitted && batches.Contains(a.BatchId));
        var touched = await waiting.Select(a => a.BatchId).Distinct().ToListAsync(cancellationToken);
        var rejected = await RejectWaitingAsync(waiting, reason!.Trim(), cancellationToken);
        foreach (var batchId in touched)
        {
            await consensus.CompleteIfSettledAsync(batchId, cancellationToken);
        }

        return Result<int>.Success(rejected);
    }

    private Task<bool> IsPausedAsync(Guid projectId, Guid workerId, CancellationToken cancellationToken) =>
        PausedWorkers(projectId).AnyAsync(id => id == workerId, cancellationToken);

    /// <summary>The workers paused on the project by their gold score.</summary>
    private IQueryable<Guid> PausedWorkers(Guid projectId) =>
        db.ProjectWorkers.Where(w => w.ProjectId == projectId && w.Status == ProjectWorkerStatus.Paused).Select(w => w.WorkerId);

    /// <summary>
    /// Rejects, now, those of <paramref name="answers"/> that still wait for approval, with the reason their worker sees;
    /// returns how many. Nothing is paid for them.
    /// </summary>
    private Task<int> RejectWaitingAsync(IQueryable<Assignment> answers, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return answers.Where(a => a.Status == AssignmentStatus.Submitted).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.Status, AssignmentStatus.Rejected)
            .SetProperty(a => a.ReviewedAt, now)
            .SetProperty(a => a.RejectionReason, reason), cancellationToken);
    }

    /// <summary>
    /// Approves the batch's answers submitted up to <paramref name="submittedBy"/>, up to <see cref="AnswersPerTransaction"/>
    /// per transaction, then closes the batch if it is settled. The answers of workers paused on the project by gold are
    /// rejected instead, with <see cref="PausedByGoldReason"/>: consensus leaves them out and gives their items other
    /// answers in their place, and the batch's escrow (items x max redundancy) is for the answers consensus uses. Paid
    /// as well, they took escrow the answers in their place then could not get, and those answers, of workers in good
    /// standing, waited unpaid while the batch never completed.
    /// </summary>
    private async Task<ApprovalOutcome> ApproveSubmittedAsync(Guid batchId, DateTime submittedBy, CancellationToken cancellationToken)
    {
        var projectId = await db.Batches.Where(b => b.Id == batchId).Select(b => b.ProjectId).SingleAsync(cancellationToken);
        var paused = PausedWorkers(projectId);
        var rejected = await RejectWaitingAsync(
            db.Assignments.Where(a => a.BatchId == batchId && a.SubmittedAt <= submittedBy && paused.Contains(a.WorkerId)), PausedByGoldReason, cancellationToken);
        var due = (await db.Assignments.AsNoTracking()
                .Where(a => a.BatchId == batchId && a.Status == AssignmentStatus.Submitted && a.SubmittedAt <= submittedBy)
                .OrderBy(a => a.SubmittedAt).Select(a => new { a.Id, a.WorkerId })
                .ToListAsync(cancellationToken))
            .Select(a => (a.Id, a.WorkerId)).ToList();
        int approved = 0, failed = 0;
        foreach (var answers in due.Chunk(AnswersPerTransaction))
        {
            if (await ApproveTogetherAsync(batchId, answers, cancellationToken) is { } paid)
            {
                approved += paid;
            }
            else
            {
                // The escrow cannot pay for all of them: one at a time, as far as it goes.
                foreach (var answer in answers)
                {
                    var one = await ApproveTogetherAsync(batchId, [answer], cancellationToken);
                    approved += one ?? 0;
                    failed += one is null ? 1 : 0;
                }
            }

            // The ledger entries are written; tracking them would make every later save look through all of them.
            db.ChangeTracker.Clear();
        }

        if (approved + rejected > 0)
        {
            await consensus.CompleteIfSettledAsync(batchId, cancellationToken);
        }

        return new ApprovalOutcome(approved, failed, rejected);
    }

    /// <summary>
    /// Marks the answers still waiting approved and pays them, in one transaction: one ledger transaction per worker
    /// (keyed by that worker's first answer among them), one check of the escrow. Returns how many were approved (the
    /// others were approved or rejected by someone else first), or null, changing nothing, when the escrow cannot pay.
    /// Called with one answer, it is the one-at-a-time approval the pass falls back to.
    /// </summary>
    private async Task<int?> ApproveTogetherAsync(Guid batchId, IReadOnlyList<(Guid Id, Guid WorkerId)> answers, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await SqliteWriteGate.BeginTransactionAsync(db, cancellationToken);
        var marked = new List<(Guid Id, Guid WorkerId)>();
        foreach (var answer in answers)
        {
            if (await db.Assignments.Where(a => a.Id == answer.Id && a.Status == AssignmentStatus.Submitted)
                    .ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, AssignmentStatus.Approved).SetProperty(a => a.ReviewedAt, now), cancellationToken) == 1)
            {
                marked.Add(answer);
            }
        }

        if (marked.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return 0;
        }

        var work = marked.GroupBy(a => a.WorkerId)
            .Select(g => new ApprovedWork(g.Key, g.Count(), $"approval:{g.First().Id:N}"))
            .ToList();
        var paid = await ledger.RecordApprovedWorkAsync(batchId, work, cancellationToken);
        if (!paid.Succeeded)
        {
            await transaction.RollbackAsync(cancellationToken);
            return null;
        }

        await transaction.CommitAsync(cancellationToken);
        return marked.Count;
    }
}
