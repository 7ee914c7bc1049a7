using System.Text.Json;
using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Security;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Core.Work;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Data.Seeding;

/// <summary>A demo sign-in, listed at startup and on the Development home page.</summary>
public sealed record DemoAccount(string Role, string Email, string Password);

/// <summary>
/// Fills an empty embedded database with something real to look at: a demo tenant with a requester and a
/// reviewer, three workers with API tokens, an admin, an API key, and a project with a small published batch of text items.
/// Runs only when asked (Development by default) and only once: a database that has the demo tenant is left alone.
/// </summary>
public sealed class DemoSeed(
    CrowdLabelDbContext db, UserManager<AppUser> users, TenantContext tenantContext, LedgerService ledger, BatchLifecycleService lifecycle, TimeProvider clock)
{
    public const string TenantSlug = "demo";
    public const string Password = "Demo-Pass-2026";

    /// <summary>What the demo tenant is credited with (100.00 USD): enough to publish the demo batch and more.</summary>
    public const long DemoCreditMinor = 10_000;

    /// <summary>The demo tenant's API key. Fixed, so it can be printed on every start; never seeded outside Development.</summary>
    public const string ApiKey = "clk_demo_0123456789abcdefghijklmnopqrstuv";

    /// <summary>Each demo worker's personal API token, by email. Fixed, so they can be printed on every start; never seeded outside Development.</summary>
    public static readonly IReadOnlyDictionary<string, string> WorkerTokens = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["worker1@demo.local"] = "clw_demo1_0123456789abcdefghijklmnopqrstuv",
        ["worker2@demo.local"] = "clw_demo2_0123456789abcdefghijklmnopqrstuv",
        ["worker3@demo.local"] = "clw_demo3_0123456789abcdefghijklmnopqrstuv",
    };

    public static readonly IReadOnlyList<DemoAccount> Accounts =
    [
        new("Admin", "admin@crowdlabel.local", Password),
        new("Requester (owner of Demo Labs)", "requester@demo.local", Password),
        new("Reviewer (Demo Labs)", "reviewer@demo.local", Password),
        new("Worker", "worker1@demo.local", Password),
        new("Worker", "worker2@demo.local", Password),
        new("Worker", "worker3@demo.local", Password),
    ];

    private static readonly string[] Reviews =
    [
        "An absolute joy from start to finish; I laughed the whole way through.",
        "Two hours of my life I will never get back.",
        "The acting was fine, the plot was fine, everything was just fine.",
        "A stunning, heartfelt film with a score that stays with you.",
        "Muddled, overlong and strangely cold.",
        "It does what it says on the tin: explosions, car chases, done.",
        "I cried twice. Go see it.",
        "The sequel nobody asked for, and it shows.",
        "Pleasant enough for a rainy Sunday afternoon.",
        "Sharp writing and a lead performance that deserves every award.",
        "Dull characters stuck in a predictable story.",
        "Some scenes work, some don't; overall, average.",
    ];

    /// <returns>True when the demo data was written now; false when it was already there.</returns>
    public async Task<bool> SeedAsync(CancellationToken cancellationToken = default)
    {
        if (await db.Tenants.AnyAsync(t => t.Slug == TenantSlug, cancellationToken))
        {
            return false;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var admin = await CreateUserAsync(Accounts[0].Email, "Platform Admin", AccountKind.Requester, Roles.Admin, now);
        var requester = await CreateUserAsync(Accounts[1].Email, "Riley Requester", AccountKind.Requester, Roles.Requester, now);
        var reviewer = await CreateUserAsync(Accounts[2].Email, "Robin Reviewer", AccountKind.Requester, Roles.Reviewer, now);
        for (var i = 3; i < Accounts.Count; i++)
        {
            var worker = await CreateUserAsync(Accounts[i].Email, $"Worker {i - 2}", AccountKind.Worker, Roles.Worker, now);
            db.WorkerProfiles.Add(new WorkerProfile { UserId = worker.Id, DisplayName = worker.DisplayName, CreatedAt = now });
            var token = WorkerTokens[Accounts[i].Email];
            db.WorkerTokens.Add(new WorkerToken
            {
                Id = Guid.CreateVersion7(), WorkerId = worker.Id, Name = "Demo token", Prefix = token[..WorkerTokenService.PrefixLength],
                TokenHash = SecretHasher.Hash(token), CreatedAt = now,
            });
        }

        var tenant = new Tenant { Id = Guid.CreateVersion7(), Name = "Demo Labs", Slug = TenantSlug, CreatedAt = now };
        db.Tenants.Add(tenant);
        tenantContext.Set(tenant.Id, tenant.Slug);
        db.Memberships.Add(new Membership { Id = Guid.CreateVersion7(), TenantId = tenant.Id, UserId = requester.Id, Role = TenantRole.Owner, CreatedAt = now });
        db.Memberships.Add(new Membership { Id = Guid.CreateVersion7(), TenantId = tenant.Id, UserId = reviewer.Id, Role = TenantRole.Reviewer, CreatedAt = now });
        db.ApiKeys.Add(new ApiKey
        {
            Id = Guid.CreateVersion7(), TenantId = tenant.Id, Name = "Demo key", Prefix = ApiKey[..12],
            KeyHash = SecretHasher.Hash(ApiKey), CreatedByUserId = requester.Id, CreatedAt = now,
        });

        var project = new Project
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.Id,
            Name = "Movie review sentiment",
            Instructions = "Read the review and choose its overall sentiment.\n\n**Example:** \"Loved every minute\" is *positive*.",
            PricePerAssignmentMinor = 5,
            Currency = tenant.Currency,
            BaseRedundancy = 3,
            MaxRedundancy = 5,
            CreatedAt = now,
        };
        string[][] labels = [["positive", "1"], ["negative", "2"], ["neutral", "3"]];
        for (var i = 0; i < labels.Length; i++)
        {
            project.Labels.Add(new ProjectLabel
            {
                Id = Guid.CreateVersion7(), TenantId = tenant.Id, ProjectId = project.Id, Ordinal = i, Name = labels[i][0], Key = labels[i][1],
            });
        }

        db.Projects.Add(project);
        var batch = new Batch
        {
            Id = Guid.CreateVersion7(), TenantId = tenant.Id, ProjectId = project.Id, Name = "Reviews, first 12",
            ItemCount = Reviews.Length, GoldCount = 2, CreatedAt = now,
        };
        db.Batches.Add(batch);
        for (var i = 0; i < Reviews.Length; i++)
        {
            db.Items.Add(new Item
            {
                Id = Guid.CreateVersion7(),
                TenantId = tenant.Id,
                BatchId = batch.Id,
                RowNumber = i + 1,
                ExternalId = $"review-{i + 1}",
                Data = JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = Reviews[i] }),
                GoldLabel = i switch { 0 => "positive", 1 => "negative", _ => null },
                RedundancyTarget = project.BaseRedundancy,
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // Fund and publish the demo batch the way an admin and a requester would, so workers find it on the marketplace.
        await ledger.CreditTenantAsync(new CreditInput { TenantId = tenant.Id, AmountMinor = DemoCreditMinor, Reason = "Demo funds" }, admin.Id, cancellationToken);
        var published = await lifecycle.PublishAsync(batch.Id, requester.Id, cancellationToken);
        if (!published.Succeeded)
        {
            throw new InvalidOperationException($"Could not publish the demo batch: {string.Join("; ", published.Errors.SelectMany(e => e.Value))}");
        }

        return true;
    }

    private async Task<AppUser> CreateUserAsync(string email, string name, AccountKind kind, string role, DateTime now)
    {
        var user = new AppUser { Id = Guid.CreateVersion7(), UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, Kind = kind, CreatedAt = now };
        var created = await users.CreateAsync(user, Password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException($"Could not seed {email}: {string.Join("; ", created.Errors.Select(e => e.Description))}");
        }

        await users.AddToRoleAsync(user, role);
        return user;
    }
}
