using Quartz;

namespace CrowdLabel.Core.Payments;

/// <summary>The payout run (PayoutService.RunAsync), on the configured schedule.</summary>
[DisallowConcurrentExecution]
public sealed class PayoutJob(PayoutService payouts, FundingService funding) : IJob
{
    public static readonly JobKey Key = new("payouts", "payments");

    public static readonly TriggerKey TriggerKey = new("payouts", "payments");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        await payouts.RunAsync(cancellationToken);
        await funding.SendPendingRefundsAsync(cancellationToken);
    }
}

/// <summary>Processes stored Stripe events still pending (StripeWebhookService.ProcessPendingAsync).</summary>
[DisallowConcurrentExecution]
public sealed class StripeEventRetryJob(StripeWebhookService webhooks) : IJob
{
    public static readonly JobKey Key = new("stripe-event-retry", "payments");

    public static readonly TriggerKey TriggerKey = new("stripe-event-retry", "payments");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await webhooks.ProcessPendingAsync(cancellationToken);
}
