using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Batches.Import;
using CrowdLabel.Core.Projects;
using CrowdLabel.Core.Qualification;
using CrowdLabel.Core.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CrowdLabel.Core;

/// <summary>Registers the application services.</summary>
public static class CoreServices
{
    public static IServiceCollection AddCrowdLabelCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<TenantContext>();
        services.AddScoped<ITenantContext>(sp => sp.GetRequiredService<TenantContext>());
        services.AddScoped<TenantAccess>();
        services.AddScoped<AccountService>();
        services.AddScoped<InvitationService>();
        services.AddScoped<ProjectService>();
        services.AddScoped<ImportService>();
        services.AddOptions<ImportOptions>();
        services.AddScoped<ApiKeyService>();
        services.AddScoped<QualificationService>();
        return services;
    }
}
