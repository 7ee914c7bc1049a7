using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Work;

/// <summary>Registers the worker side: the assignment engine, the marketplace and personal API tokens.</summary>
public static class WorkServices
{
    public static IServiceCollection AddCrowdLabelWork(this IServiceCollection services)
    {
        services.AddSingleton<TaskLabelCache>();
        services.AddSingleton<ActiveTokenCache>();
        services.AddScoped<AssignmentService>();
        services.AddScoped<MarketplaceService>();
        services.AddScoped<WorkerTokenService>();
        return services;
    }
}
