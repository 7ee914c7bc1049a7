using System.Globalization;
using System.Text;
using CrowdLabel.Core;
using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Batches.Import;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Work;
using CrowdLabel.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace CrowdLabel.Testing;

/// <summary>Worker-side test data: workers registered the real way, published batches with real and gold items, and engine calls.</summary>
public static class WorkScenario
{
    /// <summary>The gold answer of every gold item <see cref="CreatePublishedBatchAsync"/> makes (a label of <see cref="Scenario"/>'s projects).</summary>
    public const string GoldLabel = "yes";

    /// <summary>
    /// Workers in these tests never sign in: a cheap password hash keeps registering a hundred of them quick. Pass to
    /// <see cref="AppServices.CreateAsync"/> as its configure step.
    /// </summary>
    public static void CheapPasswordHashes(IServiceCollection services) =>
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1);

    /// <summary>Registers workers through <see cref="AccountService"/>, as the sign-up page does; returns their ids.</summary>
    public static async Task<IReadOnlyList<Guid>> CreateWorkersAsync(IServiceProvider services, int count, string prefix = "worker")
    {
        var ids = new List<Guid>(count);
        for (var n = 1; n <= count; n++)
        {
            await using var scope = services.CreateAsyncScope();
            var registered = await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync(new RegisterInput
            {
                Email = $"{prefix}{n}@crowd.test", DisplayName = $"{prefix} {n}", Password = Scenario.Password,
                ConfirmPassword = Scenario.Password, Kind = AccountKind.Worker,
            });
            Assert.True(registered.Succeeded, string.Join("; ", registered.Errors.SelectMany(e => e.Value)));
            ids.Add(registered.Value!.User.Id);
        }

        return ids;
    }

    /// <summary>
    /// Sets the tenant's project up (redundancy, a price of 0.01, then <paramref name="configure"/>), uploads a batch of
    /// <paramref name="items"/> real items followed by <paramref name="goldItems"/> gold items as a CSV file through
    /// <see cref="ImportService"/>, funds the tenant and publishes the batch through <see cref="BatchLifecycleService"/>.
    /// </summary>
    public static async Task<Guid> CreatePublishedBatchAsync(
        IServiceProvider services, TenantFixture tenant, int items, int redundancy = 3, int goldItems = 0, Action<Project>? configure = null)
    {
        Guid batchId;
        await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
            var project = await db.Projects.SingleAsync(p => p.Id == tenant.ProjectId);
            (project.BaseRedundancy, project.MaxRedundancy, project.PricePerAssignmentMinor, project.GoldRatio) = (redundancy, redundancy, 1, 0);
            configure?.Invoke(project);
            await db.SaveChangesAsync();

            var csv = new StringBuilder($"{ImportService.IdField},text,{ImportService.GoldField}\n");
            for (var row = 1; row <= items + goldItems; row++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{row},item {row},{(row > items ? GoldLabel : "")}\n");
            }

            using var file = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
            var uploaded = await scope.ServiceProvider.GetRequiredService<ImportService>()
                .ImportAsync(new ImportRequest(project.Id, $"Batch of {items} + {goldItems} gold", ImportFormat.Csv, file));
            Assert.True(uploaded.Succeeded, string.Join("; ", uploaded.Errors.SelectMany(e => e.Value)));
            batchId = uploaded.Value!.Id;
        }

        await LedgerScenario.CreditAsync(services, tenant.TenantId, 1_000_000);
        await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
        {
            var published = await scope.ServiceProvider.GetRequiredService<BatchLifecycleService>().PublishAsync(batchId, tenant.OwnerId);
            Assert.True(published.Succeeded, string.Join("; ", published.Errors.SelectMany(e => e.Value)));
        }

        return batchId;
    }

    /// <summary>Changes the tenant's project (and saves), e.g. to make it private or ask for qualification.</summary>
    public static async Task UpdateProjectAsync(IServiceProvider services, TenantFixture tenant, Action<Project> change)
    {
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        change(await db.Projects.SingleAsync(p => p.Id == tenant.ProjectId));
        await db.SaveChangesAsync();
    }

    /// <summary>Sets the worker's standing on the tenant's project, creating it when missing.</summary>
    public static async Task SetStandingAsync(IServiceProvider services, TenantFixture tenant, Guid workerId, Action<ProjectWorker> change)
    {
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        var standing = await db.ProjectWorkers.FirstOrDefaultAsync(w => w.ProjectId == tenant.ProjectId && w.WorkerId == workerId);
        if (standing is null)
        {
            standing = new ProjectWorker { Id = Guid.CreateVersion7(), TenantId = tenant.TenantId, ProjectId = tenant.ProjectId, WorkerId = workerId };
            db.ProjectWorkers.Add(standing);
        }

        change(standing);
        await db.SaveChangesAsync();
    }

    /// <summary>Puts the worker in the tenant's private workforce.</summary>
    public static async Task AddToWorkforceAsync(IServiceProvider services, TenantFixture tenant, Guid workerId)
    {
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        db.WorkforceMembers.Add(new WorkforceMember { Id = Guid.CreateVersion7(), TenantId = tenant.TenantId, WorkerId = workerId, CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    /// <summary>Runs one call of the assignment engine in its own scope, as one request does.</summary>
    public static async Task<T> EngineAsync<T>(IServiceProvider services, Func<AssignmentService, Task<T>> call)
    {
        await using var scope = services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<AssignmentService>());
    }

    public static Task<Result<ClaimOutcome>> ClaimAsync(IServiceProvider services, Guid batchId, Guid workerId) =>
        EngineAsync(services, e => e.ClaimAsync(batchId, workerId));

    /// <summary>A claim that must hand out a task.</summary>
    public static async Task<WorkTask> ClaimTaskAsync(IServiceProvider services, Guid batchId, Guid workerId)
    {
        var claimed = await ClaimAsync(services, batchId, workerId);
        Assert.True(claimed.Succeeded, string.Join("; ", claimed.Errors.SelectMany(e => e.Value)));
        return Assert.IsType<WorkTask>(claimed.Value!.Task);
    }

    public static Task<Result<AssignmentReceipt>> AnswerAsync(IServiceProvider services, Guid assignmentId, Guid workerId, string label) =>
        EngineAsync(services, e => e.SubmitAsync(assignmentId, workerId, new AnswerInput { Label = label }));

    /// <summary>The batch's items and assignments as stored now.</summary>
    public static async Task<(List<Item> Items, List<Assignment> Assignments)> SnapshotAsync(IServiceProvider services, Guid tenantId, Guid batchId)
    {
        // On PostgreSQL the answers' counts follow them: wait for the ones given so far.
        if (services.GetService<AnswerCounter>() is { } counter)
        {
            await counter.CountedAsync();
        }

        await using var scope = Scenario.TenantScope(services, tenantId);
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        var items = await db.Items.AsNoTracking().Where(i => i.BatchId == batchId).OrderBy(i => i.RowNumber).ToListAsync();
        var assignments = await db.Assignments.AsNoTracking().Where(a => a.BatchId == batchId).ToListAsync();
        return (items, assignments);
    }

    /// <summary>Creates a personal API token for the worker; returns its secret.</summary>
    public static async Task<string> CreateTokenAsync(IServiceProvider services, Guid workerId, string name = "script")
    {
        await using var scope = services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<WorkerTokenService>().CreateAsync(workerId, new WorkerTokenInput { Name = name });
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.SelectMany(e => e.Value)));
        return created.Value!.Secret;
    }
}
