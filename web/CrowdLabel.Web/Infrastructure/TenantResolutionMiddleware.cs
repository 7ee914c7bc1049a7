using System.Security.Claims;
using CrowdLabel.Core.Tenancy;

namespace CrowdLabel.Web.Infrastructure;

/// <summary>
/// Makes the request's tenant current: from the route's {slug} for pages (the signed-in user must be a member),
/// or from the API key's tenant claim for the JSON API. A slug the user may not see answers 404, exactly as
/// an unknown slug does, so tenants cannot be discovered by probing.
/// </summary>
public sealed class TenantResolutionMiddleware(RequestDelegate next)
{
    /// <summary>HttpContext.Items key holding the <see cref="TenantMember"/> of a page request.</summary>
    public const string MemberKey = "crowdlabel.tenant-member";

    public async Task InvokeAsync(HttpContext context, TenantContext tenantContext, TenantAccess access)
    {
        if (context.User.FindFirstValue(ApiKeyAuthenticationHandler.TenantClaim) is { } apiTenant && Guid.TryParse(apiTenant, out var tenantId))
        {
            tenantContext.Set(tenantId);
        }
        else if (context.GetRouteValue("slug") is string slug)
        {
            if (context.User.Identity?.IsAuthenticated != true ||
                !Guid.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var member = await access.FindMembershipAsync(slug, userId, context.RequestAborted);
            if (member is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            tenantContext.Set(member.Tenant.Id, member.Tenant.Slug);
            context.Items[MemberKey] = member;
        }

        await next(context);
    }
}

/// <summary>Reads the tenant membership that <see cref="TenantResolutionMiddleware"/> resolved.</summary>
public static class TenantHttpContextExtensions
{
    public static TenantMember TenantMember(this HttpContext context) =>
        context.Items[TenantResolutionMiddleware.MemberKey] as TenantMember
        ?? throw new InvalidOperationException("This page is not under /t/{slug}.");
}
