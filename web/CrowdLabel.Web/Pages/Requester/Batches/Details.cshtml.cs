using System.Security.Claims;
using CrowdLabel.Core;
using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Quality;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Requester.Batches;

public sealed class DetailsModel(
    ICrowdLabelDb db, LedgerService ledger, BatchLifecycleService lifecycle, ReviewService reviews, ApprovalService approvals) : PageModel
{
    public sealed record ItemCounts(int Open, int Done, int Disputed, int Resolved);

    public Batch Batch { get; private set; } = null!;

    public string ProjectName { get; private set; } = "";

    public ItemCounts Counts { get; private set; } = new(0, 0, 0, 0);

    public BatchCost Cost { get; private set; } = null!;

    /// <summary>What publishing a draft would commit, computed by the same code that publishes.</summary>
    public PublishQuote? Quote { get; private set; }

    public string? Message { get; private set; }

    /// <summary>Accuracy of the accepted labels, measured on the reviewed QA sample.</summary>
    public QaAccuracy Qa { get; private set; } = new(0, 0, 0, null, null, null);

    /// <summary>Answers waiting for approval (approved automatically after the project's delay).</summary>
    public int AwaitingApproval { get; private set; }

    public int AutoApprovalHours { get; private set; }

    /// <summary>How many problem reports the page lists (the newest).</summary>
    public const int ProblemReportsShown = 50;

    public IReadOnlyList<ProblemReportRow> ProblemReports { get; private set; } = [];

    public int ProblemReportCount { get; private set; }

    public string Slug => HttpContext.TenantMember().Tenant.Slug;

    public string PercentFinished => Batch.ItemCount == 0 ? "0%"
        : GoldScore.Percent((double)(Counts.Done + Counts.Resolved) / Batch.ItemCount);

    /// <summary>The lifecycle steps open from the batch's status.</summary>
    public IReadOnlyList<string> Actions => Batch.Status switch
    {
        BatchStatus.Draft => ["Publish", "Cancel"],
        BatchStatus.Published => ["Pause", "Cancel"],
        BatchStatus.Paused => ["Resume", "Cancel"],
        _ => [],
    };

    public async Task<IActionResult> OnGetAsync(Guid batchId, CancellationToken cancellationToken) =>
        await LoadAsync(batchId, cancellationToken) ? Page() : NotFound();

    public Task<IActionResult> OnPostPublishAsync(Guid batchId, CancellationToken cancellationToken) =>
        ActAsync(batchId, lifecycle.PublishAsync, "Published: the batch is open to workers.", cancellationToken);

    public Task<IActionResult> OnPostPauseAsync(Guid batchId, CancellationToken cancellationToken) =>
        ActAsync(batchId, lifecycle.PauseAsync, "Paused: workers get no new tasks from it.", cancellationToken);

    public Task<IActionResult> OnPostResumeAsync(Guid batchId, CancellationToken cancellationToken) =>
        ActAsync(batchId, lifecycle.ResumeAsync, "Resumed.", cancellationToken);

    public Task<IActionResult> OnPostCancelAsync(Guid batchId, CancellationToken cancellationToken) =>
        ActAsync(batchId, lifecycle.CancelAsync, "Cancelled: the unspent escrow is back in your balance, less the pay of answers waiting for approval, which are still approved.", cancellationToken);

    public async Task<IActionResult> OnPostApproveAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var result = await approvals.ApproveBatchAsync(batchId, cancellationToken);
        if (result.IsNotFound)
        {
            return NotFound();
        }

        if (result.Succeeded)
        {
            var outcome = result.Value!;
            Message = $"Approved {outcome.Approved} answers: their pay moved from the escrow to the workers." +
                      (outcome.Rejected > 0 ? $" Rejected {outcome.Rejected} answers of workers paused by gold." : "");
        }
        else
        {
            ModelState.AddErrors(result.Errors, "");
        }

        return await LoadAsync(batchId, cancellationToken) ? Page() : NotFound();
    }

    private async Task<IActionResult> ActAsync(
        Guid batchId, Func<Guid, Guid, CancellationToken, Task<Result<Batch>>> action, string done, CancellationToken cancellationToken)
    {
        var userId = Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);
        var result = await action(batchId, userId, cancellationToken);
        if (result.IsNotFound)
        {
            return NotFound();
        }

        if (result.Succeeded)
        {
            Message = done;
        }
        else
        {
            ModelState.AddErrors(result.Errors, "");
        }

        return await LoadAsync(batchId, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var batch = await db.Batches.AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
        if (batch is null)
        {
            return false;
        }

        Batch = batch;
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == batch.ProjectId, cancellationToken);
        ProjectName = project.Name;
        var byStatus = await BatchItemCounts.ByStatusAsync(db, batchId, cancellationToken);
        Counts = new ItemCounts(
            byStatus.GetValueOrDefault(ItemStatus.Open), byStatus.GetValueOrDefault(ItemStatus.Done),
            byStatus.GetValueOrDefault(ItemStatus.Disputed), byStatus.GetValueOrDefault(ItemStatus.Resolved));
        Cost = await ledger.GetBatchCostAsync(batchId, cancellationToken);
        Qa = await reviews.QaAccuracyAsync(batchId, cancellationToken);
        AwaitingApproval = await db.Assignments.CountAsync(a => a.BatchId == batchId && a.Status == AssignmentStatus.Submitted, cancellationToken);
        AutoApprovalHours = project.AutoApprovalHours;
        (ProblemReports, ProblemReportCount) = await reviews.ProblemReportsAsync(batchId, ProblemReportsShown, cancellationToken);
        Quote = batch.Status == BatchStatus.Draft ? (await lifecycle.QuotePublishAsync(batchId, cancellationToken)).Value : null;
        return true;
    }
}
