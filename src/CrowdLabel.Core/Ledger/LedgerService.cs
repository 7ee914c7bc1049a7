using System.Globalization;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Ledger;

/// <summary>
/// The double-entry ledger (DESIGN.md, "Money"): every movement is one transaction whose postings sum to zero,
/// and every balance is a sum of postings. The ledger tables are not tenant-filtered, so every query here names
/// its accounts or its tenant explicitly.
/// </summary>
public sealed class LedgerService(ICrowdLabelDb db, ITenantContext tenantContext, TimeProvider clock)
{
    /// <summary>The most entries one listing returns.</summary>
    public const int MaxEntries = 500;

    private const string EscrowPrefix = "batch:";

    private static readonly CreditInputValidator CreditValidator = new();

    /// <summary>Credits a tenant's balance by hand, in the tenant's currency, from the manual-adjustments account.</summary>
    public async Task<Result<LedgerTransaction>> CreditTenantAsync(CreditInput input, Guid adminUserId, CancellationToken cancellationToken = default)
    {
        var validation = await CreditValidator.ValidateAsync(input, cancellationToken);
        if (!validation.IsValid)
        {
            return Result<LedgerTransaction>.Invalid(validation);
        }

        var currency = await db.Tenants.Where(t => t.Id == input.TenantId).Select(t => t.Currency).FirstOrDefaultAsync(cancellationToken);
        if (currency is null)
        {
            return Result<LedgerTransaction>.Invalid(nameof(CreditInput.TenantId), "There is no such organization.");
        }

        // A credit only adds to the balance, so it needs no tenant lock; its one SaveChanges is one database transaction.
        var transaction = Post(
            new Movement(LedgerKinds.ManualCredit, input.Reason.Trim(), currency, input.TenantId, BatchId: null, adminUserId, IdempotencyKey: null),
            (LedgerAccounts.ManualAdjustments, -input.AmountMinor),
            (LedgerAccounts.TenantBalance(input.TenantId), input.AmountMinor));
        await db.SaveChangesAsync(cancellationToken);
        return Result<LedgerTransaction>.Success(transaction);
    }

    /// <summary>Money the tenant has paid in and not committed to a batch.</summary>
    public async Task<Money> GetTenantBalanceAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        var currency = await TenantCurrencyAsync(tenantId, cancellationToken);
        return new Money(await BalanceAsync(LedgerAccounts.TenantBalance(tenantId), currency, cancellationToken), currency);
    }

    /// <summary>Money the tenant has committed to its published batches and not yet spent.</summary>
    public async Task<Money> GetTenantEscrowAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        var currency = await TenantCurrencyAsync(tenantId, cancellationToken);
        var held = await db.Postings
            .Where(p => p.TenantId == tenantId && p.Currency == currency && p.Account.StartsWith(EscrowPrefix))
            .SumAsync(p => p.AmountMinor, cancellationToken);
        return new Money(held, currency);
    }

    /// <summary>The escrow of a batch of the current tenant. Callers have found the batch already; another tenant's batch throws.</summary>
    public async Task<BatchCost> GetBatchCostAsync(Guid batchId, CancellationToken cancellationToken = default)
    {
        var currency = await db.Batches.AsNoTracking().Where(b => b.Id == batchId).Select(b => b.Currency).FirstOrDefaultAsync(cancellationToken)
                       ?? throw new InvalidOperationException($"Batch {batchId} is not in the current tenant.");
        var escrow = LedgerAccounts.BatchEscrow(batchId);
        var byKind = await (
                from posting in db.Postings
                join transaction in db.LedgerTransactions on posting.TransactionId equals transaction.Id
                where posting.Account == escrow && posting.Currency == currency
                group posting.AmountMinor by transaction.Kind into g
                select new { Kind = g.Key, Sum = g.Sum() })
            .ToListAsync(cancellationToken);
        var committed = byKind.Where(k => k.Kind == LedgerKinds.Publish).Sum(k => k.Sum);
        var spent = -byKind.Where(k => k.Kind == LedgerKinds.Approval).Sum(k => k.Sum);
        var remaining = byKind.Sum(k => k.Sum);
        return new BatchCost(new Money(committed, currency), new Money(spent, currency), new Money(remaining, currency));
    }

    /// <summary>The tenant's newest transactions (at most <paramref name="take"/>), newest first, with the balance after each.</summary>
    public async Task<IReadOnlyList<LedgerEntry>> ListTenantEntriesAsync(Guid tenantId, int take, CancellationToken cancellationToken)
    {
        var currency = await TenantCurrencyAsync(tenantId, cancellationToken);
        var balanceAccount = LedgerAccounts.TenantBalance(tenantId);
        var rows = await db.LedgerTransactions.AsNoTracking()
            .Where(t => t.TenantId == tenantId)
            .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id)
            .Take(Math.Clamp(take, 1, MaxEntries))
            .Select(t => new
            {
                t.Id, t.CreatedAt, t.Kind, t.Description, t.BatchId,
                Balance = t.Postings.Where(p => p.Account == balanceAccount && p.Currency == currency).Sum(p => p.AmountMinor),
                Escrow = t.Postings.Where(p => p.Account.StartsWith(EscrowPrefix) && p.Currency == currency).Sum(p => p.AmountMinor),
            })
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return [];
        }

        // The balance before the oldest listed entry, then forwards: reading "everything older than the page" rather
        // than "the balance now" keeps the running balance right even when a transaction lands between two reads.
        var listed = rows.Select(r => r.Id).ToList();
        var oldest = rows[^1].CreatedAt;
        var running = await db.Postings
            .Where(p => p.Account == balanceAccount && p.Currency == currency && p.CreatedAt <= oldest && !listed.Contains(p.TransactionId))
            .SumAsync(p => p.AmountMinor, cancellationToken);
        var entries = new LedgerEntry[rows.Count];
        for (var i = rows.Count - 1; i >= 0; i--)
        {
            var row = rows[i];
            running += row.Balance;
            entries[i] = new LedgerEntry(row.Id, row.CreatedAt, row.Kind, row.Description, row.BatchId,
                new Money(row.Balance, currency), new Money(row.Escrow, currency), new Money(running, currency));
        }

        return entries;
    }

    /// <summary>The newest credits made by hand, across tenants, for the admin.</summary>
    public async Task<IReadOnlyList<ManualCredit>> ListManualCreditsAsync(int take, CancellationToken cancellationToken = default)
    {
        var rows = await (
                from transaction in db.LedgerTransactions.AsNoTracking()
                join tenant in db.Tenants.AsNoTracking() on transaction.TenantId equals (Guid?)tenant.Id
                join user in db.Users.AsNoTracking() on transaction.CreatedByUserId equals (Guid?)user.Id into users
                from user in users.DefaultIfEmpty()
                where transaction.Kind == LedgerKinds.ManualCredit
                orderby transaction.CreatedAt descending, transaction.Id descending
                select new
                {
                    transaction.Id, transaction.CreatedAt, tenant.Name, tenant.Slug, tenant.Currency, transaction.Description,
                    Amount = transaction.Postings.Where(p => p.AmountMinor > 0).Sum(p => p.AmountMinor),
                    ByName = user == null ? null : user.DisplayName,
                    ByEmail = user == null ? null : user.Email,
                })
            .Take(Math.Clamp(take, 1, MaxEntries))
            .ToListAsync(cancellationToken);
        return rows.Select(r => new ManualCredit(r.Id, r.CreatedAt, r.Name, r.Slug, new Money(r.Amount, r.Currency), r.Description,
                r.ByName is null ? "unknown user" : $"{r.ByName} <{r.ByEmail}>"))
            .ToList();
    }

    /// <summary>
    /// Checks the whole ledger: every transaction sums to zero per currency, no account that must not be negative is,
    /// and no batch that is not open still holds escrow. Each violation is reported in words.
    /// </summary>
    public async Task<InvariantReport> CheckInvariantsAsync(CancellationToken cancellationToken = default)
    {
        var violations = new List<string>();
        var transactionCount = await db.LedgerTransactions.CountAsync(cancellationToken);
        violations.AddRange(await UnbalancedTransactionsAsync(cancellationToken));

        var accounts = await db.Postings
            .GroupBy(p => new { p.Account, p.Currency })
            .Select(g => new AccountSum(g.Key.Account, g.Key.Currency, g.Sum(p => p.AmountMinor)))
            .ToListAsync(cancellationToken);
        violations.AddRange(accounts
            .Where(a => a.Sum < 0 && !LedgerAccounts.MayBeNegative(a.Account))
            .OrderBy(a => a.Account, StringComparer.Ordinal)
            .Select(a => $"Account {a.Account} stands at {Money.Format(a.Sum, a.Currency)}; it must never be negative."));
        violations.AddRange(await EscrowOfClosedBatchesAsync(accounts, cancellationToken));

        var totals = accounts
            .GroupBy(a => (Kind: KindOf(a.Account), a.Currency))
            .Select(g => new AccountKindTotal(g.Key.Kind, g.Key.Currency, g.Count(), g.Sum(a => a.Sum)))
            .OrderBy(t => t.Kind, StringComparer.Ordinal).ThenBy(t => t.Currency, StringComparer.Ordinal)
            .ToList();
        return new InvariantReport(transactionCount, violations, totals);
    }

    /// <summary>
    /// Pays for approved work out of the batch's escrow: price x n to the worker's earnings, fee x n to platform
    /// revenue. Refused when the escrow would go below zero. With an idempotency key (e.g. "approval:{assignmentId}")
    /// a repeated call returns the first transaction instead of paying again.
    /// </summary>
    public async Task<Result<LedgerTransaction>> RecordApprovedWorkAsync(
        Guid batchId, Guid workerId, int assignments, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var tenantId = tenantContext.TenantId ?? throw new InvalidOperationException("Recording approved work needs a current tenant.");
        if (assignments <= 0)
        {
            return Result<LedgerTransaction>.Invalid(nameof(assignments), "Approve at least one assignment.");
        }

        return await InTenantLockAsync(tenantId, async () =>
        {
            if (idempotencyKey is not null &&
                await db.LedgerTransactions.Include(t => t.Postings).FirstOrDefaultAsync(t => t.IdempotencyKey == idempotencyKey, cancellationToken) is { } done)
            {
                return done.BatchId == batchId
                    ? Result<LedgerTransaction>.Success(done)
                    : Result<LedgerTransaction>.Invalid(nameof(idempotencyKey), $"The key \"{idempotencyKey}\" was used for another movement.");
            }

            var paid = await PayApprovedWorkAsync(tenantId, batchId, [new ApprovedWork(workerId, assignments, idempotencyKey)], cancellationToken);
            return paid.IsNotFound ? Result<LedgerTransaction>.NotFound()
                : paid.Succeeded ? Result<LedgerTransaction>.Success(paid.Value!.Single())
                : Result<LedgerTransaction>.Invalid(paid.Errors);
        }, cancellationToken);
    }

    /// <summary>
    /// Pays for the approved work of several workers in one batch at once: one ledger transaction per worker (its own
    /// description and idempotency key), after one check that the escrow holds all of it. Joins the caller's
    /// transaction, in which the answers were marked approved; nothing is posted when the escrow cannot pay it all.
    /// </summary>
    internal async Task<Result<IReadOnlyList<LedgerTransaction>>> RecordApprovedWorkAsync(
        Guid batchId, IReadOnlyList<ApprovedWork> work, CancellationToken cancellationToken)
    {
        var tenantId = tenantContext.TenantId ?? throw new InvalidOperationException("Recording approved work needs a current tenant.");
        return await InTenantLockAsync(tenantId, () => PayApprovedWorkAsync(tenantId, batchId, work, cancellationToken), cancellationToken);
    }

    /// <summary>The payment of approved work, inside the tenant's lock: the batch's checks, one escrow check, the postings.</summary>
    private async Task<Result<IReadOnlyList<LedgerTransaction>>> PayApprovedWorkAsync(
        Guid tenantId, Guid batchId, IReadOnlyList<ApprovedWork> work, CancellationToken cancellationToken)
    {
        var batch = await db.Batches.AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
        if (batch is null)
        {
            return Result<IReadOnlyList<LedgerTransaction>>.NotFound();
        }

        // A closed batch still pays the answers handed in before its close: its escrow kept what they cost.
        if (batch.Status == BatchStatus.Draft)
        {
            return Result<IReadOnlyList<LedgerTransaction>>.Invalid("", "Work is paid only in a published batch; this one is a draft.");
        }

        var assignments = work.Sum(w => (long)w.Assignments);
        var total = checked((batch.PricePerAssignmentMinor + batch.FeePerAssignmentMinor) * assignments);
        var escrow = LedgerAccounts.BatchEscrow(batchId);
        var held = await BalanceAsync(escrow, batch.Currency, cancellationToken);
        if (held < total)
        {
            return Result<IReadOnlyList<LedgerTransaction>>.Invalid("",
                $"The escrow of this batch holds {Money.Format(held, batch.Currency)}; paying for {Plural(assignments, "approved assignment")} needs {Money.Format(total, batch.Currency)}.");
        }

        return Result<IReadOnlyList<LedgerTransaction>>.Success(work.Select(w =>
        {
            var (pay, fee) = (checked(batch.PricePerAssignmentMinor * w.Assignments), checked(batch.FeePerAssignmentMinor * w.Assignments));
            var movement = new Movement(LedgerKinds.Approval, $"Approved {Plural(w.Assignments, "assignment")} in batch \"{batch.Name}\"",
                batch.Currency, tenantId, batchId, UserId: null, w.IdempotencyKey);
            return Post(movement, (escrow, -(pay + fee)), (LedgerAccounts.WorkerEarnings(w.WorkerId), pay), (LedgerAccounts.PlatformRevenue, fee));
        }).ToList());
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one database transaction that starts by taking the tenant's ledger lock, and
    /// saves and commits only when it succeeds. Joins the caller's transaction when one is already open.
    /// </summary>
    internal async Task<Result<T>> InTenantLockAsync<T>(Guid tenantId, Func<Task<Result<T>>> work, CancellationToken cancellationToken)
    {
        var owned = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            await LockTenantAsync(tenantId, cancellationToken);
            var result = await work();
            if (result.Succeeded)
            {
                await db.SaveChangesAsync(cancellationToken);
                if (owned is not null)
                {
                    await owned.CommitAsync(cancellationToken);
                }
            }

            return result;
        }
        finally
        {
            if (owned is not null)
            {
                await owned.DisposeAsync();
            }
        }
    }

    /// <summary>The sum of an account's postings in one currency.</summary>
    internal Task<long> BalanceAsync(string account, string currency, CancellationToken cancellationToken) =>
        db.Postings.Where(p => p.Account == account && p.Currency == currency).SumAsync(p => p.AmountMinor, cancellationToken);

    /// <summary>Adds a transaction with its postings to the context (the caller saves); postings of zero are left out.</summary>
    internal LedgerTransaction Post(Movement movement, params (string Account, long AmountMinor)[] lines)
    {
        if (lines.Sum(l => l.AmountMinor) != 0)
        {
            throw new InvalidOperationException($"The postings of a {movement.Kind} transaction must sum to zero.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var transaction = new LedgerTransaction
        {
            Id = Guid.CreateVersion7(),
            TenantId = movement.TenantId,
            Kind = movement.Kind,
            Description = movement.Description,
            BatchId = movement.BatchId,
            CreatedByUserId = movement.UserId,
            IdempotencyKey = movement.IdempotencyKey,
            CreatedAt = now,
        };
        transaction.Postings.AddRange(lines.Where(l => l.AmountMinor != 0).Select(l => new Posting
        {
            Id = Guid.CreateVersion7(),
            TransactionId = transaction.Id,
            Account = l.Account,
            AmountMinor = l.AmountMinor,
            Currency = movement.Currency,
            TenantId = movement.TenantId,
            CreatedAt = now,
        }));
        db.LedgerTransactions.Add(transaction);
        return transaction;
    }

    /// <summary>"1 assignment", "3 assignments".</summary>
    internal static string Plural(long count, string noun) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? noun : noun + "s");

    /// <summary>
    /// Bumps the tenant's ledger sequence. The UPDATE takes the tenant row's write lock until the transaction ends
    /// (SQLite's BEGIN IMMEDIATE already serializes writers), so one tenant's balance checks and postings run one at a time.
    /// </summary>
    private async Task LockTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var locked = await db.Tenants.Where(t => t.Id == tenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LedgerSequence, t => t.LedgerSequence + 1), cancellationToken);
        if (locked != 1)
        {
            throw new InvalidOperationException($"Tenant {tenantId} does not exist.");
        }
    }

    private Task<string> TenantCurrencyAsync(Guid tenantId, CancellationToken cancellationToken) =>
        db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Currency).SingleAsync(cancellationToken);

    private async Task<IEnumerable<string>> UnbalancedTransactionsAsync(CancellationToken cancellationToken)
    {
        var unbalanced = await db.Postings
            .GroupBy(p => new { p.TransactionId, p.Currency })
            .Where(g => g.Sum(p => p.AmountMinor) != 0)
            .Select(g => new { g.Key.TransactionId, g.Key.Currency, Sum = g.Sum(p => p.AmountMinor) })
            .ToListAsync(cancellationToken);
        if (unbalanced.Count == 0)
        {
            return [];
        }

        var ids = unbalanced.Select(u => u.TransactionId).Distinct().ToList();
        var transactions = await db.LedgerTransactions.AsNoTracking().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, cancellationToken);
        return unbalanced.Select(u => (Row: u, Transaction: transactions[u.TransactionId]))
            .OrderBy(x => x.Transaction.CreatedAt)
            .Select(x => $"Transaction {x.Row.TransactionId} ({x.Transaction.Kind}, {x.Transaction.CreatedAt.ToString("u", CultureInfo.InvariantCulture)}, " +
                         $"\"{x.Transaction.Description}\") does not sum to zero: its {x.Row.Currency} postings sum to {Money.Format(x.Row.Sum, x.Row.Currency)}.");
    }

    private async Task<IEnumerable<string>> EscrowOfClosedBatchesAsync(IReadOnlyList<AccountSum> accounts, CancellationToken cancellationToken)
    {
        var held = new Dictionary<Guid, AccountSum>();
        foreach (var account in accounts.Where(a => a.Sum > 0))
        {
            // Escrow accounts are "batch:{id:N}:escrow" (LedgerAccounts.BatchEscrow).
            if (account.Account.Split(':') is ["batch", var id, "escrow"] && Guid.TryParseExact(id, "N", out var batchId))
            {
                held[batchId] = account;
            }
        }

        if (held.Count == 0)
        {
            return [];
        }

        var ids = held.Keys.ToList();
        // An audit spans tenants, so it reads batches past the tenant filter; it writes nothing.
        var notOpen = await db.Batches.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking()
            .Where(b => ids.Contains(b.Id) && b.Status != BatchStatus.Published && b.Status != BatchStatus.Paused)
            .OrderBy(b => b.Name)
            .Select(b => new { b.Id, b.Name, b.Status })
            .ToListAsync(cancellationToken);
        return notOpen.Select(b =>
            $"Batch \"{b.Name}\" ({b.Id}) is {b.Status}, yet its escrow still holds {Money.Format(held[b.Id].Sum, held[b.Id].Currency)}.");
    }

    /// <summary>"batch:*:escrow" for "batch:{id}:escrow"; platform accounts are their own kind.</summary>
    private static string KindOf(string account) =>
        account.Split(':') is [var owner, _, var purpose] ? $"{owner}:*:{purpose}" : account;

    private sealed record AccountSum(string Account, string Currency, long Sum);
}

/// <summary>What a ledger transaction is about; its postings are passed beside it.</summary>
internal sealed record Movement(string Kind, string Description, string Currency, Guid? TenantId, Guid? BatchId, Guid? UserId, string? IdempotencyKey);

/// <summary>One worker's approved answers in a batch, paid as one ledger transaction.</summary>
internal sealed record ApprovedWork(Guid WorkerId, int Assignments, string? IdempotencyKey);
