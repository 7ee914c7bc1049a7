using CrowdLabel.Core.Projects;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Requester.Projects;

[ManagersOnly]
public sealed class NewModel(ProjectService projects) : PageModel
{
    [BindProperty]
    public ProjectForm Form { get; set; } = new()
    {
        LabelsText = "positive | 1\nnegative | 2\nneutral | 3",
        Instructions = "Choose the label that fits the item best.\n\n**Example:** \"I loved it\" is *positive*.",
    };

    public string Slug => HttpContext.TenantMember().Tenant.Slug;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await projects.CreateAsync(Form.ToInput(), cancellationToken);
        if (!result.Succeeded)
        {
            ModelState.AddErrors(ProjectForm.MapErrors(result.Errors), "Form");
            return Page();
        }

        return Redirect($"/t/{Slug}/projects/{result.Value!.Id}");
    }
}
