using System.Globalization;
using System.Security.Claims;
using CrowdLabel.Core;
using CrowdLabel.Core.Projects;
using CrowdLabel.Core.Work;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Work.Batches;

/// <summary>
/// The keyboard-first workbench: shows the task the worker holds (claiming one when they hold none), and takes an
/// answer, a skip or a problem report; after each, the next task appears at once.
/// </summary>
public sealed class WorkbenchModel(AssignmentService assignments, TimeProvider clock) : PageModel
{
    public WorkTask? Task { get; private set; }

    public string ItemHtml { get; private set; } = "";

    [TempData]
    public string? Error { get; set; }

    public string LeaseLeft
    {
        get
        {
            var left = Task!.LeaseExpiresAt - clock.GetUtcNow().UtcDateTime;
            return left <= TimeSpan.Zero ? "0:00" : $"{(int)left.TotalMinutes}:{left.Seconds.ToString("00", CultureInfo.InvariantCulture)}";
        }
    }

    private Guid WorkerId => Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);

    /// <summary>Each label's shortcut, in the labels' order (<see cref="LabelKeys.Assign"/>).</summary>
    public IReadOnlyList<string?> Keys { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var claim = await assignments.ClaimAsync(batchId, WorkerId, cancellationToken);
        if (claim.IsNotFound)
        {
            return NotFound();
        }

        if (!claim.Succeeded)
        {
            // What the worker just sent was refused for a reason of its own (an answer to a cancelled batch): say both.
            Error = Error is null ? Messages(claim.Errors) : $"{Error} {Messages(claim.Errors)}";
            return Page();
        }

        Task = claim.Value!.Task;
        if (Task is not null)
        {
            ItemHtml = ItemTemplate.Parse(Task.ItemTemplate).Render(Task.Item);
            Keys = LabelKeys.Assign(Task.Labels.Select(l => l.Key));
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAnswerAsync(Guid batchId, Guid assignmentId, string? label, CancellationToken cancellationToken) =>
        Next(batchId, await assignments.SubmitAsync(assignmentId, WorkerId, new AnswerInput { Label = label ?? "" }, cancellationToken));

    public async Task<IActionResult> OnPostSkipAsync(Guid batchId, Guid assignmentId, CancellationToken cancellationToken) =>
        Next(batchId, await assignments.SkipAsync(assignmentId, WorkerId, cancellationToken));

    public async Task<IActionResult> OnPostReportAsync(Guid batchId, Guid assignmentId, string? problem, CancellationToken cancellationToken) =>
        Next(batchId, await assignments.ReportProblemAsync(assignmentId, WorkerId, new ProblemInput { Problem = problem ?? "" }, cancellationToken));

    // Post-redirect-get: the next GET claims the next task, so a reload never answers twice.
    private RedirectToPageResult Next(Guid batchId, Result<AssignmentReceipt> result)
    {
        if (!result.Succeeded)
        {
            Error = result.IsNotFound ? "That task is not yours, or no longer exists." : Messages(result.Errors);
        }

        return RedirectToPage(new { batchId });
    }

    private static string Messages(IReadOnlyDictionary<string, string[]> errors) => string.Join(" ", errors.SelectMany(e => e.Value));
}
