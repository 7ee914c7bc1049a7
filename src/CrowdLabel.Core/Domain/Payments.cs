namespace CrowdLabel.Core.Domain;

/// <summary>
/// A Stripe webhook event, stored by Stripe's own event id before it is processed, so a repeated delivery is a
/// duplicate key and processing happens once. Not tenant-owned: events arrive with no tenant, and the processor
/// finds the tenant or worker inside the payload.
/// </summary>
public class StripeEvent
{
    /// <summary>Stripe's event id ("evt_...").</summary>
    public string Id { get; set; } = "";

    public string Type { get; set; } = "";

    /// <summary>The verified JSON body as Stripe sent it.</summary>
    public string Payload { get; set; } = "";

    /// <summary>When Stripe created the event; later events win over earlier ones about the same object.</summary>
    public DateTime CreatedAt { get; set; }

    public DateTime ReceivedAt { get; set; }

    public StripeEventStatus Status { get; set; } = StripeEventStatus.Pending;

    /// <summary>Set in the same database transaction as the event's ledger effect.</summary>
    public DateTime? ProcessedAt { get; set; }

    public int Attempts { get; set; }

    /// <summary>Why the last attempt did not process the event, or why it was ignored, in words.</summary>
    public string? LastError { get; set; }
}

/// <summary>Where a stored Stripe event is.</summary>
public enum StripeEventStatus
{
    /// <summary>Not processed yet, or waiting for a retry (see <see cref="StripeEvent.LastError"/>).</summary>
    Pending = 1,
    Processed = 2,

    /// <summary>Nothing to do, or given up on after the last retry; the reason is in <see cref="StripeEvent.LastError"/>.</summary>
    Ignored = 3,
}

/// <summary>
/// A worker's Stripe Connect (Express) account. The row is also the worker's payout lock: every payout run bumps
/// <see cref="PayoutSequence"/> first, so one worker's earnings are paid out by one run at a time.
/// </summary>
public class WorkerStripeAccount
{
    public Guid WorkerId { get; set; }

    /// <summary>The connected account ("acct_..."), once Stripe has created it.</summary>
    public string? StripeAccountId { get; set; }

    /// <summary>Stripe says transfers to this account can be paid out (account.payouts_enabled).</summary>
    public bool PayoutsEnabled { get; set; }

    /// <summary>When Stripe's state of the account was last taken in (an event's creation time): older events are ignored.</summary>
    public DateTime? StatusAsOf { get; set; }

    public DateTime CreatedAt { get; set; }

    public long PayoutSequence { get; set; }
}

/// <summary>
/// Earnings moved to a worker's connected account. Created as pending together with its ledger movement, then sent
/// as one Stripe Transfer whose idempotency key is derived from <see cref="Id"/>, so a retry never pays twice.
/// </summary>
public class Payout
{
    public Guid Id { get; set; }

    public Guid WorkerId { get; set; }

    public long AmountMinor { get; set; }

    public string Currency { get; set; } = "USD";

    public PayoutStatus Status { get; set; } = PayoutStatus.Pending;

    /// <summary>The connected account the transfer goes to, fixed when the payout is created.</summary>
    public string StripeAccountId { get; set; } = "";

    /// <summary>Stripe's transfer ("tr_..."), once sent.</summary>
    public string? StripeTransferId { get; set; }

    /// <summary>How much of the transfer Stripe has reversed and the ledger has put back into earnings.</summary>
    public long ReversedMinor { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? SentAt { get; set; }

    /// <summary>Stripe's idempotency key and transfer group for this payout.</summary>
    public static string StripeKey(Guid payoutId) => $"payout-{payoutId:N}";
}

/// <summary>Where a payout is.</summary>
public enum PayoutStatus
{
    Pending = 1,
    Sent = 2,
    Failed = 3,
    Reversed = 4,
}

/// <summary>
/// A tenant's top-up through Stripe Checkout. Not tenant-filtered: the webhook that completes it has no current
/// tenant, so it is read by session id or by tenant explicitly.
/// </summary>
public class StripeFunding
{
    /// <summary>Stripe's Checkout Session id ("cs_...").</summary>
    public string SessionId { get; set; } = "";

    public Guid TenantId { get; set; }

    public long AmountMinor { get; set; }

    public string Currency { get; set; } = "USD";

    /// <summary>The payment to refund against ("pi_..."), known once the session is completed.</summary>
    public string? PaymentIntentId { get; set; }

    public FundingStatus Status { get; set; } = FundingStatus.Open;

    public long RefundedMinor { get; set; }

    public Guid? CreatedByUserId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? CompletedAt { get; set; }
}

/// <summary>Where a Checkout top-up is.</summary>
public enum FundingStatus
{
    Open = 1,
    Paid = 2,
}

/// <summary>
/// Unused balance paid back to the tenant's card: a Stripe Refund against one funding's payment. The ledger
/// movement (balance to clearing) is written with the pending row; the Stripe call follows with a key derived from the id.
/// </summary>
public class StripeRefund
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string FundingSessionId { get; set; } = "";

    public long AmountMinor { get; set; }

    public string Currency { get; set; } = "USD";

    public RefundStatus Status { get; set; } = RefundStatus.Pending;

    public string? StripeRefundId { get; set; }

    public string? LastError { get; set; }

    public Guid CreatedByUserId { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Stripe's idempotency key for this refund.</summary>
    public static string StripeKey(Guid refundId) => $"refund-{refundId:N}";
}

/// <summary>Where a refund is.</summary>
public enum RefundStatus
{
    Pending = 1,
    Succeeded = 2,
    Failed = 3,
}
