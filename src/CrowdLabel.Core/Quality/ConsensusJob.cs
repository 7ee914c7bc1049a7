using Quartz;

namespace CrowdLabel.Core.Quality;

/// <summary>Runs consensus on the batches with new answers or reviews (ConsensusService.RunDueAsync).</summary>
[DisallowConcurrentExecution]
public sealed class ConsensusJob(ConsensusService consensus) : IJob
{
    public static readonly JobKey Key = new("consensus", "quality");

    public static readonly TriggerKey TriggerKey = new("consensus", "quality");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await consensus.RunDueAsync(cancellationToken);
}
