namespace CrowdLabel.Core.Payments;

/// <summary>Stripe settings, bound from the "Stripe" configuration section (docs/payments.md).</summary>
public sealed class StripeOptions
{
    public const string SectionName = "Stripe";

    /// <summary>The secret API key ("sk_test_..." or "sk_live_..."). Empty: payments are not configured.</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>The signing secret of the webhook endpoint ("whsec_..."); several, comma-separated, when a Connect endpoint has its own.</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>Another API base than Stripe's (the tests' local fake); empty for Stripe itself.</summary>
    public string ApiBase { get; set; } = "";

    /// <summary>The currency Checkout charges in; an organization in another currency cannot top up through Stripe.</summary>
    public string Currency { get; set; } = "USD";

    /// <summary>The smallest top-up, in minor units.</summary>
    public long MinFundingMinor { get; set; } = 500;

    /// <summary>The largest top-up, in minor units.</summary>
    public long MaxFundingMinor { get; set; } = 1_000_000;

    /// <summary>Earnings below this (minor units, in each currency) wait for the next payout run.</summary>
    public long MinimumPayoutMinor { get; set; } = 500;

    /// <summary>Quartz cron expression of the payout run; the default is daily at 02:00 UTC.</summary>
    public string PayoutSchedule { get; set; } = "0 0 2 * * ?";

    /// <summary>Seconds between two runs of the job that retries stored events not yet processed.</summary>
    public int EventRetrySeconds { get; set; } = 60;

    /// <summary>After this many attempts an event that still cannot be processed is ignored, with its reason kept.</summary>
    public int MaxEventAttempts { get; set; } = 10;

    /// <summary>How old (seconds) a signed webhook may be; Stripe's libraries default to 300.</summary>
    public long WebhookToleranceSeconds { get; set; } = 300;

    /// <summary>With no secret key, funding and payouts say that payments are not configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(SecretKey);
}
