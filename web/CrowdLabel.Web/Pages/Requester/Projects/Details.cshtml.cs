using CrowdLabel.Core;
using CrowdLabel.Core.Domain;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Requester.Projects;

public sealed class DetailsModel(ICrowdLabelDb db) : PageModel
{
    public Project Project { get; private set; } = null!;

    public IReadOnlyList<ProjectLabel> Labels { get; private set; } = [];

    public IReadOnlyList<Batch> Batches { get; private set; } = [];

    public string Slug { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(Guid projectId, CancellationToken cancellationToken)
    {
        Slug = HttpContext.TenantMember().Tenant.Slug;
        // Another tenant's project is filtered out by the tenant query filter, so it is "not found" here.
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken);
        if (project is null)
        {
            return NotFound();
        }

        Project = project;
        Labels = await db.ProjectLabels.AsNoTracking()
            .Where(l => l.ProjectId == projectId && l.ProjectVersion == project.Version)
            .OrderBy(l => l.Ordinal).ToListAsync(cancellationToken);
        Batches = await db.Batches.AsNoTracking().Where(b => b.ProjectId == projectId)
            .OrderByDescending(b => b.CreatedAt).ToListAsync(cancellationToken);
        return Page();
    }
}
