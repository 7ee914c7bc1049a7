using System.Security.Claims;
using CrowdLabel.Core;
using CrowdLabel.Core.Quality;
using CrowdLabel.Core.Work;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Work;

public sealed class IndexModel(ICrowdLabelDb db, MarketplaceService marketplace, WorkerQualityService quality) : PageModel
{
    public string DisplayName { get; private set; } = "";

    public IReadOnlyList<MarketplaceBatch> Batches { get; private set; } = [];

    /// <summary>The page shown (from ?page=), and whether a next one has batches.</summary>
    public int PageNumber { get; private set; } = 1;

    public bool HasMore { get; private set; }

    public string PageSizeQuery { get; private set; } = "";

    /// <summary>What is wrong with the requested page, if anything.</summary>
    public string? PagingError { get; private set; }

    /// <summary>Projects where the worker is paused or blocked, with the reason.</summary>
    public IReadOnlyList<WorkerStanding> Pauses { get; private set; } = [];

    /// <summary>The worker's latest rejected answers, with the requester's reason.</summary>
    public IReadOnlyList<RejectedAnswer> Rejections { get; private set; } = [];

    // From the query string by name: "page" is also Razor Pages' own route value (this page's path).
    public async Task OnGetAsync([FromQuery(Name = "page")] string? page, string? pageSize, CancellationToken cancellationToken)
    {
        var userId = Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);
        DisplayName = await db.WorkerProfiles.Where(w => w.UserId == userId).Select(w => w.DisplayName).FirstOrDefaultAsync(cancellationToken)
                      ?? User.Identity?.Name ?? "";
        var paging = MarketplacePaging.Read(page, pageSize);
        if (paging.Succeeded)
        {
            var listed = await marketplace.ListBatchesAsync(userId, paging.Value, cancellationToken);
            (Batches, PageNumber, HasMore) = (listed.Batches, listed.Page, listed.HasMore);
            // Page links keep a page size that was asked for.
            PageSizeQuery = string.IsNullOrWhiteSpace(pageSize) ? "" : $"&pageSize={listed.PageSize}";
        }
        else
        {
            PagingError = paging.Errors.Values.SelectMany(e => e).First();
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        Pauses = await quality.PausesAsync(userId, cancellationToken);
        Rejections = await quality.RejectionsAsync(userId, 20, cancellationToken);
    }
}
