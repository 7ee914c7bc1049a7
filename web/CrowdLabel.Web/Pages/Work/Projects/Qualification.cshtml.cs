using System.Security.Claims;
using CrowdLabel.Core.Projects;
using CrowdLabel.Core.Qualification;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Work.Projects;

public sealed class QualificationModel(QualificationService qualification) : PageModel
{
    public QualificationTest? Test { get; private set; }

    public QualificationOutcome? Outcome { get; private set; }

    [BindProperty]
    public Dictionary<Guid, string> Answers { get; set; } = [];

    private Guid WorkerId => Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);

    public string Render(QualificationItem item) => ItemTemplate.Parse(Test!.ItemTemplate).Render(item.Fields);

    public async Task<IActionResult> OnGetAsync(Guid projectId, CancellationToken cancellationToken) =>
        await LoadAsync(projectId, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid projectId, CancellationToken cancellationToken)
    {
        ModelState.Clear();
        var result = await qualification.SubmitAsync(projectId, WorkerId, Answers, cancellationToken);
        if (result.IsNotFound)
        {
            return NotFound();
        }

        if (result.Succeeded)
        {
            Outcome = result.Value;
            return Page();
        }

        ModelState.AddErrors(result.Errors, prefix: "");
        return await LoadAsync(projectId, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid projectId, CancellationToken cancellationToken)
    {
        var test = await qualification.GetTestAsync(projectId, WorkerId, cancellationToken);
        if (test.IsNotFound)
        {
            return false;
        }

        if (test.Succeeded)
        {
            Test = test.Value;
        }
        else
        {
            ModelState.AddErrors(test.Errors, prefix: "");
        }

        return true;
    }
}
