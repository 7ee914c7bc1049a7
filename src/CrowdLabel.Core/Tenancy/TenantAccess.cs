using CrowdLabel.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Tenancy;

/// <summary>A signed-in user's standing in one tenant.</summary>
public sealed record TenantMember(Tenant Tenant, TenantRole Role)
{
    /// <summary>
    /// Owners and requesters run the tenant: projects, batches, approvals, money, members, API keys. Reviewers see
    /// projects and batches (they judge answers against them) and settle items in the review queue, nothing more.
    /// </summary>
    public bool MayManage => Role is TenantRole.Owner or TenantRole.Requester;
}

/// <summary>Answers "may this user act in this tenant?" before any tenant is current.</summary>
public sealed class TenantAccess(ICrowdLabelDb db)
{
    /// <summary>Name of the EF Core query filter that hides other tenants' rows.</summary>
    public const string FilterName = "Tenant";

    /// <summary>
    /// The filter names to pass to IgnoreQueryFilters to read past the tenant filter (and only that one). Typed as the
    /// parameter is: inside a query, a collection literal or an array that needs converting is compiled into a delegate
    /// on every execution, where this is read as a plain field.
    /// </summary>
    public static readonly IReadOnlyCollection<string> TenantFilterOnly = [FilterName];

    /// <summary>The tenant with this slug if the user is a member of it; null otherwise (unknown slug or not a member look the same).</summary>
    public async Task<TenantMember?> FindMembershipAsync(string slug, Guid userId, CancellationToken cancellationToken = default)
    {
        // Joined and nested sources are locals: a method call inside the query would be compiled on every execution.
        var memberships = db.Memberships.IgnoreQueryFilters(TenantFilterOnly).AsNoTracking();
        var match = await (
                from tenant in db.Tenants.AsNoTracking()
                join membership in memberships
                    on tenant.Id equals membership.TenantId
                where tenant.Slug == slug && membership.UserId == userId
                select new { tenant, membership.Role })
            .FirstOrDefaultAsync(cancellationToken);
        return match is null ? null : new TenantMember(match.tenant, match.Role);
    }

    /// <summary>Every tenant the user belongs to, by name.</summary>
    public async Task<IReadOnlyList<TenantMember>> ListForUserAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var memberships = db.Memberships.IgnoreQueryFilters(TenantFilterOnly).AsNoTracking();
        var rows = await (
                from tenant in db.Tenants.AsNoTracking()
                join membership in memberships
                    on tenant.Id equals membership.TenantId
                where membership.UserId == userId
                orderby tenant.Name
                select new { tenant, membership.Role })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new TenantMember(r.tenant, r.Role)).ToList();
    }
}
