using System.Globalization;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Projects;

namespace CrowdLabel.Web.Pages.Requester.Projects;

/// <summary>
/// The project form as typed: labels are one per line, "name | key | description", so a schema can be
/// written and pasted with the keyboard alone.
/// </summary>
public sealed class ProjectForm
{
    public string Name { get; set; } = "";

    public string LabelsText { get; set; } = "";

    public string Instructions { get; set; } = "";

    public string ItemTemplate { get; set; } = "{{text}}";

    public long PricePerAssignmentMinor { get; set; } = 5;

    public int BaseRedundancy { get; set; } = 3;

    public int MaxRedundancy { get; set; } = 5;

    public double ConfidenceTarget { get; set; } = 0.95;

    public double GoldRatio { get; set; } = 0.1;

    public double MinWorkerGoldAccuracy { get; set; } = 0.6;

    public ProjectVisibility Visibility { get; set; } = ProjectVisibility.Public;

    public int LeaseMinutes { get; set; } = 10;

    public int AutoApprovalHours { get; set; } = 72;

    public int QualificationItemCount { get; set; }

    public double QualificationPassMark { get; set; } = 0.8;

    public int QualificationRetryHours { get; set; } = 24;

    public int MaxLeasesPerWorker { get; set; } = 1;

    public ProjectInput ToInput() => new()
    {
        Name = Name,
        TaskType = TaskType.SingleChoice,
        Labels = ParseLabels(LabelsText),
        Instructions = Instructions ?? "",
        ItemTemplate = ItemTemplate ?? "",
        PricePerAssignmentMinor = PricePerAssignmentMinor,
        BaseRedundancy = BaseRedundancy,
        MaxRedundancy = MaxRedundancy,
        ConfidenceTarget = ConfidenceTarget,
        GoldRatio = GoldRatio,
        MinWorkerGoldAccuracy = MinWorkerGoldAccuracy,
        Visibility = Visibility,
        LeaseMinutes = LeaseMinutes,
        AutoApprovalHours = AutoApprovalHours,
        QualificationItemCount = QualificationItemCount,
        QualificationPassMark = QualificationPassMark,
        QualificationRetryHours = QualificationRetryHours,
        MaxLeasesPerWorker = MaxLeasesPerWorker,
    };

    public static ProjectForm From(Project project, IEnumerable<ProjectLabel> labels) => new()
    {
        Name = project.Name,
        LabelsText = string.Join('\n', labels.Select(l => string.Join(" | ", new[] { l.Name, l.Key ?? "", l.Description ?? "" }).TrimEnd(' ', '|'))),
        Instructions = project.Instructions,
        ItemTemplate = project.ItemTemplate,
        PricePerAssignmentMinor = project.PricePerAssignmentMinor,
        BaseRedundancy = project.BaseRedundancy,
        MaxRedundancy = project.MaxRedundancy,
        ConfidenceTarget = project.ConfidenceTarget,
        GoldRatio = project.GoldRatio,
        MinWorkerGoldAccuracy = project.MinWorkerGoldAccuracy,
        Visibility = project.Visibility,
        LeaseMinutes = project.LeaseMinutes,
        AutoApprovalHours = project.AutoApprovalHours,
        QualificationItemCount = project.QualificationItemCount,
        QualificationPassMark = project.QualificationPassMark,
        QualificationRetryHours = project.QualificationRetryHours,
        MaxLeasesPerWorker = project.MaxLeasesPerWorker,
    };

    /// <summary>Service errors are about input fields; labels errors all belong to the one labels box.</summary>
    public static IReadOnlyDictionary<string, string[]> MapErrors(IReadOnlyDictionary<string, string[]> errors) =>
        errors.GroupBy(e => e.Key.StartsWith(nameof(ProjectInput.Labels), StringComparison.Ordinal) ? nameof(LabelsText) : e.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value).ToArray(), StringComparer.Ordinal);

    private static List<LabelInput> ParseLabels(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|', 3, StringSplitOptions.TrimEntries))
            .Select(parts => new LabelInput
            {
                Name = parts[0],
                Key = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null,
                Description = parts.Length > 2 && parts[2].Length > 0 ? parts[2] : null,
            })
            .ToList();

    /// <summary>Formats a ratio for an input box without the culture's decimal comma.</summary>
    public static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
