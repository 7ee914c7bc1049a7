using CrowdLabel.Core;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Requester;

public sealed class DashboardModel(ICrowdLabelDb db) : PageModel
{
    public sealed record ProjectRow(Guid Id, string Name, int Batches, int Items, long PriceMinor, string Currency);

    public TenantMember Member { get; private set; } = null!;

    public IReadOnlyList<ProjectRow> Projects { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Member = HttpContext.TenantMember();
        Projects = await db.Projects.AsNoTracking()
            .OrderBy(p => p.Name)
            .Select(p => new ProjectRow(
                p.Id, p.Name,
                db.Batches.Count(b => b.ProjectId == p.Id),
                db.Batches.Where(b => b.ProjectId == p.Id).Sum(b => b.ItemCount),
                p.PricePerAssignmentMinor, p.Currency))
            .ToListAsync(cancellationToken);
    }
}
