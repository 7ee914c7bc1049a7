using Microsoft.Extensions.Hosting;
using Quartz;

namespace CrowdLabel.Core.Jobs;

/// <summary>
/// The triggers the configuration asks for, written into the scheduler's store as a node starts. A trigger already
/// stored with the same schedule is left alone: on a shared store another node may hold it acquired, and replacing it
/// then made both nodes fire it, each on its own phase (JobStoreTests). A missing trigger is added, and one whose
/// schedule the configuration changed (an interval, the payout cron) is replaced, once, by the first node that starts
/// with the new setting.
/// </summary>
public sealed class JobSchedule(IReadOnlyList<ITrigger> triggers)
{
    public async Task WriteAsync(IScheduler scheduler, CancellationToken cancellationToken = default)
    {
        foreach (var trigger in triggers)
        {
            var stored = await scheduler.GetTrigger(trigger.Key, cancellationToken);
            if (stored is null)
            {
                try
                {
                    await scheduler.ScheduleJob(trigger, new ScheduleJobOptions(), cancellationToken);
                }
                catch (ObjectAlreadyExistsException)
                {
                    // Another node starting at the same moment wrote it first.
                }
            }
            else if (!SameSchedule(stored, trigger))
            {
                await scheduler.RescheduleJob(trigger.Key, trigger, cancellationToken);
            }
        }
    }

    private static bool SameSchedule(ITrigger stored, ITrigger wanted) => (stored, wanted) switch
    {
        (ISimpleTrigger s, ISimpleTrigger w) => s.RepeatInterval == w.RepeatInterval && s.RepeatCount == w.RepeatCount,
        (ICronTrigger s, ICronTrigger w) => s.CronExpressionString == w.CronExpressionString && s.TimeZone.Id == w.TimeZone.Id,
        _ => false,
    };
}

/// <summary>Writes the <see cref="JobSchedule"/> when the host starts, before the scheduler starts firing.</summary>
internal sealed class JobScheduleWriter(ISchedulerFactory schedulers, JobSchedule schedule) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) =>
        await schedule.WriteAsync(await schedulers.GetScheduler(cancellationToken), cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
