using Quartz;

namespace CrowdLabel.Core.Work;

/// <summary>Frees the leases that ran out, in every tenant (AssignmentService.ExpireLeasesAsync); claims also free them lazily.</summary>
[DisallowConcurrentExecution]
public sealed class ExpireLeasesJob(AssignmentService assignments, TimeProvider clock) : IJob
{
    public static readonly JobKey Key = new("expire-leases", "work");

    public static readonly TriggerKey TriggerKey = new("expire-leases", "work");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await assignments.ExpireLeasesAsync(clock.GetUtcNow().UtcDateTime, cancellationToken);
}
