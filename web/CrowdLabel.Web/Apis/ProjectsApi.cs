using CrowdLabel.Core;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Apis;

/// <summary>A project as the JSON API shows it.</summary>
public sealed record ProjectDto(Guid Id, string Name, string TaskType, int Version, IReadOnlyList<string> Labels, long PricePerAssignment, string Currency);

/// <summary>Requester routes for projects under /api/v1 (tenant API key).</summary>
public static class ProjectsApi
{
    public static IEndpointRouteBuilder MapProjectsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/projects").RequireAuthorization(Policies.TenantApi).WithTags("Projects");
        api.MapGet("/", ListAsync);
        api.MapGet("/{projectId:guid}", GetAsync);
        return app;
    }

    private static async Task<Ok<List<ProjectDto>>> ListAsync(ICrowdLabelDb db, CancellationToken cancellationToken)
    {
        var projects = await db.Projects.AsNoTracking().Include(p => p.Labels).OrderBy(p => p.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(projects.Select(ToDto).ToList());
    }

    private static async Task<Results<Ok<ProjectDto>, NotFound>> GetAsync(Guid projectId, ICrowdLabelDb db, CancellationToken cancellationToken)
    {
        // The tenant filter makes another tenant's project invisible: it answers 404 like a missing one.
        var project = await db.Projects.AsNoTracking().Include(p => p.Labels).FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken);
        return project is null ? TypedResults.NotFound() : TypedResults.Ok(ToDto(project));
    }

    private static ProjectDto ToDto(Core.Domain.Project p) => new(
        p.Id, p.Name, p.TaskType.ToString(), p.Version,
        p.Labels.Where(l => l.ProjectVersion == p.Version).OrderBy(l => l.Ordinal).Select(l => l.Name).ToList(),
        p.PricePerAssignmentMinor, p.Currency);
}
