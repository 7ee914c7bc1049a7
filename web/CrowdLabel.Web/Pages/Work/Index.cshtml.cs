using System.Security.Claims;
using CrowdLabel.Core;
using CrowdLabel.Core.Work;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Work;

public sealed class IndexModel(ICrowdLabelDb db, MarketplaceService marketplace) : PageModel
{
    public string DisplayName { get; private set; } = "";

    public IReadOnlyList<MarketplaceBatch> Batches { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var userId = Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);
        DisplayName = await db.WorkerProfiles.Where(w => w.UserId == userId).Select(w => w.DisplayName).FirstOrDefaultAsync(cancellationToken)
                      ?? User.Identity?.Name ?? "";
        Batches = await marketplace.ListBatchesAsync(userId, cancellationToken);
    }
}
