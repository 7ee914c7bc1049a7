using CrowdLabel.Core;
using CrowdLabel.Core.Quality;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Requester.Projects;

/// <summary>Per worker on a project: gold accuracy, consensus-estimated accuracy, answers, median time, status.</summary>
public sealed class WorkersModel(ICrowdLabelDb db, WorkerQualityService quality) : PageModel
{
    public string ProjectName { get; private set; } = "";

    public Guid ProjectId { get; private set; }

    public double MinGoldAccuracy { get; private set; }

    public IReadOnlyList<WorkerQuality> Workers { get; private set; } = [];

    public string Slug => HttpContext.TenantMember().Tenant.Slug;

    public async Task<IActionResult> OnGetAsync(Guid projectId, CancellationToken cancellationToken)
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
