using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace CrowdLabel.Web.Infrastructure;

/// <summary>Rewrites a page folder's routes onto a tenant prefix: "Requester/Projects/Details" becomes "t/{slug}/Projects/Details".</summary>
public static class TenantRoutes
{
    public static Action<PageRouteModel> Prefix(string folder, string prefix) => model =>
    {
        foreach (var selector in model.Selectors)
        {
            var template = selector.AttributeRouteModel?.Template;
            if (template is null || !template.StartsWith(folder, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            selector.AttributeRouteModel!.Template = prefix + template[folder.Length..];
        }
    };
}
