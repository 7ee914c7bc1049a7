using CrowdLabel.Core.Payments;
using CrowdLabel.Core.Quality;
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

    /// <summary>Seconds between two runs of the consensus job (configuration key).</summary>
    public const string ConsensusSecondsKey = "Jobs:ConsensusSeconds";

    /// <summary>Seconds between two runs of the auto-approval job (configuration key).</summary>
    public const string ApprovalSecondsKey = "Jobs:ApprovalSeconds";

    public static IServiceCollection AddCrowdLabelJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var every = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue(ExpireLeasesSecondsKey, 30)));
        var consensusEvery = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue(ConsensusSecondsKey, 15)));
        var approvalEvery = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue(ApprovalSecondsKey, 300)));
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
            // Consensus and approval run on one node at a time per job; on several nodes a second run of the same batch
            // recomputes the same result (consensus) or finds the answers already approved (approval is conditional).
            Repeat<ConsensusJob>(ConsensusJob.Key, ConsensusJob.TriggerKey, consensusEvery);
            Repeat<ApprovalJob>(ApprovalJob.Key, ApprovalJob.TriggerKey, approvalEvery);

            void Repeat<TJob>(JobKey key, TriggerKey triggerKey, TimeSpan interval)
                where TJob : IJob
            {
                quartz.AddJob<TJob>(job => job.WithIdentity(key).DisallowConcurrentExecution());
                quartz.AddTrigger(trigger => trigger
                    .ForJob(key)
                    .WithIdentity(triggerKey)
                    .StartAt(DateTimeOffset.UtcNow + interval)
                    .WithSimpleSchedule(schedule => schedule.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            }
        });
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return services;
    }
}
