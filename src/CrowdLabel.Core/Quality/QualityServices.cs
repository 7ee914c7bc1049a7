using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Quality;

/// <summary>Registers the quality loop: consensus, approvals, review and results.</summary>
public static class QualityServices
{
    public static IServiceCollection AddCrowdLabelQuality(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<QualityOptions>().Bind(configuration.GetSection(QualityOptions.Section))
            .Validate(o => o.AnswerWeight is > 0 and <= 1, $"{QualityOptions.Section}:{nameof(QualityOptions.AnswerWeight)} must be in (0, 1].")
            .Validate(o => o.AnswerCacheSize >= 0, $"{QualityOptions.Section}:{nameof(QualityOptions.AnswerCacheSize)} must be 0 (no cache) or more.")
            .Validate(o => o.WritePause >= TimeSpan.Zero && o.WritePause <= TimeSpan.FromMinutes(1),
                $"{QualityOptions.Section}:{nameof(QualityOptions.WritePause)} must be a time from 00:00:00 (no pause) to 00:01:00, such as 00:00:00.150.")
            .ValidateOnStart();
        services.AddSingleton<ConsensusAnswerCache>();
        services.AddScoped<ConsensusService>();
        services.AddScoped<ApprovalService>();
        services.AddScoped<ReviewService>();
        services.AddScoped<ResultsService>();
        services.AddScoped<WorkerQualityService>();
        return services;
    }
}
