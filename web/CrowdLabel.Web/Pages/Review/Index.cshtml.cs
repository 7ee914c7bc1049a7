using CrowdLabel.Core;
using CrowdLabel.Core.Quality;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Review;

/// <summary>The tenant's review queue: disputed items and QA samples, oldest first, optionally of one batch.</summary>
public sealed class IndexModel(ReviewService reviews, ICrowdLabelDb db) : PageModel
{
    private const int PageSize = 100;

    public IReadOnlyList<ReviewQueueEntry> Queue { get; private set; } = [];

    public IReadOnlyList<(Guid Id, string Name)> Batches { get; private set; } = [];

    public Guid? BatchId { get; private set; }

    public string Slug => HttpContext.TenantMember().Tenant.Slug;

    public async Task OnGetAsync(Guid? batchId, CancellationToken cancellationToken)
    {
        BatchId = batchId;
        Queue = await reviews.QueueAsync(batchId, PageSize, cancellationToken);
        Batches = [.. (await db.Batches.AsNoTracking().OrderByDescending(b => b.CreatedAt).Select(b => new { b.Id, b.Name }).Take(200)
            .ToListAsync(cancellationToken)).Select(b => (b.Id, b.Name))];
    }
}
