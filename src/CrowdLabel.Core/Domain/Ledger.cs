namespace CrowdLabel.Core.Domain;

/// <summary>
/// One movement of money: a set of postings that sum to zero per currency. Balances are sums of postings,
/// never stored counters. Not tenant-filtered: platform and worker accounts span tenants, so the ledger is
/// read only through the ledger service, which filters by account explicitly.
/// </summary>
public class LedgerTransaction
{
    public Guid Id { get; set; }

    /// <summary>The tenant whose money moved, when one did (shown on that tenant's ledger page).</summary>
    public Guid? TenantId { get; set; }

    /// <summary>What kind of movement: see <see cref="LedgerKinds"/>.</summary>
    public string Kind { get; set; } = "";

    public string Description { get; set; } = "";

    public Guid? BatchId { get; set; }

    public Guid? CreatedByUserId { get; set; }

    /// <summary>Makes a movement happen at most once (e.g. "publish:{batchId}", a Stripe event id).</summary>
    public string? IdempotencyKey { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<Posting> Postings { get; set; } = [];
}

/// <summary>One line of a transaction: an amount (integer minor units, signed) on one account.</summary>
public class Posting
{
    public Guid Id { get; set; }

    public Guid TransactionId { get; set; }

    /// <summary>Account code, e.g. "tenant:{id}:balance"; see <see cref="LedgerAccounts"/>.</summary>
    public string Account { get; set; } = "";

    public long AmountMinor { get; set; }

    public string Currency { get; set; } = "USD";

    /// <summary>Copied from the transaction so a tenant's postings are found by index.</summary>
    public Guid? TenantId { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>The kinds of ledger transactions.</summary>
public static class LedgerKinds
{
    public const string ManualCredit = "manual-credit";
    public const string Publish = "publish";
    public const string ReleaseEscrow = "release-escrow";
    public const string Approval = "approval";
    public const string StripeFunding = "stripe-funding";
    public const string Refund = "refund";
    public const string Payout = "payout";
    public const string PayoutReversal = "payout-reversal";
    public const string PayoutFailure = "payout-failure";
}

/// <summary>Account codes of the double-entry ledger (DESIGN.md, "Money").</summary>
public static class LedgerAccounts
{
    public static string TenantBalance(Guid tenantId) => $"tenant:{tenantId:N}:balance";

    public static string BatchEscrow(Guid batchId) => $"batch:{batchId:N}:escrow";

    public static string WorkerEarnings(Guid workerId) => $"worker:{workerId:N}:earnings";

    public static string WorkerPaid(Guid workerId) => $"worker:{workerId:N}:paid";

    public const string PlatformRevenue = "platform:revenue";

    public const string StripeClearing = "stripe:clearing";

    /// <summary>Where money credited by hand comes from; it goes negative by design, like clearing.</summary>
    public const string ManualAdjustments = "platform:manual-adjustments";

    /// <summary>Accounts that may be negative: money enters the ledger through them.</summary>
    public static bool MayBeNegative(string account) => account is StripeClearing or ManualAdjustments;
}
