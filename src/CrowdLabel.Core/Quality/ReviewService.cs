using System.Text.Json;
using CrowdLabel.Consensus;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Work;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Quality;

/// <summary>An item waiting in the reviewers' queue.</summary>
public sealed record ReviewQueueEntry(
    Guid ItemId, Guid BatchId, string BatchName, int RowNumber, string? ExternalId, bool IsQaSample, string? ConsensusLabel, double? Confidence, DateTime RequestedAt);

/// <summary>One answer on the review page, with what is known of its worker's reliability on the project.</summary>
public sealed record ReviewAnswer(
    Guid AssignmentId, AssignmentStatus Status, Guid WorkerId, string Worker, string Label, DateTime? SubmittedAt, double? ConsensusAccuracy, WorkerGoldAccuracy Gold,
    ProjectWorkerStatus Standing, string? RejectionReason);

/// <summary>Everything a reviewer needs to decide an item.</summary>
public sealed record ReviewItem(
    Item Item, string BatchName, string ItemTemplate, string Instructions, IReadOnlyDictionary<string, string> Fields, IReadOnlyList<string> Labels,
    IReadOnlyList<ReviewAnswer> Answers, IReadOnlyDictionary<string, double> Posterior, IReadOnlyList<ReviewDecision> Decisions,
    IReadOnlyDictionary<Guid, string> Reviewers)
{
    /// <summary>Whether the item waits for a reviewer's decision now.</summary>
    public bool IsPending => Item.Status == ItemStatus.Disputed || (Item.QaSample && Item.Status == ItemStatus.Done);
}

/// <summary>The reviewer's decision: the final label, and an optional note.</summary>
public sealed class ResolveInput
{
    public string Label { get; set; } = "";

    public string? Note { get; set; }
}

internal sealed class ResolveInputValidator : AbstractValidator<ResolveInput>
{
    public ResolveInputValidator()
    {
        RuleFor(x => x.Label).NotEmpty().WithMessage("Choose the item's final label.");
        RuleFor(x => x.Note).MaximumLength(1000).WithMessage("Keep the note under 1000 characters.");
    }
}

/// <summary>A problem a worker reported with an item instead of answering it (the workbench's "report a problem").</summary>
public sealed record ProblemReportRow(Guid ItemId, int RowNumber, string? ExternalId, string Problem, DateTime LeasedAt);

/// <summary>Accuracy of the accepted labels measured on the QA sample: reviewed, agreed, and a 95% interval.</summary>
public sealed record QaAccuracy(int Sampled, int Reviewed, int Agreed, double? Mean, double? Lower, double? Upper);

/// <summary>
/// Review (DESIGN.md, step 8): the tenant's reviewers work the queue of disputed items and QA samples, see every answer
/// with its worker's reliability and the posterior, and set the final label. The decision is recorded, the item becomes
/// Resolved, and the next consensus run takes its label as known truth.
/// </summary>
public sealed class ReviewService(ICrowdLabelDb db, TimeProvider clock)
{
    private static readonly ResolveInputValidator Validator = new();

    /// <summary>The items of the current tenant waiting for review, oldest request first; optionally of one batch.</summary>
    public async Task<IReadOnlyList<ReviewQueueEntry>> QueueAsync(Guid? batchId, int take, CancellationToken cancellationToken = default)
    {
        var pending = db.Items.AsNoTracking().Where(i => i.ReviewRequestedAt != null &&
                                                         (i.Status == ItemStatus.Disputed || (i.QaSample && i.Status == ItemStatus.Done)));
        if (batchId is { } batch)
        {
            pending = pending.Where(i => i.BatchId == batch);
        }

        return await (
                from item in pending
                join b in db.Batches on item.BatchId equals b.Id
                orderby item.ReviewRequestedAt, item.BatchId, item.RowNumber
                select new ReviewQueueEntry(item.Id, b.Id, b.Name, item.RowNumber, item.ExternalId, item.QaSample && item.Status == ItemStatus.Done,
                    item.ConsensusLabel, item.Confidence, item.ReviewRequestedAt!.Value))
            .Take(Math.Clamp(take, 1, 500)).ToListAsync(cancellationToken);
    }

    /// <summary>An item of the current tenant as the review page shows it.</summary>
    public async Task<ReviewItem?> GetAsync(Guid itemId, CancellationToken cancellationToken = default)
    {
        var item = await db.Items.AsNoTracking().FirstOrDefaultAsync(i => i.Id == itemId, cancellationToken);
        if (item is null)
        {
            return null;
        }

        var batch = await db.Batches.AsNoTracking().SingleAsync(b => b.Id == item.BatchId, cancellationToken);
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == batch.ProjectId, cancellationToken);
        var labels = await db.ProjectLabels.AsNoTracking()
            .Where(l => l.ProjectId == project.Id && l.ProjectVersion == batch.ProjectVersion)
            .OrderBy(l => l.Ordinal).Select(l => l.Name).ToListAsync(cancellationToken);
        var answers = await (
                from a in db.Assignments.AsNoTracking().Where(AnsweredAssignments.Filter)
                join user in db.Users on a.WorkerId equals user.Id
                where a.ItemId == itemId && a.Label != null
                orderby a.SubmittedAt
                select new { a.Id, a.Status, a.WorkerId, user.DisplayName, a.Label, a.SubmittedAt, a.RejectionReason })
            .ToListAsync(cancellationToken);
        var workerIds = answers.Select(a => a.WorkerId).ToList();
        var standings = await db.ProjectWorkers.AsNoTracking()
            .Where(w => w.ProjectId == project.Id && workerIds.Contains(w.WorkerId)).ToDictionaryAsync(w => w.WorkerId, cancellationToken);
        var decisions = await db.ReviewDecisions.AsNoTracking().Where(d => d.ItemId == itemId).OrderBy(d => d.DecidedAt).ToListAsync(cancellationToken);
        var reviewerIds = decisions.Select(d => d.ReviewerId).Distinct().ToList();
        var reviewers = await db.Users.AsNoTracking().Where(u => reviewerIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.DisplayName, cancellationToken);
        var posterior = item.Posterior is null
            ? new Dictionary<string, double>(StringComparer.Ordinal)
            : JsonSerializer.Deserialize<Dictionary<string, double>>(item.Posterior) ?? [];
        return new ReviewItem(item, batch.Name, project.ItemTemplate, project.Instructions, ItemFields.Parse(item.Data), labels,
            [.. answers.Select(a => new ReviewAnswer(a.Id, a.Status, a.WorkerId, a.DisplayName, a.Label!, a.SubmittedAt,
                standings.GetValueOrDefault(a.WorkerId)?.ConsensusAccuracy,
                standings.TryGetValue(a.WorkerId, out var s) ? GoldScore.Of(s) : GoldAccuracy.FromCounts(0, 0),
                standings.GetValueOrDefault(a.WorkerId)?.Status ?? ProjectWorkerStatus.Active, a.RejectionReason))],
            posterior, decisions, reviewers);
    }

    /// <summary>
    /// Sets a disputed or QA-sampled item's final label: records who decided, when, and what it replaced; the item becomes
    /// Resolved (known truth for consensus from now on) and its batch is due for a consensus run. Refused, with nothing
    /// stored, for a label outside the project's, or an item that is not waiting for review.
    /// </summary>
    public async Task<Result<ReviewDecision>> ResolveAsync(Guid itemId, Guid reviewerId, ResolveInput input, CancellationToken cancellationToken = default)
    {
        var validation = await Validator.ValidateAsync(input, cancellationToken);
        if (!validation.IsValid)
        {
            return Result<ReviewDecision>.Invalid(validation);
        }

        var item = await db.Items.AsNoTracking().FirstOrDefaultAsync(i => i.Id == itemId, cancellationToken);
        if (item is null)
        {
            return Result<ReviewDecision>.NotFound();
        }

        var batch = await db.Batches.AsNoTracking().SingleAsync(b => b.Id == item.BatchId, cancellationToken);
        var labels = await db.ProjectLabels.AsNoTracking()
            .Where(l => l.ProjectId == batch.ProjectId && l.ProjectVersion == batch.ProjectVersion)
            .OrderBy(l => l.Ordinal).Select(l => l.Name).ToListAsync(cancellationToken);
        var label = input.Label.Trim();
        if (!labels.Contains(label, StringComparer.Ordinal))
        {
            return Result<ReviewDecision>.Invalid(nameof(ResolveInput.Label), $"\"{label}\" is not one of the labels: {string.Join(", ", labels)}.");
        }

        var qa = item.QaSample && item.Status == ItemStatus.Done;
        if (item.Status != ItemStatus.Disputed && !qa)
        {
            return Result<ReviewDecision>.Invalid("", item.Status == ItemStatus.Resolved
                ? "This item was already reviewed."
                : $"This item is not waiting for review; it is {item.Status}.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await SqliteWriteGate.BeginTransactionAsync(db, cancellationToken);
        // The status in the WHERE makes the decision once: a second reviewer deciding at the same time changes nothing.
        var resolved = await db.Items.Where(i => i.Id == itemId && i.Status == item.Status)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, ItemStatus.Resolved)
                .SetProperty(i => i.ConsensusLabel, label)
                .SetProperty(i => i.Confidence, 1.0), cancellationToken);
        if (resolved == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return Result<ReviewDecision>.Invalid("", "Another reviewer decided this item meanwhile; reload the page.");
        }

        await db.Batches.Where(b => b.Id == batch.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.ConsensusRequested, true), cancellationToken);
        var decision = new ReviewDecision
        {
            Id = Guid.CreateVersion7(), TenantId = item.TenantId, BatchId = item.BatchId, ItemId = itemId, ReviewerId = reviewerId, DecidedAt = now,
            PreviousLabel = item.ConsensusLabel, PreviousStatus = item.Status, Label = label,
            Note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim(), WasQaSample = qa,
        };
        db.ReviewDecisions.Add(decision);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result<ReviewDecision>.Success(decision);
    }

    /// <summary>The batch's problem reports, newest task first, and how many there are in all.</summary>
    public async Task<(IReadOnlyList<ProblemReportRow> Newest, int Total)> ProblemReportsAsync(Guid batchId, int take, CancellationToken cancellationToken = default)
    {
        var reports = db.Assignments.AsNoTracking().Where(a => a.BatchId == batchId && a.ProblemReport != null);
        var newest = await (
                from report in reports
                join item in db.Items.AsNoTracking() on report.ItemId equals item.Id
                orderby report.LeasedAt descending, report.Id
                select new ProblemReportRow(item.Id, item.RowNumber, item.ExternalId, report.ProblemReport!, report.LeasedAt))
            .Take(take)
            .ToListAsync(cancellationToken);
        return (newest, newest.Count < take ? newest.Count : await reports.CountAsync(cancellationToken));
    }

    /// <summary>
    /// Accuracy of the batch's accepted labels on the reviewed QA sample: the share the reviewer confirmed, with a 95%
    /// equal-tailed interval from its Beta(1 + agreed, 1 + disagreed) posterior.
    /// </summary>
    public async Task<QaAccuracy> QaAccuracyAsync(Guid batchId, CancellationToken cancellationToken = default)
    {
        var sampled = await db.Items.CountAsync(i => i.BatchId == batchId && i.QaSample, cancellationToken);
        var reviewed = await db.ReviewDecisions.AsNoTracking().Where(d => d.BatchId == batchId && d.WasQaSample)
            .Select(d => new { d.PreviousLabel, d.Label }).ToListAsync(cancellationToken);
        if (reviewed.Count == 0)
        {
            return new QaAccuracy(sampled, 0, 0, null, null, null);
        }

        var agreed = reviewed.Count(d => string.Equals(d.PreviousLabel, d.Label, StringComparison.Ordinal));
        double a = 1 + agreed, b = 1 + reviewed.Count - agreed;
        return new QaAccuracy(sampled, reviewed.Count, agreed, (double)agreed / reviewed.Count,
            BetaDistribution.Quantile(0.025, a, b), BetaDistribution.Quantile(0.975, a, b));
    }
}
