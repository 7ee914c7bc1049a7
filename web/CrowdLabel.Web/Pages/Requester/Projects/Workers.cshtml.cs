using CrowdLabel.Core;
using CrowdLabel.Core.Quality;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Requester.Projects;

/// <summary>Per worker on a project: gold accuracy, consensus-estimated accuracy, answers, median time, status.</summary>
public sealed class WorkersModel(ICrowdLabelDb db, WorkerQualityService quality, ApprovalService approvals) : PageModel
{
    /// <summary>The reason offered when rejecting a paused worker's waiting answers (the requester may change it).</summary>
    public string ProjectName { get; private set; } = "";

    public string? Message { get; private set; }

    public Guid ProjectId { get; private set; }

    public double MinGoldAccuracy { get; private set; }

    public IReadOnlyList<WorkerQuality> Workers { get; private set; } = [];

    public string Slug => HttpContext.TenantMember().Tenant.Slug;

    public Task<IActionResult> OnGetAsync(Guid projectId, CancellationToken cancellationToken) => LoadAsync(projectId, cancellationToken);

    /// <summary>Rejects every answer of a paused worker that waits for approval on this project, with the reason given.</summary>
    public async Task<IActionResult> OnPostRejectWaitingAsync(Guid projectId, Guid workerId, string? reason, CancellationToken cancellationToken)
    {
        var result = await approvals.RejectPausedWorkerAsync(projectId, workerId, reason, cancellationToken);
        if (result.IsNotFound)
        {
            return NotFound();
        }

        if (result.Succeeded)
        {
            Message = result.Value switch
            {
                0 => "No answer of this worker was waiting for approval.",
                1 => "1 answer of this worker was rejected; they see your reason, and nothing is paid for it.",
                var n => $"{n} answers of this worker were rejected; they see your reason, and nothing is paid for them.",
            };
        }
        else
        {
            ModelState.AddErrors(result.Errors, "");
        }

        return await LoadAsync(projectId, cancellationToken);
    }

    private async Task<IActionResult> LoadAsync(Guid projectId, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken);
        if (project is null)
        {
            return NotFound();
        }

        (ProjectId, ProjectName, MinGoldAccuracy) = (project.Id, project.Name, project.MinWorkerGoldAccuracy);
        Workers = await quality.ForProjectAsync(projectId, cancellationToken);
        return Page();
    }
}
