using System.Security.Claims;
using CrowdLabel.Core.Projects;
using CrowdLabel.Core.Quality;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Review;

/// <summary>One item under review: shown through the project's template, every answer with its worker's reliability, the posterior, and the decision form.</summary>
public sealed class ItemModel(ReviewService reviews, ApprovalService approvals) : PageModel
{
    public ReviewItem View { get; private set; } = null!;

    public string ItemHtml { get; private set; } = "";

    [BindProperty]
    public ResolveInput Input { get; set; } = new();

    public string? Message { get; private set; }

    public string Slug => HttpContext.TenantMember().Tenant.Slug;

    /// <summary>Rejecting an answer withholds its pay, as approving releases it: a reviewer settles labels, a manager (owner or requester) decides pay.</summary>
    public bool CanReject => HttpContext.TenantMember().MayManage;

    public async Task<IActionResult> OnGetAsync(Guid itemId, CancellationToken cancellationToken) =>
        await LoadAsync(itemId, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid itemId, CancellationToken cancellationToken)
    {
        var reviewerId = Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);
        var result = await reviews.ResolveAsync(itemId, reviewerId, Input, cancellationToken);
        if (result.IsNotFound)
        {
            return NotFound();
        }

        if (result.Succeeded)
        {
            Message = $"Resolved as \"{result.Value!.Label}\". The next consensus run takes it as known truth.";
        }
        else
        {
            ModelState.AddErrors(result.Errors, nameof(Input));
        }

        return await LoadAsync(itemId, cancellationToken) ? Page() : NotFound();
    }

    /// <summary>Rejects one answer of this item, on a ground and with a reason the worker sees.</summary>
    public async Task<IActionResult> OnPostRejectAsync(Guid itemId, Guid assignmentId, RejectInput reject, CancellationToken cancellationToken)
    {
        if (!CanReject)
        {
            return Forbid();
        }

        var result = await approvals.RejectAsync(assignmentId, reject, cancellationToken);
        if (result.IsNotFound)
        {
            return NotFound();
        }

        if (result.Succeeded)
        {
            Message = "The answer was rejected; its worker sees your reason.";
        }
        else
        {
            ModelState.AddErrors(result.Errors, "");
        }

        return await LoadAsync(itemId, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid itemId, CancellationToken cancellationToken)
    {
        if (await reviews.GetAsync(itemId, cancellationToken) is not { } view)
        {
            return false;
        }

        View = view;
        ItemHtml = ItemTemplate.Parse(view.ItemTemplate).Render(view.Fields);
        return true;
    }
}
