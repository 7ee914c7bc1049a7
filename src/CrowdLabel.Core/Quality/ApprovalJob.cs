using Quartz;

namespace CrowdLabel.Core.Quality;

/// <summary>Approves the answers older than their project's auto-approval delay (ApprovalService.ApproveDueAsync).</summary>
[DisallowConcurrentExecution]
public sealed class ApprovalJob(ApprovalService approvals) : IJob
{
    public static readonly JobKey Key = new("auto-approval", "quality");

    public static readonly TriggerKey TriggerKey = new("auto-approval", "quality");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await approvals.ApproveDueAsync(cancellationToken);
}
