using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Core.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdLabel.Core.Batches;

/// <summary>What publishing a batch commits: items x max redundancy x (price + fee), and the balance it would come from.</summary>
public sealed record PublishQuote(int Items, int MaxRedundancy, Money PricePerAssignment, Money FeePerAssignment, Money WorstCase, Money Balance)
{
    public bool IsCovered => Balance.Minor >= WorstCase.Minor;
}

/// <summary>
/// Moves a batch of the current tenant through its life (DESIGN.md, "The life of a batch"): publish commits the
/// worst case to the batch's escrow, pause and resume stop and restart work, cancel and complete end the live leases
/// and return the unspent escrow to the tenant balance, but for the pay of answers still waiting for approval, which
/// returns once they are settled (<see cref="ReleaseHeldAsync"/>).
/// </summary>
public sealed class BatchLifecycleService(
    ICrowdLabelDb db,
    ITenantContext tenantContext,
    LedgerService ledger,
    IOptions<LedgerOptions> options,
    TimeProvider clock)
{
    private const string NoItems = "This batch has no items; upload items before publishing it.";

    /// <summary>What publishing the batch would cost now, without publishing it.</summary>
    public async Task<Result<PublishQuote>> QuotePublishAsync(Guid batchId, CancellationToken cancellationToken = default)
    {
        var tenantId = CurrentTenant();
        var batch = await db.Batches.AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
        if (batch is null)
        {
            return Result<PublishQuote>.NotFound();
        }

        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == batch.ProjectId, cancellationToken);
        var refusal = NotDraft(batch) ?? NotPublishable(project, await TenantCurrencyAsync(tenantId, cancellationToken));
        if (refusal is not null)
        {
            return Result<PublishQuote>.Invalid("", refusal);
        }

        var quote = await QuoteAsync(batch, project, tenantId, cancellationToken);
        return quote.Items == 0 ? Result<PublishQuote>.Invalid("", NoItems) : Result<PublishQuote>.Success(quote);
    }

    /// <summary>
    /// Publishes a draft: snapshots price, fee, currency and max redundancy from the project and moves the worst case
    /// from the tenant balance to the batch's escrow, or refuses, writing nothing, when the balance is short.
    /// </summary>
    public Task<Result<Batch>> PublishAsync(Guid batchId, Guid userId, CancellationToken cancellationToken = default) =>
        TransitionAsync(batchId, async (batch, tenantId) =>
        {
            var project = await FreshAsync(db.Projects, batch.ProjectId, cancellationToken)
                          ?? throw new InvalidOperationException($"Batch {batch.Id} has no project.");
            var refusal = NotDraft(batch) ?? NotPublishable(project, await TenantCurrencyAsync(tenantId, cancellationToken));
            if (refusal is not null)
            {
                return refusal;
            }

            var quote = await QuoteAsync(batch, project, tenantId, cancellationToken);
            if (quote.Items == 0)
            {
                return NoItems;
            }

            if (!quote.IsCovered)
            {
                return $"The balance is {quote.Balance}; publishing this batch needs {quote.WorstCase}. Add funds first.";
            }

            batch.PricePerAssignmentMinor = quote.PricePerAssignment.Minor;
            batch.FeePerAssignmentMinor = quote.FeePerAssignment.Minor;
            batch.Currency = quote.WorstCase.Currency;
            batch.MaxRedundancy = quote.MaxRedundancy;
            batch.ItemCount = quote.Items;
            batch.Status = BatchStatus.Published;
            batch.PublishedAt = clock.GetUtcNow().UtcDateTime;
            project.HasPublishedBatch = true;
            if (quote.WorstCase.Minor > 0)
            {
                var description = $"Published batch \"{batch.Name}\": {LedgerService.Plural(quote.Items, "item")} x {quote.MaxRedundancy} answers x " +
                                  $"({quote.PricePerAssignment} + {quote.FeePerAssignment} fee)";
                ledger.Post(new Movement(LedgerKinds.Publish, description, batch.Currency, tenantId, batch.Id, userId, $"publish:{batch.Id}"),
                    (LedgerAccounts.TenantBalance(tenantId), -quote.WorstCase.Minor),
                    (LedgerAccounts.BatchEscrow(batch.Id), quote.WorstCase.Minor));
            }

            return null;
        }, cancellationToken);

    /// <summary>Stops handing out a published batch's items; its escrow stays committed.</summary>
    public Task<Result<Batch>> PauseAsync(Guid batchId, Guid userId, CancellationToken cancellationToken = default) =>
        SwitchAsync(batchId, BatchStatus.Published, BatchStatus.Paused, "Only a published batch can be paused", cancellationToken);

    /// <summary>Hands out a paused batch's items again.</summary>
    public Task<Result<Batch>> ResumeAsync(Guid batchId, Guid userId, CancellationToken cancellationToken = default) =>
        SwitchAsync(batchId, BatchStatus.Paused, BatchStatus.Published, "Only a paused batch can be resumed", cancellationToken);

    /// <summary>
    /// Closes a draft, published or paused batch for good and returns its unspent escrow to the tenant balance, but for
    /// the pay of answers waiting for approval (<see cref="ReleaseHeldAsync"/>).
    /// </summary>
    public Task<Result<Batch>> CancelAsync(Guid batchId, Guid userId, CancellationToken cancellationToken = default) =>
        TransitionAsync(batchId, (batch, tenantId) =>
            batch.Status is BatchStatus.Draft or BatchStatus.Published or BatchStatus.Paused
                ? CloseAsync(batch, BatchStatus.Cancelled, tenantId, userId, cancellationToken)
                : Task.FromResult<string?>($"Only a draft, published or paused batch can be cancelled; this one is {batch.Status}."),
            cancellationToken);

    /// <summary>Closes a published or paused batch as done and returns its unspent escrow to the tenant balance, as cancelling does.</summary>
    public Task<Result<Batch>> CompleteAsync(Guid batchId, Guid userId, CancellationToken cancellationToken = default) =>
        TransitionAsync(batchId, (batch, tenantId) =>
            batch.Status is BatchStatus.Published or BatchStatus.Paused
                ? CloseAsync(batch, BatchStatus.Completed, tenantId, userId, cancellationToken)
                : Task.FromResult<string?>($"Only a published or paused batch can be completed; this one is {batch.Status}."),
            cancellationToken);

    /// <summary>
    /// Closes a published or paused batch whose every item has its final label (the consensus job decides when), as
    /// <see cref="CompleteAsync"/> does but on no one's behalf; a batch that is already closed is left as it is.
    /// </summary>
    public Task<Result<Batch>> CompleteLabeledAsync(Guid batchId, CancellationToken cancellationToken = default) =>
        TransitionAsync(batchId, (batch, tenantId) =>
            batch.Status is BatchStatus.Published or BatchStatus.Paused
                ? CloseAsync(batch, BatchStatus.Completed, tenantId, userId: null, cancellationToken)
                : Task.FromResult<string?>($"Only a published or paused batch can be completed; this one is {batch.Status}."),
            cancellationToken);

    /// <summary>
    /// Runs one status change of a batch of the current tenant under the tenant's ledger lock, so the status it reads is
    /// the committed one and no other change or spend of the tenant interleaves. The step returns a refusal or null;
    /// it changes nothing before it is sure to succeed.
    /// </summary>
    private Task<Result<Batch>> TransitionAsync(Guid batchId, Func<Batch, Guid, Task<string?>> step, CancellationToken cancellationToken)
    {
        var tenantId = CurrentTenant();
        return ledger.InTenantLockAsync(tenantId, async () =>
        {
            var batch = await FreshAsync(db.Batches, batchId, cancellationToken);
            if (batch is null)
            {
                return Result<Batch>.NotFound();
            }

            var refusal = await step(batch, tenantId);
            return refusal is null ? Result<Batch>.Success(batch) : Result<Batch>.Invalid("", refusal);
        }, cancellationToken);
    }

    /// <summary>A change of status that moves no money.</summary>
    private Task<Result<Batch>> SwitchAsync(Guid batchId, BatchStatus from, BatchStatus to, string rule, CancellationToken cancellationToken) =>
        TransitionAsync(batchId, (batch, _) =>
        {
            if (batch.Status != from)
            {
                return Task.FromResult<string?>($"{rule}; this one is {batch.Status}.");
            }

            batch.Status = to;
            return Task.FromResult<string?>(null);
        }, cancellationToken);

    private async Task<string?> CloseAsync(Batch batch, BatchStatus closedAs, Guid tenantId, Guid? userId, CancellationToken cancellationToken)
    {
        if (batch.Status != BatchStatus.Draft)
        {
            // The live leases end with the batch and give their slots back; an answer that comes for one later is refused
            // (AssignmentService). The answers already handed in are the workers' work: the escrow keeps what paying
            // them takes, and they are approved (or rejected on a ground) as in an open batch, after which the rest
            // returns too (ReleaseHeldAsync).
            await Leases.EndInBatchAsync(db, batch.Id, tenantId, cancellationToken);
            var waiting = await db.Assignments.CountAsync(a => a.BatchId == batch.Id && a.Status == AssignmentStatus.Submitted, cancellationToken);
            var held = checked(waiting * (batch.PricePerAssignmentMinor + batch.FeePerAssignmentMinor));
            var description = $"Returned the unspent escrow of batch \"{batch.Name}\" ({closedAs.ToString().ToLowerInvariant()})" +
                              (waiting == 0 ? "" : $", keeping {Money.Format(held, batch.Currency)} for {waiting} answers waiting for approval");
            await ReleaseAsync(batch, tenantId, userId, description, $"release:{batch.Id}", keep: held, cancellationToken);
        }

        batch.Status = closedAs;
        batch.ClosedAt = clock.GetUtcNow().UtcDateTime;
        return null;
    }

    /// <summary>
    /// A closed batch whose last answer waiting at the close is approved or rejected: what its escrow kept for them and
    /// did not pay returns to the tenant balance. Nothing happens for an open batch, or while an answer still waits.
    /// </summary>
    public Task<Result<Batch>> ReleaseHeldAsync(Guid batchId, CancellationToken cancellationToken = default) =>
        TransitionAsync(batchId, async (batch, tenantId) =>
        {
            if (batch.Status is BatchStatus.Cancelled or BatchStatus.Completed &&
                !await db.Assignments.AnyAsync(a => a.BatchId == batch.Id && a.Status == AssignmentStatus.Submitted, cancellationToken))
            {
                await ReleaseAsync(batch, tenantId, userId: null,
                    $"Returned what the escrow of batch \"{batch.Name}\" kept for answers waiting at its close and did not pay",
                    $"release-held:{batch.Id}", keep: 0, cancellationToken);
            }

            return null;
        }, cancellationToken);

    /// <summary>Moves the batch's escrow above <paramref name="keep"/> to the tenant balance, once per key.</summary>
    private async Task ReleaseAsync(Batch batch, Guid tenantId, Guid? userId, string description, string key, long keep, CancellationToken cancellationToken)
    {
        var escrow = LedgerAccounts.BatchEscrow(batch.Id);
        var returned = await ledger.BalanceAsync(escrow, batch.Currency, cancellationToken) - keep;
        if (returned > 0 && !await db.LedgerTransactions.AnyAsync(t => t.IdempotencyKey == key, cancellationToken))
        {
            ledger.Post(new Movement(LedgerKinds.ReleaseEscrow, description, batch.Currency, tenantId, batch.Id, userId, key),
                (escrow, -returned),
                (LedgerAccounts.TenantBalance(tenantId), returned));
        }
    }

    private async Task<PublishQuote> QuoteAsync(Batch batch, Project project, Guid tenantId, CancellationToken cancellationToken)
    {
        // The items in the database, not a counter, decide what the escrow must cover.
        var items = await db.Items.CountAsync(i => i.BatchId == batch.Id, cancellationToken);
        var price = project.PricePerAssignmentMinor;
        var fee = options.Value.FeePerAssignment(price);
        var worstCase = checked(items * (long)project.MaxRedundancy * (price + fee));
        var balance = await ledger.BalanceAsync(LedgerAccounts.TenantBalance(tenantId), project.Currency, cancellationToken);
        return new PublishQuote(items, project.MaxRedundancy, new Money(price, project.Currency), new Money(fee, project.Currency),
            new Money(worstCase, project.Currency), new Money(balance, project.Currency));
    }

    private static string? NotDraft(Batch batch) =>
        batch.Status == BatchStatus.Draft ? null : $"Only a draft batch can be published; this one is {batch.Status}.";

    private static string? NotPublishable(Project project, string tenantCurrency)
    {
        if (!string.Equals(project.Currency, tenantCurrency, StringComparison.Ordinal))
        {
            return $"The project is priced in {project.Currency}, but this organization pays in {tenantCurrency}; change the project's currency first.";
        }

        return project.MaxRedundancy < 1 ? "The project's max redundancy must be at least 1 before a batch can be published." : null;
    }

    private Task<string> TenantCurrencyAsync(Guid tenantId, CancellationToken cancellationToken) =>
        db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Currency).SingleAsync(cancellationToken);

    private Guid CurrentTenant() =>
        tenantContext.TenantId ?? throw new InvalidOperationException("Changing a batch needs a current tenant.");

    /// <summary>The committed row. One this scope already tracks is reloaded: a query would hand back its old values.</summary>
    private static async Task<T?> FreshAsync<T>(DbSet<T> set, Guid id, CancellationToken cancellationToken)
        where T : class
    {
        if (set.Local.FindEntry(id) is { } tracked)
        {
            await tracked.ReloadAsync(cancellationToken);
            return tracked.State == EntityState.Detached ? null : tracked.Entity;
        }

        return await set.FirstOrDefaultAsync(e => EF.Property<Guid>(e, "Id") == id, cancellationToken);
    }
}
