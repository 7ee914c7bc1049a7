using System.Security.Claims;
using CrowdLabel.Core;
using CrowdLabel.Core.Quality;
using CrowdLabel.Core.Work;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Work;

public sealed class IndexModel(ICrowdLabelDb db, MarketplaceService marketplace, WorkerQualityService quality) : PageModel
{
    public string DisplayName { get; private set; } = "";

    public IReadOnlyList<MarketplaceBatch> Batches { get; private set; } = [];

    /// <summary>Projects where the worker is paused or blocked, with the reason.</summary>
    public IReadOnlyList<WorkerStanding> Pauses { get; private set; } = [];

    /// <summary>The worker's latest rejected answers, with the requester's reason.</summary>
    public IReadOnlyList<RejectedAnswer> Rejections { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var userId = Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);
        DisplayName = await db.WorkerProfiles.Where(w => w.UserId == userId).Select(w => w.DisplayName).FirstOrDefaultAsync(cancellationToken)
                      ?? User.Identity?.Name ?? "";
        Batches = await marketplace.ListBatchesAsync(userId, cancellationToken);
        Pauses = await quality.PausesAsync(userId, cancellationToken);
        Rejections = await quality.RejectionsAsync(userId, 20, cancellationToken);
    }
}
