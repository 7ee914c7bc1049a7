using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Quality;

/// <summary>Registers the quality loop: consensus, approvals, review and results.</summary>
public static class QualityServices
{
    public static IServiceCollection AddCrowdLabelQuality(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<QualityOptions>(configuration.GetSection(QualityOptions.Section));
        services.AddScoped<ConsensusService>();
        services.AddScoped<ApprovalService>();
        services.AddScoped<ReviewService>();
        services.AddScoped<ResultsService>();
        services.AddScoped<WorkerQualityService>();
        return services;
    }
}
