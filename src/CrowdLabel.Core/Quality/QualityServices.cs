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
            .Validate(o => o.QaSampleRate is >= 0 and <= 1,
                $"{QualityOptions.Section}:{nameof(QualityOptions.QaSampleRate)} is a share of each label's accepted items, from 0 to 1 (0.01 samples 1%; at least one item per label is always sampled).")
            .Validate(o => o.MinGoldAnswersBeforePause >= 1,
                $"{QualityOptions.Section}:{nameof(QualityOptions.MinGoldAnswersBeforePause)} must be 1 or more: the gold answers a worker gives before their score can pause them.")
            .Validate(o => o.AnswerSettleTime >= TimeSpan.Zero && o.AnswerSettleTime <= TimeSpan.FromMinutes(10),
                $"{QualityOptions.Section}:{nameof(QualityOptions.AnswerSettleTime)} must be a time from 00:00:00 to 00:10:00, such as 00:00:10.")
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
