using System.Globalization;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Work;

/// <summary>
/// The marketplace: the batches a worker may work on, from every tenant. Published batches of public projects, and of
/// private-workforce projects of the tenants whose workforce the worker belongs to, that have a task for the worker;
/// never a project the worker is blocked from.
/// </summary>
public sealed class MarketplaceService(ICrowdLabelDb db)
{
    /// <summary>How many of a batch's latest answers the time estimate looks at: the recent pace, at a bounded cost.</summary>
    public const int AnswersForEstimate = 501;

    /// <summary>
    /// Tasks left are counted up to this many per batch, and past it shown as "1,000+": counting every open item of a
    /// 60,000-item batch took 30 to 60 ms per batch and per page view (PostgreSQL and SQLite alike); counting stops early now.
    /// </summary>
    public const int TasksLeftCounted = 1000;

    /// <summary>One page of the batches open to the worker, newest first (the first page of 50 when none is given).</summary>
    public async Task<MarketplacePage> ListBatchesAsync(Guid workerId, MarketplacePaging? paging = null, CancellationToken cancellationToken = default)
    {
        var (page, pageSize) = paging ?? MarketplacePaging.First;
        // The marketplace spans tenants by definition, and a worker's request has no current tenant: this reads past the
        // tenant filter on purpose, keeps only what this worker may see (the where clause below), and writes nothing.
        var batches = db.Batches.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking();
        var projects = db.Projects.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking();
        var standings = db.ProjectWorkers.IgnoreQueryFilters(TenantAccess.TenantFilterOnly);
        var workforces = db.WorkforceMembers.IgnoreQueryFilters(TenantAccess.TenantFilterOnly);
        var items = db.Items.IgnoreQueryFilters(TenantAccess.TenantFilterOnly);
        var assignments = db.Assignments.IgnoreQueryFilters(TenantAccess.TenantFilterOnly);
        var rows = await (
                from batch in batches
                join project in projects on batch.ProjectId equals project.Id
                join tenant in db.Tenants.AsNoTracking() on batch.TenantId equals tenant.Id
                join standing in standings.Where(w => w.WorkerId == workerId) on project.Id equals standing.ProjectId into standingRows
                from standing in standingRows.DefaultIfEmpty()
                where batch.Status == BatchStatus.Published &&
                      (project.Visibility == ProjectVisibility.Public ||
                       workforces.Any(w => w.TenantId == batch.TenantId && w.WorkerId == workerId)) &&
                      (standing == null || standing.Status != ProjectWorkerStatus.Blocked)
                orderby batch.PublishedAt descending, batch.Name, batch.Id
                select new
                {
                    batch.Id, batch.Name, ProjectId = project.Id, ProjectName = project.Name, Organization = tenant.Name,
                    batch.PricePerAssignmentMinor, batch.Currency,
                    NeedsQualification = project.QualificationItemCount > 0 && (standing == null || standing.QualifiedAt == null),
                    Standing = standing == null ? (ProjectWorkerStatus?)null : standing.Status,
                    StandingReason = standing == null ? null : standing.StatusReason,
                    // The real items this worker could still be given: open, with a free slot, never theirs before; one
                    // more than are shown, to tell "exactly 1,000" from "more".
                    TasksLeft = items.Where(i =>
                            i.BatchId == batch.Id && i.Status == ItemStatus.Open && i.GoldLabel == null && i.Claimed < i.RedundancyTarget &&
                            !assignments.Any(a => a.ItemId == i.Id && a.WorkerId == workerId))
                        .Take(TasksLeftCounted + 1).Count(),
                    HoldsLease = assignments.Any(a => a.BatchId == batch.Id && a.WorkerId == workerId && a.Status == AssignmentStatus.Leased),
                })
            // Only batches that have work for this worker: a task left to claim, or a lease to go back to (a claim hands it
            // out again). A batch whose every task is full or was theirs before would answer a claim with "nothing left".
            // A worker paused on the project still sees its batches: the marketplace is where they are told why.
            .Where(r => r.TasksLeft > 0 || r.HoldsLease || r.Standing == ProjectWorkerStatus.Paused)
            // One row past the page, to tell whether there is a next page.
            .Skip((int)Math.Min((page - 1L) * pageSize, int.MaxValue)).Take(pageSize + 1)
            .ToListAsync(cancellationToken);
        var hasMore = rows.Count > pageSize;
        rows = rows.Take(pageSize).ToList();
        var estimates = await EstimateTimePerTaskAsync(rows.Select(r => r.Id).ToList(), cancellationToken);
        var listed = rows.Select(r => new MarketplaceBatch(
                r.Id, r.Name, r.ProjectId, r.ProjectName, r.Organization, new Money(r.PricePerAssignmentMinor, r.Currency),
                estimates.GetValueOrDefault(r.Id), Math.Min(r.TasksLeft, TasksLeftCounted), r.TasksLeft > TasksLeftCounted, r.NeedsQualification, r.Standing ?? ProjectWorkerStatus.Active, r.StandingReason, r.HoldsLease))
            .ToList();
        return new MarketplacePage(listed, page, pageSize, hasMore);
    }

    /// <summary>
    /// The median time from lease to answer over each batch's latest answers; batches with no answer yet have none. One
    /// query per batch, each reading its latest answers from the index of answers (batch, time): one query for all
    /// batches numbered every answer of each batch to keep its latest, 320 to 470 ms per page view with 120,000 answers.
    /// </summary>
    private async Task<Dictionary<Guid, TimeSpan?>> EstimateTimePerTaskAsync(List<Guid> batchIds, CancellationToken cancellationToken)
    {
        var answers = db.Assignments.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking();
        var estimates = new Dictionary<Guid, TimeSpan?>();
        foreach (var batchId in batchIds)
        {
            var times = await answers
                .Where(a => a.BatchId == batchId && a.SubmittedAt != null)
                .OrderByDescending(a => a.SubmittedAt).Take(AnswersForEstimate)
                .Select(a => new { a.LeasedAt, a.SubmittedAt })
                .ToListAsync(cancellationToken);
            estimates[batchId] = Median(times.Select(t => t.SubmittedAt!.Value - t.LeasedAt).ToList());
        }

        return estimates;
    }

    /// <summary>The median of answer times (sorts the list), or null when there are none.</summary>
    internal static TimeSpan? Median(List<TimeSpan> times)
    {
        if (times.Count == 0)
        {
            return null;
        }

        times.Sort();
        var middle = times.Count / 2;
        return times.Count % 2 == 1 ? times[middle] : (times[middle - 1] + times[middle]) / 2;
    }
}

/// <summary>Which page of the marketplace to list: pages of <see cref="PageSize"/> batches, from 1.</summary>
public readonly record struct MarketplacePaging(int Page, int PageSize)
{
    public const int DefaultPageSize = 50;

    public const int MaxPageSize = 100;

    public static MarketplacePaging First => new(1, DefaultPageSize);

    /// <summary>Reads the optional "page" and "pageSize" of a request (the page's query string or the API's), or says what to fix.</summary>
    public static Result<MarketplacePaging> Read(string? page, string? pageSize)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var pageNumber = 1;
        if (!string.IsNullOrWhiteSpace(page) && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out pageNumber) || pageNumber < 1))
        {
            errors["page"] = [$"page is \"{page}\"; give a whole number from 1 (the first page)."];
        }

        var size = DefaultPageSize;
        if (!string.IsNullOrWhiteSpace(pageSize) &&
            (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
        {
            errors["pageSize"] = [$"pageSize is \"{pageSize}\"; give a whole number from 1 to {MaxPageSize} (default {DefaultPageSize})."];
        }

        return errors.Count > 0 ? Result<MarketplacePaging>.Invalid(errors) : Result<MarketplacePaging>.Success(new MarketplacePaging(pageNumber, size));
    }
}

/// <summary>One page of the marketplace; <see cref="HasMore"/> when a next page has batches.</summary>
public sealed record MarketplacePage(IReadOnlyList<MarketplaceBatch> Batches, int Page, int PageSize, bool HasMore);
