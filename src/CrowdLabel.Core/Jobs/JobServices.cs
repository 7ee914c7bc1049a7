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

    /// <summary>
    /// Adds the jobs and their triggers; <paramref name="useStore"/> chooses where the schedule lives (in memory when
    /// not given: every host then runs its own schedule).
    /// </summary>
    public static IServiceCollection AddCrowdLabelJobs(this IServiceCollection services, IConfiguration configuration, Action<IQuartzBuilder>? useStore = null)
    {
        var every = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue(ExpireLeasesSecondsKey, 30)));
        var consensusEvery = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue(ConsensusSecondsKey, 15)));
        var approvalEvery = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue(ApprovalSecondsKey, 300)));
        services.AddQuartz(quartz =>
        {
            if (useStore is null)
            {
                quartz.UseInMemoryStore();
            }
            else
            {
                useStore(quartz);
            }

            quartz.AddJob<ExpireLeasesJob>(job => job.WithIdentity(ExpireLeasesJob.Key).DisallowConcurrentExecution());
            quartz.AddTrigger(trigger => trigger
                .ForJob(ExpireLeasesJob.Key)
                .WithIdentity(ExpireLeasesJob.TriggerKey)
                // The first run waits one interval, so it never races the migrations and seed of a starting site.
                .StartAt(DateTimeOffset.UtcNow + every)
                .WithSimpleSchedule(schedule => schedule.WithInterval(every).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            quartz.AddPaymentJobs(configuration);
            // Each job runs on one node at a time: in the clustered store (PostgreSQL, SQL Server) each firing runs on
            // one node of the cluster, and in memory (SQLite) there is one node.
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
