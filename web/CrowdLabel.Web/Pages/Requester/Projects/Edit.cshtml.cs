using CrowdLabel.Core;
using CrowdLabel.Core.Projects;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Requester.Projects;

[ManagersOnly]
public sealed class EditModel(ICrowdLabelDb db, ProjectService projects) : PageModel
{
    [BindProperty]
    public ProjectForm Form { get; set; } = new();

    public Guid ProjectId { get; private set; }

    public bool HasPublishedBatch { get; private set; }

    public string Slug => HttpContext.TenantMember().Tenant.Slug;

    public async Task<IActionResult> OnGetAsync(Guid projectId, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken);
        if (project is null)
        {
            return NotFound();
        }

        (ProjectId, HasPublishedBatch) = (project.Id, project.HasPublishedBatch);
        Form = ProjectForm.From(project, await projects.CurrentLabelsAsync(project, cancellationToken));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid projectId, CancellationToken cancellationToken)
    {
        ProjectId = projectId;
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await projects.UpdateAsync(projectId, Form.ToInput(), cancellationToken);
        if (result.IsNotFound)
        {
            return NotFound();
        }

        if (!result.Succeeded)
        {
            ModelState.AddErrors(ProjectForm.MapErrors(result.Errors), "Form");
            return Page();
        }

        return Redirect($"/t/{Slug}/projects/{projectId}");
    }
}
