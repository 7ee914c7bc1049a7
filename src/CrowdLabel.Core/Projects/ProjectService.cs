using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Projects;

/// <summary>Creates and changes projects in the current tenant.</summary>
public sealed class ProjectService(ICrowdLabelDb db, ITenantContext tenantContext, TimeProvider clock)
{
    private static readonly ProjectInputValidator Validator = new();

    public async Task<Result<Project>> CreateAsync(ProjectInput input, CancellationToken cancellationToken = default)
    {
        var tenantId = tenantContext.TenantId ?? throw new InvalidOperationException("Creating a project needs a current tenant.");
        var validation = await Validator.ValidateAsync(input, cancellationToken);
        if (!validation.IsValid)
        {
            return Result<Project>.Invalid(validation);
        }

        var currency = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Currency).SingleAsync(cancellationToken);
        var project = new Project { Id = Guid.CreateVersion7(), TenantId = tenantId, Currency = currency, CreatedAt = clock.GetUtcNow().UtcDateTime };
        Apply(input, project);
        project.Labels.AddRange(NewLabels(input, project, version: 1));
        db.Projects.Add(project);
        await db.SaveChangesAsync(cancellationToken);
        return Result<Project>.Success(project);
    }

    /// <summary>
    /// Changes a project. Once a batch was published, a change of labels or task type makes a new project
    /// version: the old version's labels stay, so answers given under it keep their meaning.
    /// </summary>
    public async Task<Result<Project>> UpdateAsync(Guid projectId, ProjectInput input, CancellationToken cancellationToken = default)
    {
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken);
        if (project is null)
        {
            return Result<Project>.NotFound();
        }

        var validation = await Validator.ValidateAsync(input, cancellationToken);
        if (!validation.IsValid)
        {
            return Result<Project>.Invalid(validation);
        }

        var current = await db.ProjectLabels.Where(l => l.ProjectId == projectId && l.ProjectVersion == project.Version)
            .OrderBy(l => l.Ordinal).ToListAsync(cancellationToken);
        var schemaChanged = input.TaskType != project.TaskType || !SameLabels(current, input.Labels);
        if (schemaChanged)
        {
            if (project.HasPublishedBatch)
            {
                project.Version++;
            }
            else
            {
                db.ProjectLabels.RemoveRange(current);
            }

            db.ProjectLabels.AddRange(NewLabels(input, project, project.Version));
        }
        else
        {
            // Same names in the same order: keys and descriptions may still change in place.
            for (var i = 0; i < current.Count; i++)
            {
                current[i].Key = Blank(input.Labels[i].Key);
                current[i].Description = Blank(input.Labels[i].Description);
            }
        }

        Apply(input, project);
        await db.SaveChangesAsync(cancellationToken);
        return Result<Project>.Success(project);
    }

    /// <summary>The labels of the project's current version, in order.</summary>
    public Task<List<ProjectLabel>> CurrentLabelsAsync(Project project, CancellationToken cancellationToken = default) =>
        db.ProjectLabels.AsNoTracking().Where(l => l.ProjectId == project.Id && l.ProjectVersion == project.Version)
            .OrderBy(l => l.Ordinal).ToListAsync(cancellationToken);

    private static void Apply(ProjectInput input, Project project)
    {
        project.Name = input.Name.Trim();
        project.TaskType = input.TaskType;
        project.Instructions = input.Instructions;
        project.ItemTemplate = input.ItemTemplate;
        project.PricePerAssignmentMinor = input.PricePerAssignmentMinor;
        project.BaseRedundancy = input.BaseRedundancy;
        project.MaxRedundancy = input.MaxRedundancy;
        project.ConfidenceTarget = input.ConfidenceTarget;
        project.GoldRatio = input.GoldRatio;
        project.MinWorkerGoldAccuracy = input.MinWorkerGoldAccuracy;
        project.Visibility = input.Visibility;
        project.LeaseMinutes = input.LeaseMinutes;
        project.AutoApprovalHours = input.AutoApprovalHours;
        project.QualificationItemCount = input.QualificationItemCount;
        project.QualificationPassMark = input.QualificationPassMark;
        project.QualificationRetryHours = input.QualificationRetryHours;
        project.MaxLeasesPerWorker = input.MaxLeasesPerWorker;
    }

    private static IEnumerable<ProjectLabel> NewLabels(ProjectInput input, Project project, int version) =>
        input.Labels.Select((label, i) => new ProjectLabel
        {
            Id = Guid.CreateVersion7(),
            TenantId = project.TenantId,
            ProjectId = project.Id,
            ProjectVersion = version,
            Ordinal = i,
            Name = label.Name.Trim(),
            Key = Blank(label.Key),
            Description = Blank(label.Description),
        });

    private static bool SameLabels(IReadOnlyList<ProjectLabel> current, IReadOnlyList<LabelInput> proposed) =>
        current.Count == proposed.Count &&
        current.Zip(proposed).All(pair => string.Equals(pair.First.Name, pair.Second.Name.Trim(), StringComparison.Ordinal));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
