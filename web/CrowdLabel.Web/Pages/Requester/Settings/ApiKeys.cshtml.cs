using System.Security.Claims;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Requester.Settings;

public sealed class ApiKeysModel(ApiKeyService apiKeys) : PageModel
{
    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];

    [BindProperty]
    public ApiKeyInput Input { get; set; } = new();

    /// <summary>Shown once, right after creation.</summary>
    public string? NewSecret { get; private set; }

    public string Slug => HttpContext.TenantMember().Tenant.Slug;

    /// <summary>Owners and requesters manage keys; reviewers see them.</summary>
    public bool CanManage => HttpContext.TenantMember().MayManage;

    public async Task OnGetAsync(CancellationToken cancellationToken) => Keys = await apiKeys.ListAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var result = await apiKeys.CreateAsync(Input, Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!), cancellationToken);
        if (result.Succeeded)
        {
            NewSecret = result.Value!.Secret;
            Input = new ApiKeyInput();
        }
        else
        {
            ModelState.AddErrors(result.Errors);
        }

        Keys = await apiKeys.ListAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid keyId, CancellationToken cancellationToken)
    {
        var result = await apiKeys.RevokeAsync(keyId, cancellationToken);
        return result.IsNotFound ? NotFound() : RedirectToPage();
    }
}
