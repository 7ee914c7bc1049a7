using CrowdLabel.Core.Domain;

namespace CrowdLabel.Core.Work;

/// <summary>A label the worker can choose, with its keyboard shortcut.</summary>
public sealed record TaskLabel(string Name, string? Key, string? Description);

/// <summary>
/// The task a worker holds, exactly what the workbench page and the API show: the item's uploaded fields and nothing
/// else about it (never its gold answer, never anything that tells gold from real), how to show it, and the lease.
/// </summary>
public sealed record WorkTask(
    Guid AssignmentId,
    Guid BatchId,
    IReadOnlyDictionary<string, string> Item,
    string ItemTemplate,
    string Instructions,
    IReadOnlyList<TaskLabel> Labels,
    DateTime LeaseExpiresAt);

/// <summary>What a claim gave: a task, or nothing when nothing is left in the batch for this worker.</summary>
public sealed record ClaimOutcome(WorkTask? Task)
{
    public static readonly ClaimOutcome NothingLeft = new(Task: null);

    public bool IsNothingLeft => Task is null;
}

/// <summary>Where an assignment stands after an answer, a skip or a problem report.</summary>
public sealed record AssignmentReceipt(Guid AssignmentId, Guid BatchId, AssignmentStatus Status, string? Label, DateTime? SubmittedAt, string? ProblemReport)
{
    public static AssignmentReceipt Of(Assignment assignment) => new(
        assignment.Id, assignment.BatchId, assignment.Status, assignment.Label, assignment.SubmittedAt, assignment.ProblemReport);
}

/// <summary>A batch on the marketplace, as a worker sees it. <paramref name="TasksLeft"/> is counted up to
/// <see cref="MarketplaceService.TasksLeftCounted"/>; <paramref name="MoreTasksLeft"/> says there are more than that.
/// <paramref name="HoldsLease"/>: the worker has a live lease there, which a claim hands out again.</summary>
public sealed record MarketplaceBatch(
    Guid BatchId,
    string BatchName,
    Guid ProjectId,
    string ProjectName,
    string Organization,
    Money PayPerTask,
    TimeSpan? EstimatedTimePerTask,
    int TasksLeft,
    bool MoreTasksLeft,
    bool NeedsQualification,
    ProjectWorkerStatus Standing,
    string? StandingReason,
    bool HoldsLease);
