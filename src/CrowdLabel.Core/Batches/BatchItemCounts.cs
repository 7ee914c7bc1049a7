using CrowdLabel.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Batches;

/// <summary>A batch's items by consensus status, as the batch page and the status API show them.</summary>
public static class BatchItemCounts
{
    /// <summary>One grouped query; statuses with no items are absent.</summary>
    public static Task<Dictionary<ItemStatus, int>> ByStatusAsync(ICrowdLabelDb db, Guid batchId, CancellationToken cancellationToken) =>
        db.Items.Where(i => i.BatchId == batchId).GroupBy(i => i.Status)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
}
