using System.Security.Claims;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Work;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Work.Tokens;

public sealed class IndexModel(WorkerTokenService tokens) : PageModel
{
    public IReadOnlyList<WorkerToken> Tokens { get; private set; } = [];

    [BindProperty]
    public WorkerTokenInput Input { get; set; } = new();

    /// <summary>Shown once, right after creation.</summary>
    public string? NewSecret { get; private set; }

    private Guid WorkerId => Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);

    public async Task OnGetAsync(CancellationToken cancellationToken) => Tokens = await tokens.ListAsync(WorkerId, cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var result = await tokens.CreateAsync(WorkerId, Input, cancellationToken);
        if (result.Succeeded)
        {
            NewSecret = result.Value!.Secret;
            Input = new WorkerTokenInput();
        }
        else
        {
            ModelState.AddErrors(result.Errors);
        }

        Tokens = await tokens.ListAsync(WorkerId, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid tokenId, CancellationToken cancellationToken)
    {
        var result = await tokens.RevokeAsync(WorkerId, tokenId, cancellationToken);
        return result.IsNotFound ? NotFound() : RedirectToPage();
    }
}
