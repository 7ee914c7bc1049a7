using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace CrowdLabel.Web.Infrastructure;

/// <summary>Marks a tenant page that exists only to change the tenant (a form page): members who may not manage are refused it, reading included.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ManagersOnlyAttribute : Attribute;

/// <summary>
/// The one rule for the tenant pages (Pages/Requester): a member who may not manage the tenant (a reviewer,
/// <see cref="Core.Tenancy.TenantMember.MayManage"/>) may read them but sends no form to them, and is refused the
/// pages marked <see cref="ManagersOnlyAttribute"/>. Refused requests go to the access-denied page before any handler
/// runs, so nothing is changed.
/// </summary>
public sealed class TenantManagerFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var http = context.HttpContext;
        var changes = !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) ||
                      context.ActionDescriptor.ModelTypeInfo?.IsDefined(typeof(ManagersOnlyAttribute), inherit: false) == true;
        if (changes && !http.TenantMember().MayManage)
        {
            context.Result = new ForbidResult();
            return;
        }

        await next();
    }
}
