using CrowdLabel.Core;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Projects;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Apis;

/// <summary>A project as the JSON API shows it.</summary>
public sealed record ProjectDto(
    Guid Id, string Name, string TaskType, int Version, IReadOnlyList<LabelInput> Labels, string Instructions, string ItemTemplate,
    long PricePerAssignment, string Currency, int BaseRedundancy, int MaxRedundancy, double ConfidenceTarget, double GoldRatio,
    double MinWorkerGoldAccuracy, string Visibility, int LeaseMinutes, int AutoApprovalHours,
    int QualificationItemCount, double QualificationPassMark, int QualificationRetryHours, int MaxLeasesPerWorker)
{
    public static ProjectDto From(Project p, IEnumerable<ProjectLabel> labels) => new(
        p.Id, p.Name, p.TaskType.ToString(), p.Version,
        labels.Select(l => new LabelInput { Name = l.Name, Key = l.Key, Description = l.Description }).ToList(),
        p.Instructions, p.ItemTemplate, p.PricePerAssignmentMinor, p.Currency, p.BaseRedundancy, p.MaxRedundancy,
        p.ConfidenceTarget, p.GoldRatio, p.MinWorkerGoldAccuracy, p.Visibility.ToString(), p.LeaseMinutes, p.AutoApprovalHours,
        p.QualificationItemCount, p.QualificationPassMark, p.QualificationRetryHours, p.MaxLeasesPerWorker);
}

/// <summary>Requester routes for projects under /api/v1 (tenant API key).</summary>
public static class ProjectsApi
{
    public static IEndpointRouteBuilder MapProjectsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/projects").RequireAuthorization(Policies.TenantApi).WithTags("Projects");
        api.MapGet("/", ListAsync);
        api.MapGet("/{projectId:guid}", GetAsync);
        api.MapPost("/", CreateAsync);
        return app;
    }

    private static async Task<Ok<List<ProjectDto>>> ListAsync(ICrowdLabelDb db, CancellationToken cancellationToken)
    {
        var projects = await db.Projects.AsNoTracking().Include(p => p.Labels).OrderBy(p => p.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(projects.Select(p => ProjectDto.From(p, Current(p))).ToList());
    }

    private static async Task<Results<Ok<ProjectDto>, NotFound>> GetAsync(Guid projectId, ICrowdLabelDb db, CancellationToken cancellationToken)
    {
        // The tenant filter makes another tenant's project invisible: it answers 404 like a missing one.
        var project = await db.Projects.AsNoTracking().Include(p => p.Labels).FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken);
        return project is null ? TypedResults.NotFound() : TypedResults.Ok(ProjectDto.From(project, Current(project)));
    }

    private static async Task<Results<Created<ProjectDto>, ValidationProblem>> CreateAsync(ProjectInput input, ProjectService projects, CancellationToken cancellationToken)
    {
        var result = await projects.CreateAsync(input, cancellationToken);
        if (!result.Succeeded)
        {
            return TypedResults.ValidationProblem(result.Errors, title: "The project was not created: fix the fields listed in errors.");
        }

        var project = result.Value!;
        return TypedResults.Created($"/api/v1/projects/{project.Id}", ProjectDto.From(project, Current(project)));
    }

    private static IEnumerable<ProjectLabel> Current(Project project) =>
        project.Labels.Where(l => l.ProjectVersion == project.Version).OrderBy(l => l.Ordinal);
}
