using CrowdLabel.Core.Domain;
using FluentValidation;

namespace CrowdLabel.Core.Projects;

/// <summary>One label of a project's schema as entered.</summary>
public sealed record LabelInput
{
    public string Name { get; init; } = "";

    /// <summary>Optional one-character keyboard shortcut.</summary>
    public string? Key { get; init; }

    public string? Description { get; init; }
}

/// <summary>Everything a requester sets on a project; shared by the pages and the JSON API.</summary>
public sealed record ProjectInput
{
    public string Name { get; init; } = "";

    public TaskType TaskType { get; init; } = TaskType.SingleChoice;

    public IReadOnlyList<LabelInput> Labels { get; init; } = [];

    /// <summary>Markdown with worked examples; shown to workers sanitized.</summary>
    public string Instructions { get; init; } = "";

    public string ItemTemplate { get; init; } = "{{text}}";

    /// <summary>Price per assignment in minor units of the tenant's currency (cents).</summary>
    public long PricePerAssignmentMinor { get; init; }

    public int BaseRedundancy { get; init; } = 3;

    public int MaxRedundancy { get; init; } = 5;

    public double ConfidenceTarget { get; init; } = 0.95;

    public double GoldRatio { get; init; } = 0.1;

    public double MinWorkerGoldAccuracy { get; init; } = 0.6;

    public ProjectVisibility Visibility { get; init; } = ProjectVisibility.Public;

    public int LeaseMinutes { get; init; } = 10;

    public int AutoApprovalHours { get; init; } = 72;

    /// <summary>Gold items in the qualification test a worker must pass first; 0 for no test.</summary>
    public int QualificationItemCount { get; init; }

    public double QualificationPassMark { get; init; } = 0.8;

    public int QualificationRetryHours { get; init; } = 24;

    /// <summary>Live leases one worker may hold in one batch at a time.</summary>
    public int MaxLeasesPerWorker { get; init; } = 1;
}

/// <summary>The rules a project must keep; every message says what to change.</summary>
public sealed class ProjectInputValidator : AbstractValidator<ProjectInput>
{
    public const int MinLabels = 2;
    public const int MaxLabels = 50;
    public const long MaxPriceMinor = 100_000;

    public ProjectInputValidator()
    {
        RuleFor(x => x.Name).NotEmpty().WithMessage("Give the project a name.")
            .MaximumLength(200).WithMessage("Keep the name under 200 characters.");
        RuleFor(x => x.TaskType).Equal(TaskType.SingleChoice)
            .WithMessage("Only single-choice projects can be created so far; multi-label, boxes, spans and free text are coming.");
        RuleFor(x => x.Labels).Must(l => l.Count is >= MinLabels and <= MaxLabels)
            .WithMessage($"Give between {MinLabels} and {MaxLabels} labels.");
        RuleForEach(x => x.Labels).ChildRules(label =>
        {
            label.RuleFor(l => l.Name).NotEmpty().WithMessage("Every label needs a name.")
                .MaximumLength(100).WithMessage("Keep label names under 100 characters.");
            label.RuleFor(l => l.Key).Must(k => k is null || (k.Length == 1 && !char.IsWhiteSpace(k[0])))
                .WithMessage("A keyboard key is one character, like 1 or p.")
                .Must(k => k is null || !LabelKeys.Reserved.ContainsKey(k))
                .WithMessage(l => $"The label \"{l.Name.Trim()}\" cannot have the key {l.Key}: on the workbench {l.Key} {LabelKeys.Reserved[l.Key!]}. Choose another key.");
            label.RuleFor(l => l.Description).MaximumLength(500).WithMessage("Keep label descriptions under 500 characters.");
        });
        RuleFor(x => x.Labels).Must(l => Distinct(l.Select(x => x.Name.Trim())))
            .WithMessage(x => $"Label names must be unique; repeated: {string.Join(", ", Repeated(x.Labels.Select(l => l.Name.Trim())))}.");
        // Keys match in any case on the workbench and in the qualification test, so "P" and "p" are one key.
        RuleFor(x => x.Labels).Must(l => Distinct(l.Where(x => !string.IsNullOrEmpty(x.Key)).Select(x => x.Key!)))
            .WithMessage(x => $"Keyboard keys must be unique; repeated: {string.Join(", ", Repeated(x.Labels.Where(l => !string.IsNullOrEmpty(l.Key)).Select(l => l.Key!)))}.");
        RuleFor(x => x.Instructions).MaximumLength(20_000).WithMessage("Keep the instructions under 20,000 characters.");
        RuleFor(x => x.ItemTemplate).NotEmpty().WithMessage("The item template shows the item to workers; use {{field}} for a field, e.g. {{text}}.")
            .MaximumLength(4000).WithMessage("Keep the item template under 4,000 characters.")
            .Must(t => ItemTemplate.Parse(t).Fields.Count > 0).When(x => !string.IsNullOrEmpty(x.ItemTemplate))
            .WithMessage("The item template must show at least one field, like {{text}} or {{image url}}.");
        RuleFor(x => x.PricePerAssignmentMinor).InclusiveBetween(1, MaxPriceMinor)
            .WithMessage($"The price per assignment is in cents, from 1 to {MaxPriceMinor}.");
        RuleFor(x => x.BaseRedundancy).InclusiveBetween(1, 15).WithMessage("Base redundancy is from 1 to 15 answers per item.");
        RuleFor(x => x.MaxRedundancy).InclusiveBetween(1, 25).WithMessage("Max redundancy is at most 25 answers per item.")
            .GreaterThanOrEqualTo(x => x.BaseRedundancy).WithMessage("Max redundancy cannot be below the base redundancy.");
        RuleFor(x => x.ConfidenceTarget).InclusiveBetween(0.5, 0.999).WithMessage("The confidence target is from 0.5 to 0.999.");
        RuleFor(x => x.GoldRatio).InclusiveBetween(0, 0.5).WithMessage("The gold ratio is from 0 to 0.5 (50%).");
        RuleFor(x => x.MinWorkerGoldAccuracy).InclusiveBetween(0, 1).WithMessage("The minimum gold accuracy is from 0 to 1.");
        RuleFor(x => x.Visibility).IsInEnum().WithMessage("Choose public marketplace or private workforce.");
        RuleFor(x => x.LeaseMinutes).InclusiveBetween(1, 240).WithMessage("A lease lasts from 1 to 240 minutes.");
        RuleFor(x => x.AutoApprovalHours).InclusiveBetween(0, 720).WithMessage("Auto-approval happens within 0 to 720 hours (30 days).");
        RuleFor(x => x.QualificationItemCount).InclusiveBetween(0, 50).WithMessage("A qualification test has 0 (none) to 50 gold items.");
        RuleFor(x => x.QualificationPassMark).InclusiveBetween(0.5, 1).WithMessage("The pass mark is from 0.5 to 1 (every item right).");
        RuleFor(x => x.QualificationRetryHours).InclusiveBetween(0, 720).WithMessage("A failed worker retries after 0 to 720 hours.");
        RuleFor(x => x.MaxLeasesPerWorker).InclusiveBetween(1, 10).WithMessage("A worker holds 1 to 10 tasks of a batch at a time.");
    }

    private static bool Distinct(IEnumerable<string> values)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return values.All(seen.Add);
    }

    private static IEnumerable<string> Repeated(IEnumerable<string> values) =>
        values.GroupBy(v => v, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key);
}
