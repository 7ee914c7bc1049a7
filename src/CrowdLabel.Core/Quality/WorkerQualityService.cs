using System.Runtime.InteropServices;
using CrowdLabel.Consensus;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Core.Work;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Quality;

/// <summary>A worker's quality on one project, as the requester sees it.</summary>
public sealed record WorkerQuality(
    Guid WorkerId, string Worker, WorkerGoldAccuracy Gold, double? ConsensusAccuracy, int Answers, TimeSpan? MedianAnswerTime,
    ProjectWorkerStatus Status, string? StatusReason);

/// <summary>A worker's own standing on a project where they are paused or blocked, with the reason.</summary>
public sealed record WorkerStanding(string Project, ProjectWorkerStatus Status, string? Reason);

/// <summary>An answer of the worker that was rejected, with the reason they are owed.</summary>
public sealed record RejectedAnswer(Guid AssignmentId, string Project, string Batch, string? Label, DateTime? RejectedAt, string? Reason);

/// <summary>Worker quality per project for requesters, and a worker's pauses and rejections for the worker.</summary>
public sealed class WorkerQualityService(ICrowdLabelDb db)
{
    /// <summary>Every worker who answered on the current tenant's project or holds a standing there, best gold score first.</summary>
    public async Task<IReadOnlyList<WorkerQuality>> ForProjectAsync(Guid projectId, CancellationToken cancellationToken = default)
    {
        // The answers are streamed and only their times kept, grouped by worker (8 bytes an answer): the exact median
        // needs every time, but not every row at once.
        var byWorker = new Dictionary<Guid, List<TimeSpan>>();
        var answers = (
                from a in db.Assignments.AsNoTracking().Where(AnsweredAssignments.Filter)
                join b in db.Batches on a.BatchId equals b.Id
                where b.ProjectId == projectId && a.SubmittedAt != null
                select new { a.WorkerId, a.LeasedAt, SubmittedAt = a.SubmittedAt!.Value })
            .AsAsyncEnumerable();
        await foreach (var answer in answers.WithCancellation(cancellationToken))
        {
            (CollectionsMarshal.GetValueRefOrAddDefault(byWorker, answer.WorkerId, out _) ??= []).Add(answer.SubmittedAt - answer.LeasedAt);
        }

        var standings = await db.ProjectWorkers.AsNoTracking().Where(w => w.ProjectId == projectId).ToDictionaryAsync(w => w.WorkerId, cancellationToken);
        var workerIds = byWorker.Keys.Concat(standings.Keys).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => workerIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => string.IsNullOrEmpty(u.DisplayName) ? u.Email ?? "" : u.DisplayName, cancellationToken);
        return [.. workerIds.Select(id =>
            {
                var standing = standings.GetValueOrDefault(id);
                var times = byWorker.GetValueOrDefault(id) ?? [];
                return new WorkerQuality(id, names.GetValueOrDefault(id) ?? id.ToString(),
                    standing is null ? GoldAccuracy.FromCounts(0, 0) : GoldScore.Of(standing), standing?.ConsensusAccuracy, times.Count,
                    MarketplaceService.Median(times),
                    standing?.Status ?? ProjectWorkerStatus.Active, standing?.StatusReason);
            })
            .OrderByDescending(w => w.Gold.Mean).ThenBy(w => w.Worker, StringComparer.Ordinal)];
    }

    /// <summary>The projects, in any tenant, where this worker is paused or blocked, with the reason they were given.</summary>
    public async Task<IReadOnlyList<WorkerStanding>> PausesAsync(Guid workerId, CancellationToken cancellationToken = default)
    {
        var projects = db.Projects.IgnoreQueryFilters(TenantAccess.TenantFilterOnly);
        return await (
                from w in db.ProjectWorkers.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking()
                join p in projects on w.ProjectId equals p.Id
                where w.WorkerId == workerId && w.Status != ProjectWorkerStatus.Active
                orderby p.Name
                select new WorkerStanding(p.Name, w.Status, w.StatusReason))
            .ToListAsync(cancellationToken);
    }

    /// <summary>This worker's rejected answers, in any tenant, newest first, with the requester's reason.</summary>
    public async Task<IReadOnlyList<RejectedAnswer>> RejectionsAsync(Guid workerId, int take, CancellationToken cancellationToken = default)
    {
        var (batches, projects) = (db.Batches.IgnoreQueryFilters(TenantAccess.TenantFilterOnly), db.Projects.IgnoreQueryFilters(TenantAccess.TenantFilterOnly));
        return await (
                from a in db.Assignments.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking()
                join b in batches on a.BatchId equals b.Id
                join p in projects on b.ProjectId equals p.Id
                where a.WorkerId == workerId && a.Status == AssignmentStatus.Rejected
                orderby a.ReviewedAt descending
                select new RejectedAnswer(a.Id, p.Name, b.Name, a.Label, a.ReviewedAt, a.RejectionReason))
            .Take(Math.Clamp(take, 1, 200)).ToListAsync(cancellationToken);
    }
}
