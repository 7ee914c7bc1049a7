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
        var triggers = new List<ITrigger>
        {
            Every(ExpireLeasesJob.Key, ExpireLeasesJob.TriggerKey, every),
            Every(ConsensusJob.Key, ConsensusJob.TriggerKey, consensusEvery),
            Every(ApprovalJob.Key, ApprovalJob.TriggerKey, approvalEvery),
        };
        triggers.AddRange(PaymentServices.PaymentTriggers(configuration));
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

            // Each job runs on one node at a time: in the clustered store (PostgreSQL, SQL Server) each firing runs on
            // one node of the cluster, and in memory (SQLite) there is one node. The triggers are written by JobSchedule.
            Job<ExpireLeasesJob>(ExpireLeasesJob.Key);
            Job<ConsensusJob>(ConsensusJob.Key);
            Job<ApprovalJob>(ApprovalJob.Key);
            Job<PayoutJob>(PayoutJob.Key);
            Job<StripeEventRetryJob>(StripeEventRetryJob.Key);

            void Job<TJob>(JobKey key)
                where TJob : IJob =>
                quartz.AddJob<TJob>(job => job.WithIdentity(key).StoreDurably().DisallowConcurrentExecution());
        });
        services.AddSingleton(new JobSchedule(triggers));
        // Before Quartz's own hosted service, which starts the scheduler: the triggers are in place when it fires.
        services.AddHostedService<JobScheduleWriter>();
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return services;
    }

    /// <summary>
    /// A trigger firing every <paramref name="interval"/>, the first time one interval from now (so it never races the
    /// migrations and seed of a starting site); a firing missed while no node ran is skipped, not caught up.
    /// </summary>
    internal static ITrigger Every(JobKey job, TriggerKey key, TimeSpan interval) =>
        TriggerBuilder.Create().ForJob(job).WithIdentity(key)
            .StartAt(DateTimeOffset.UtcNow + interval)
            .WithSimpleSchedule(schedule => schedule.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
}
