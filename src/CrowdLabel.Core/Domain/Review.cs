namespace CrowdLabel.Core.Domain;

/// <summary>A reviewer's final label for an item (a dispute or a QA sample): who, when, and what it replaced.</summary>
public class ReviewDecision : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid BatchId { get; set; }

    public Guid ItemId { get; set; }

    public Guid ReviewerId { get; set; }

    public DateTime DecidedAt { get; set; }

    /// <summary>The consensus label before the review (null when consensus had none).</summary>
    public string? PreviousLabel { get; set; }

    public ItemStatus PreviousStatus { get; set; }

    public string Label { get; set; } = "";

    public string? Note { get; set; }

    /// <summary>The item was reviewed as part of the stratified QA sample (an accepted label), not as a dispute.</summary>
    public bool WasQaSample { get; set; }
}
