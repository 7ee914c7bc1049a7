using CrowdLabel.Core.Domain;

namespace CrowdLabel.Core.Ledger;

/// <summary>A batch's escrow: what publishing committed, what approved work spent, what it holds now.</summary>
public sealed record BatchCost(Money Committed, Money Spent, Money Remaining)
{
    /// <summary>What went back to the tenant balance when the batch closed.</summary>
    public Money Released => Committed with { Minor = Committed.Minor - Spent.Minor - Remaining.Minor };
}

/// <summary>One transaction as a tenant sees it: its effect on the tenant's balance and escrow, and the balance after it.</summary>
public sealed record LedgerEntry(
    Guid TransactionId,
    DateTime CreatedAt,
    string Kind,
    string Description,
    Guid? BatchId,
    Money BalanceChange,
    Money EscrowChange,
    Money BalanceAfter);

/// <summary>A credit made by hand, for the admin's list: when, to whom, how much, why, by whom.</summary>
public sealed record ManualCredit(Guid TransactionId, DateTime CreatedAt, string TenantName, string TenantSlug, Money Amount, string Reason, string CreatedBy);

/// <summary>The sum of every account of one kind (e.g. "batch:*:escrow") in one currency.</summary>
public sealed record AccountKindTotal(string Kind, string Currency, int Accounts, long TotalMinor)
{
    public Money Total => new(TotalMinor, Currency);
}

/// <summary>The outcome of the ledger's invariant check: each violation in words, and totals per kind of account.</summary>
public sealed record InvariantReport(int TransactionCount, IReadOnlyList<string> Violations, IReadOnlyList<AccountKindTotal> Totals)
{
    public bool IsOk => Violations.Count == 0;
}
