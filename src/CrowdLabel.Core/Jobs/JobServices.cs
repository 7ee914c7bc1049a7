using CrowdLabel.Core.Payments;
using CrowdLabel.Core.Work;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CrowdLabel.Core.Jobs;

/// <summary>Registers the scheduled jobs with Quartz and runs the scheduler with the host.</summary>
public static class JobServices
{
    /// <summary>Seconds between two runs of the lease expiry job (configuration key).</summary>
    public const string ExpireLeasesSecondsKey = "Jobs:ExpireLeasesSeconds";

    public static IServiceCollection AddCrowdLabelJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var every = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue(ExpireLeasesSecondsKey, 30)));
        services.AddQuartz(quartz =>
        {
            // In memory: every node runs its own schedule, which is harmless for lease expiry (freeing a lease is a
            // conditional update, so two nodes never free one twice). A shared clustered store comes with PostgreSQL scale-out.
            quartz.UseInMemoryStore();
            quartz.AddJob<ExpireLeasesJob>(job => job.WithIdentity(ExpireLeasesJob.Key).DisallowConcurrentExecution());
            quartz.AddTrigger(trigger => trigger
                .ForJob(ExpireLeasesJob.Key)
                .WithIdentity(ExpireLeasesJob.TriggerKey)
                // The first run waits one interval, so it never races the migrations and seed of a starting site.
                .StartAt(DateTimeOffset.UtcNow + every)
                .WithSimpleSchedule(schedule => schedule.WithInterval(every).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            quartz.AddPaymentJobs(configuration);
        });
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return services;
    }
}
