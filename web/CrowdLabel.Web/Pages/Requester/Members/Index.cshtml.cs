using System.Security.Claims;
using CrowdLabel.Core;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Requester.Members;

public sealed class IndexModel(ICrowdLabelDb db, InvitationService invitations) : PageModel
{
    public sealed record MemberRow(string Name, string Email, TenantRole Role);

    public TenantMember Member { get; private set; } = null!;

    public IReadOnlyList<MemberRow> Members { get; private set; } = [];

    [BindProperty]
    public InviteInput Input { get; set; } = new();

    public string? InvitationLink { get; private set; }

    /// <summary>Owners and requesters invite; reviewers only look.</summary>
    public bool CanInvite => Member.MayManage;

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        ModelState.Clear();
        var userId = Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);
        var result = await invitations.InviteAsync(Input, userId, cancellationToken);
        if (!result.Succeeded)
        {
            ModelState.AddErrors(result.Errors);
            return Page();
        }

        // No mail sender is configured in this version: the link is shown on screen instead.
        InvitationLink = $"{Request.Scheme}://{Request.Host}/invitations/{result.Value!.Token}";
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Member = HttpContext.TenantMember();
        Members = await (
                from membership in db.Memberships.AsNoTracking()
                join user in db.Users.AsNoTracking() on membership.UserId equals user.Id
                orderby user.DisplayName
                select new MemberRow(user.DisplayName, user.Email ?? "", membership.Role))
            .ToListAsync(cancellationToken);
    }
}
