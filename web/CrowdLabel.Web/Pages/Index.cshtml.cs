using System.Security.Claims;
using CrowdLabel.Core.Tenancy;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages;

public sealed class IndexModel(TenantAccess access, IWebHostEnvironment environment, IConfiguration configuration) : PageModel
{
    public IReadOnlyList<TenantMember> Organizations { get; private set; } = [];

    /// <summary>The demo sign-ins are listed only in Development, and only where the demo was seeded.</summary>
    public bool ShowDemoAccounts { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        ShowDemoAccounts = environment.IsDevelopment() && configuration.GetValue("Database:SeedDemo", true);
        if (Guid.TryParse(User.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            Organizations = await access.ListForUserAsync(userId, cancellationToken);
        }
    }
}
