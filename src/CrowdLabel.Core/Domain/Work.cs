using System.Linq.Expressions;

namespace CrowdLabel.Core.Domain;

/// <summary>
/// A worker's lease on one item, and then their answer to it. The pair (item, worker) is unique: no worker
/// is ever assigned the same item twice.
/// </summary>
public class Assignment : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid BatchId { get; set; }

    public Guid ItemId { get; set; }

    public Guid WorkerId { get; set; }

    /// <summary>The project version the task was shown under; the answer keeps it.</summary>
    public int ProjectVersion { get; set; }

    public AssignmentStatus Status { get; set; } = AssignmentStatus.Leased;

    public DateTime LeasedAt { get; set; }

    public DateTime LeaseExpiresAt { get; set; }

    /// <summary>The chosen label, once answered.</summary>
    public string? Label { get; set; }

    public DateTime? SubmittedAt { get; set; }

    /// <summary>What the worker said was wrong with the item, when they reported a problem instead of answering.</summary>
    public string? ProblemReport { get; set; }

    public DateTime? ReviewedAt { get; set; }

    /// <summary>Why the answer was rejected (shown to the worker).</summary>
    public string? RejectionReason { get; set; }
}

/// <summary>Where an assignment is: leased, then answered (and later approved or rejected), or given back.</summary>
public enum AssignmentStatus
{
    Leased = 1,
    Submitted = 2,
    Skipped = 3,
    Expired = 4,
    Approved = 5,
    Rejected = 6,
}

/// <summary>
/// The assignments that hold an answer: submitted, and later approved or rejected. One definition, for code, for EF Core
/// queries and for SQL written by hand, so that what counts as an answer cannot drift between them.
/// </summary>
public static class AnsweredAssignments
{
    public static bool Is(AssignmentStatus status) => status is AssignmentStatus.Submitted or AssignmentStatus.Approved or AssignmentStatus.Rejected;

    /// <summary><see cref="Is"/> as a filter EF Core translates to SQL.</summary>
    public static readonly Expression<Func<Assignment, bool>> Filter = a =>
        a.Status == AssignmentStatus.Submitted || a.Status == AssignmentStatus.Approved || a.Status == AssignmentStatus.Rejected;

    /// <summary><see cref="Is"/> as SQL: the stored statuses, for <c>"Status" IN (...)</c>.</summary>
    public static readonly string SqlList =
        $"'{nameof(AssignmentStatus.Submitted)}', '{nameof(AssignmentStatus.Approved)}', '{nameof(AssignmentStatus.Rejected)}'";
}

/// <summary>A worker's standing on one project: qualification, gold score, and whether they may work on it.</summary>
public class ProjectWorker : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid ProjectId { get; set; }

    public Guid WorkerId { get; set; }

    public ProjectWorkerStatus Status { get; set; } = ProjectWorkerStatus.Active;

    /// <summary>Why the worker is paused or blocked, in words shown to them.</summary>
    public string? StatusReason { get; set; }

    public DateTime? QualifiedAt { get; set; }

    /// <summary>When the worker last failed the qualification test; a retry waits for the project's delay.</summary>
    public DateTime? QualificationFailedAt { get; set; }

    public int GoldAnswers { get; set; }

    public int GoldCorrect { get; set; }

    /// <summary>The worker's accuracy as the last consensus run on a batch of the project estimated it (Dawid-Skene).</summary>
    public double? ConsensusAccuracy { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>Whether a worker may take tasks of a project.</summary>
public enum ProjectWorkerStatus
{
    Active = 1,
    Paused = 2,
    Blocked = 3,
}

/// <summary>One qualification test taken by a worker: fixed gold items, a pass mark.</summary>
public class QualificationAttempt : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid ProjectId { get; set; }

    public Guid WorkerId { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    public int Correct { get; set; }

    public int Total { get; set; }

    public bool Passed { get; set; }
}

/// <summary>A worker in a tenant's private workforce: they see that tenant's private projects.</summary>
public class WorkforceMember : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid WorkerId { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A worker's personal token for the JSON API; only its hash is stored.</summary>
public class WorkerToken
{
    public Guid Id { get; set; }

    public Guid WorkerId { get; set; }

    public string Name { get; set; } = "";

    public string Prefix { get; set; } = "";

    public string TokenHash { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime? RevokedAt { get; set; }
}
