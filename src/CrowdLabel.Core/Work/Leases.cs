using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Work;

/// <summary>
/// How a lease ends without an answer and gives its item's slot back: one definition for the engine, the expiry job and
/// the close of a batch, so that <see cref="Item.Claimed"/> keeps counting exactly the live leases plus the answers.
/// Each runs inside the caller's transaction and addresses rows by id and their own tenant, so callers with no current
/// tenant (the job) can use them too.
/// </summary>
internal static class Leases
{
    /// <summary>
    /// Ends one lease: Leased to Expired only while it is still leased (and, when <paramref name="endedBefore"/> is given,
    /// past its end), so of all who race to end it (claims, the job, a late answer, the close of its batch) exactly one
    /// changes the row, and only that one gives the item's slot back.
    /// </summary>
    public static async Task<bool> ExpireAsync(
        ICrowdLabelDb db, Guid assignmentId, Guid tenantId, Guid itemId, DateTime? endedBefore, CancellationToken cancellationToken)
    {
        var lease = db.Assignments.IgnoreQueryFilters(TenantAccess.TenantFilterOnly)
            .Where(a => a.Id == assignmentId && a.TenantId == tenantId && a.Status == AssignmentStatus.Leased);
        if (endedBefore is { } now)
        {
            lease = lease.Where(a => a.LeaseExpiresAt < now);
        }

        var expired = await lease.ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AssignmentStatus.Expired), cancellationToken);
        if (expired == 1)
        {
            await ReleaseSlotAsync(db, itemId, tenantId, cancellationToken);
        }

        return expired == 1;
    }

    /// <summary>
    /// Ends every live lease of a batch that is closing (cancelled or complete): an answer to it would come after the
    /// close, which is refused (the answers handed in before it are still approved and paid). Ended as the expiry job
    /// ends a lease, so everything that reads assignments sees them as leases that ran out: no answer, no slot, and the
    /// worker never gets the item again.
    /// </summary>
    public static async Task<int> EndInBatchAsync(ICrowdLabelDb db, Guid batchId, Guid tenantId, CancellationToken cancellationToken)
    {
        var live = await db.Assignments.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking()
            .Where(a => a.BatchId == batchId && a.TenantId == tenantId && a.Status == AssignmentStatus.Leased)
            .OrderBy(a => a.ItemId)
            .Select(a => new { a.Id, a.ItemId })
            .ToListAsync(cancellationToken);
        var ended = 0;
        foreach (var lease in live)
        {
            ended += await ExpireAsync(db, lease.Id, tenantId, lease.ItemId, endedBefore: null, cancellationToken) ? 1 : 0;
        }

        return ended;
    }

    /// <summary>Gives one slot of the item back.</summary>
    public static Task<int> ReleaseSlotAsync(ICrowdLabelDb db, Guid itemId, Guid tenantId, CancellationToken cancellationToken) =>
        db.Items.IgnoreQueryFilters(TenantAccess.TenantFilterOnly)
            .Where(i => i.Id == itemId && i.TenantId == tenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Claimed, i => i.Claimed - 1), cancellationToken);
}
