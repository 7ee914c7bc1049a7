namespace CrowdLabel.Core.Domain;

/// <summary>A labeling job's definition: label schema, instructions, price and quality rules.</summary>
public class Project : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Name { get; set; } = "";

    public TaskType TaskType { get; set; } = TaskType.SingleChoice;

    /// <summary>Bumped when labels or task type change after a batch was published.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Markdown, rendered sanitized.</summary>
    public string Instructions { get; set; } = "";

    /// <summary>How an item is shown to workers: {{field}} for text, {{image field}}, {{audio field}}; values are escaped.</summary>
    public string ItemTemplate { get; set; } = "{{text}}";

    /// <summary>Set when the first batch is published; from then on label or task type changes make a new version.</summary>
    public bool HasPublishedBatch { get; set; }

    public long PricePerAssignmentMinor { get; set; }

    public string Currency { get; set; } = "USD";

    public int BaseRedundancy { get; set; } = 3;

    public int MaxRedundancy { get; set; } = 5;

    public double ConfidenceTarget { get; set; } = 0.95;

    public double GoldRatio { get; set; } = 0.1;

    public double MinWorkerGoldAccuracy { get; set; } = 0.6;

    public ProjectVisibility Visibility { get; set; } = ProjectVisibility.Public;

    public int LeaseMinutes { get; set; } = 10;

    public int AutoApprovalHours { get; set; } = 72;

    /// <summary>Gold items in the qualification test; 0 means no test is required.</summary>
    public int QualificationItemCount { get; set; }

    /// <summary>Share of the qualification items a worker must get right to pass (0 to 1).</summary>
    public double QualificationPassMark { get; set; } = 0.8;

    /// <summary>How long a worker who failed the qualification test waits before trying again.</summary>
    public int QualificationRetryHours { get; set; } = 24;

    /// <summary>Live leases one worker may hold in one batch of this project at a time.</summary>
    public int MaxLeasesPerWorker { get; set; } = 1;

    public DateTime CreatedAt { get; set; }

    public List<ProjectLabel> Labels { get; set; } = [];
}

/// <summary>One label of a project's schema, in display order.</summary>
public class ProjectLabel : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid ProjectId { get; set; }

    public int ProjectVersion { get; set; } = 1;

    public int Ordinal { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Optional keyboard shortcut (one character).</summary>
    public string? Key { get; set; }

    public string? Description { get; set; }
}

/// <summary>The shape of an answer; only single choice is implemented so far.</summary>
public enum TaskType
{
    SingleChoice = 1,
    MultiLabel = 2,
    BoundingBoxes = 3,
    TextSpans = 4,
    FreeText = 5,
}

/// <summary>Who may work on a project's batches.</summary>
public enum ProjectVisibility
{
    Public = 1,
    PrivateWorkforce = 2,
}

/// <summary>A set of items uploaded together and published as one unit of work.</summary>
public class Batch : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid ProjectId { get; set; }

    public int ProjectVersion { get; set; } = 1;

    public string Name { get; set; } = "";

    public BatchStatus Status { get; set; } = BatchStatus.Draft;

    /// <summary>Price per assignment, fixed when the batch is published (the project's price may change later).</summary>
    public long PricePerAssignmentMinor { get; set; }

    /// <summary>Platform fee per assignment, fixed at publish: price x fee rate, rounded up to a whole minor unit.</summary>
    public long FeePerAssignmentMinor { get; set; }

    public string Currency { get; set; } = "USD";

    /// <summary>Max redundancy fixed at publish: the escrow covers items x this x (price + fee).</summary>
    public int MaxRedundancy { get; set; }

    public int ItemCount { get; set; }

    public int GoldCount { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? PublishedAt { get; set; }

    public DateTime? ClosedAt { get; set; }

    /// <summary>Answers submitted up to this time were in the last consensus run; a later answer makes the batch due again.</summary>
    public DateTime? ConsensusWatermark { get; set; }

    /// <summary>Set when something other than a new answer (a review) changed what consensus should see; cleared by the run.</summary>
    public bool ConsensusRequested { get; set; }

    public DateTime? ConsensusRunAt { get; set; }

    /// <summary>When the stratified QA sample of accepted labels was drawn (once, when no item was left open).</summary>
    public DateTime? QaSampledAt { get; set; }
}

/// <summary>Where a batch is in its life.</summary>
public enum BatchStatus
{
    Draft = 1,
    Published = 2,
    Paused = 3,
    Completed = 4,
    Cancelled = 5,
}

/// <summary>One thing to label: the uploaded fields as JSON, and a gold answer when known.</summary>
public class Item : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid BatchId { get; set; }

    /// <summary>Position in the uploaded file, from 1.</summary>
    public int RowNumber { get; set; }

    /// <summary>The requester's own id, unique within the batch.</summary>
    public string? ExternalId { get; set; }

    /// <summary>All uploaded fields as a JSON object of strings.</summary>
    public string Data { get; set; } = "{}";

    public string? GoldLabel { get; set; }

    public ItemStatus Status { get; set; } = ItemStatus.Open;

    /// <summary>How many answers the item should get now (grows with dynamic overlap). Gold items have no limit.</summary>
    public int RedundancyTarget { get; set; }

    /// <summary>
    /// Slots taken: live leases plus answers. Claims take a slot with one conditional UPDATE
    /// ("... WHERE Claimed &lt; RedundancyTarget"), so no item ever has more than its target.
    /// </summary>
    public int Claimed { get; set; }

    /// <summary>Answers submitted (not counting skips and expired leases).</summary>
    public int AnswerCount { get; set; }

    /// <summary>The consensus label so far, and its posterior probability.</summary>
    public string? ConsensusLabel { get; set; }

    public double? Confidence { get; set; }

    /// <summary>The last consensus run's posterior over the labels, as a JSON object (label to probability).</summary>
    public string? Posterior { get; set; }

    /// <summary>Drawn into the stratified QA sample: a Done item a reviewer checks to measure the accepted labels' accuracy.</summary>
    public bool QaSample { get; set; }

    /// <summary>When the item went to the reviewers' queue (disputed, or drawn for QA); the queue is oldest first.</summary>
    public DateTime? ReviewRequestedAt { get; set; }
}

/// <summary>Where an item is in consensus.</summary>
public enum ItemStatus
{
    Open = 1,
    Done = 2,
    Disputed = 3,
    Resolved = 4,
}
