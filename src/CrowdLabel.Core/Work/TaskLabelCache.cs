using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace CrowdLabel.Core.Work;

/// <summary>
/// The labels of a project version, kept in memory: every claim shows them and every answer is checked against them.
/// A version's labels never change once a batch of it is published (a change makes a new version), and workers only
/// reach published batches, so an entry never goes stale while it can be asked for.
/// </summary>
public sealed class TaskLabelCache : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    /// <summary>The labels of one project version in their order; read from the database the first time.</summary>
    public async Task<IReadOnlyList<TaskLabel>> GetAsync(ICrowdLabelDb db, Guid projectId, int projectVersion, CancellationToken cancellationToken)
    {
        var key = (projectId, projectVersion);
        if (_cache.TryGetValue(key, out IReadOnlyList<TaskLabel>? labels) && labels is not null)
        {
            return labels;
        }

        labels = await db.ProjectLabels.AsNoTracking()
            .Where(l => l.ProjectId == projectId && l.ProjectVersion == projectVersion)
            .OrderBy(l => l.Ordinal).Select(l => new TaskLabel(l.Name, l.Key, l.Description)).ToListAsync(cancellationToken);
        if (labels.Count > 0)
        {
            _cache.Set(key, labels, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(30) });
        }

        return labels;
    }

    public void Dispose() => _cache.Dispose();
}
