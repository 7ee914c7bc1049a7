using System.Text.Json;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Core.Work;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Qualification;

/// <summary>One item of a qualification test, as the worker sees it (never with its gold answer).</summary>
public sealed record QualificationItem(Guid ItemId, IReadOnlyDictionary<string, string> Fields);

/// <summary>The test a worker takes before working on a project.</summary>
public sealed record QualificationTest(
    Guid ProjectId, string ProjectName, string Instructions, string ItemTemplate, double PassMark,
    IReadOnlyList<TaskLabel> Labels, IReadOnlyList<QualificationItem> Items);

/// <summary>How a worker did.</summary>
public sealed record QualificationOutcome(int Correct, int Total, bool Passed, DateTime? RetryAt);

/// <summary>
/// Qualification tests: a project's first N gold items (in batch and row order, so every worker gets the same
/// test) and a pass mark. A worker who fails may retry after the project's wait.
/// </summary>
public sealed class QualificationService(ICrowdLabelDb db, TenantContext tenantContext, TimeProvider clock)
{
    public async Task<Result<QualificationTest>> GetTestAsync(Guid projectId, Guid workerId, CancellationToken cancellationToken = default)
    {
        var loaded = await LoadTestAsync(projectId, workerId, cancellationToken);
        return loaded.Succeeded ? Result<QualificationTest>.Success(loaded.Value!.Test)
            : loaded.IsNotFound ? Result<QualificationTest>.NotFound() : Result<QualificationTest>.Invalid(loaded.Errors);
    }

    /// <summary>The test with what grading needs beside it: the project and each item's gold answer.</summary>
    private sealed record LoadedTest(Project Project, QualificationTest Test, IReadOnlyDictionary<Guid, string?> Gold);

    private async Task<Result<LoadedTest>> LoadTestAsync(Guid projectId, Guid workerId, CancellationToken cancellationToken)
    {
        var project = await FindProjectAsync(projectId, workerId, cancellationToken);
        if (project is null)
        {
            return Result<LoadedTest>.NotFound();
        }

        var refusal = await RefusalAsync(project, workerId, cancellationToken);
        if (refusal is not null)
        {
            return Result<LoadedTest>.Invalid("", refusal);
        }

        var items = await TestItemsAsync(project, cancellationToken);
        if (items.Count < project.QualificationItemCount)
        {
            return Result<LoadedTest>.Invalid("", $"The qualification test of \"{project.Name}\" is not ready yet; try again later.");
        }

        var labels = await db.ProjectLabels.AsNoTracking()
            .Where(l => l.ProjectId == project.Id && l.ProjectVersion == project.Version).OrderBy(l => l.Ordinal)
            .Select(l => new TaskLabel(l.Name, l.Key, l.Description)).ToListAsync(cancellationToken);
        var test = new QualificationTest(
            project.Id, project.Name, project.Instructions, project.ItemTemplate, project.QualificationPassMark, labels,
            items.Select(i => new QualificationItem(i.Id, JsonSerializer.Deserialize<Dictionary<string, string>>(i.Data)!)).ToList());
        return Result<LoadedTest>.Success(new LoadedTest(project, test, items.ToDictionary(i => i.Id, i => i.GoldLabel)));
    }

    /// <summary>Grades a test: every item must be answered with one of the labels; passing qualifies the worker for the project.</summary>
    public async Task<Result<QualificationOutcome>> SubmitAsync(
        Guid projectId, Guid workerId, IReadOnlyDictionary<Guid, string> answers, CancellationToken cancellationToken = default)
    {
        var loaded = await LoadTestAsync(projectId, workerId, cancellationToken);
        if (!loaded.Succeeded)
        {
            return loaded.IsNotFound ? Result<QualificationOutcome>.NotFound() : Result<QualificationOutcome>.Invalid(loaded.Errors);
        }

        var (project, test, gold) = loaded.Value!;
        var labels = test.Labels.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var item in test.Items)
        {
            if (!answers.TryGetValue(item.ItemId, out var answer) || string.IsNullOrEmpty(answer))
            {
                errors[$"answers[{item.ItemId}]"] = ["Answer this item."];
            }
            else if (!labels.Contains(answer))
            {
                errors[$"answers[{item.ItemId}]"] = [$"\"{answer}\" is not one of the labels: {string.Join(", ", labels)}."];
            }
        }

        if (errors.Count > 0)
        {
            return Result<QualificationOutcome>.Invalid(errors);
        }

        var ids = test.Items.Select(i => i.ItemId).ToList();
        var correct = ids.Count(id => string.Equals(gold[id], answers[id], StringComparison.Ordinal));
        var passed = correct >= (int)Math.Ceiling(project.QualificationPassMark * ids.Count - 1e-9);
        var now = clock.GetUtcNow().UtcDateTime;

        var standing = await db.ProjectWorkers.FirstOrDefaultAsync(w => w.ProjectId == project.Id && w.WorkerId == workerId, cancellationToken);
        if (standing is null)
        {
            standing = new ProjectWorker { Id = Guid.CreateVersion7(), TenantId = project.TenantId, ProjectId = project.Id, WorkerId = workerId };
            db.ProjectWorkers.Add(standing);
        }

        standing.UpdatedAt = now;
        if (passed)
        {
            standing.QualifiedAt = now;
        }
        else
        {
            standing.QualificationFailedAt = now;
        }

        db.QualificationAttempts.Add(new QualificationAttempt
        {
            Id = Guid.CreateVersion7(), TenantId = project.TenantId, ProjectId = project.Id, WorkerId = workerId,
            StartedAt = now, FinishedAt = now, Correct = correct, Total = ids.Count, Passed = passed,
        });
        await db.SaveChangesAsync(cancellationToken);
        return Result<QualificationOutcome>.Success(new QualificationOutcome(
            correct, ids.Count, passed, passed ? null : now.AddHours(project.QualificationRetryHours)));
    }

    // Workers are not tenant members: the project is found across tenants and checked against what the worker
    // may see (public projects, or private ones of a workforce the worker belongs to); from then on the
    // worker acts in the project's tenant, so every other query and write goes through the tenant filter.
    private async Task<Project?> FindProjectAsync(Guid projectId, Guid workerId, CancellationToken cancellationToken)
    {
        var project = await db.Projects.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking()
            .FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken);
        if (project is null)
        {
            return null;
        }

        if (project.Visibility == ProjectVisibility.PrivateWorkforce &&
            !await db.WorkforceMembers.IgnoreQueryFilters(TenantAccess.TenantFilterOnly)
                .AnyAsync(w => w.TenantId == project.TenantId && w.WorkerId == workerId, cancellationToken))
        {
            return null;
        }

        tenantContext.Set(project.TenantId);
        return project;
    }

    private async Task<string?> RefusalAsync(Project project, Guid workerId, CancellationToken cancellationToken)
    {
        if (project.QualificationItemCount == 0)
        {
            return $"\"{project.Name}\" has no qualification test: go straight to its tasks.";
        }

        var standing = await db.ProjectWorkers.AsNoTracking()
            .FirstOrDefaultAsync(w => w.ProjectId == project.Id && w.WorkerId == workerId, cancellationToken);
        if (standing?.Status == ProjectWorkerStatus.Blocked)
        {
            return AssignmentService.BlockedMessage(project.Name, standing.StatusReason);
        }

        if (standing?.QualifiedAt is not null)
        {
            return $"You have already passed the qualification test of \"{project.Name}\".";
        }

        if (standing?.QualificationFailedAt is { } failed && failed.AddHours(project.QualificationRetryHours) > clock.GetUtcNow().UtcDateTime)
        {
            return $"You can retry the qualification test of \"{project.Name}\" from {failed.AddHours(project.QualificationRetryHours):yyyy-MM-dd HH:mm} UTC.";
        }

        return null;
    }

    private Task<List<Item>> TestItemsAsync(Project project, CancellationToken cancellationToken) =>
        TestItems(db, project.Id, project.QualificationItemCount).ToListAsync(cancellationToken);

    /// <summary>
    /// A project's test items: its first <paramref name="count"/> gold items of published batches (cancelled ones left
    /// out: cancelling is how a requester withdraws wrong gold), in the order the batches were published, then row
    /// order. A batch published later only adds after them, even one drafted earlier, so the test stays the items
    /// workers were tested on, which are never served to them as gold tasks.
    /// </summary>
    public static IQueryable<Item> TestItems(ICrowdLabelDb db, Guid projectId, int count) =>
        (from item in db.Items.AsNoTracking()
         join batch in db.Batches on item.BatchId equals batch.Id
         where batch.ProjectId == projectId && batch.PublishedAt != null && batch.Status != BatchStatus.Cancelled && item.GoldLabel != null
         orderby batch.PublishedAt, batch.Id, item.RowNumber
         select item).Take(count);
}
