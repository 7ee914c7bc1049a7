using System.Text.Json;
using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Quality;
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
/// reviewer, three workers with API tokens, an admin, an API key, a project with a small published batch of text items
/// for the workers to label, and a second project whose batch the three workers have answered through the assignment
/// engine, with consensus run over it: labels with their confidence, disputed items and a QA sample for the reviewer,
/// answers waiting for approval.
/// Runs only when asked (Development by default) and only once: a database that has the demo tenant is left alone.
/// </summary>
public sealed class DemoSeed(
    CrowdLabelDbContext db, UserManager<AppUser> users, TenantContext tenantContext, LedgerService ledger, BatchLifecycleService lifecycle,
    AssignmentService assignments, ConsensusService consensus, TimeProvider clock)
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

    /// <summary>The answered batch's tickets, each with the label each of the three demo workers gave it.</summary>
    private static readonly (string Ticket, string[] Answers)[] Tickets =
    [
        ("I was charged twice for my subscription this month.", ["billing", "billing", "billing"]),
        ("The app crashes every time I open the settings page.", ["technical", "technical", "technical"]),
        ("How do I change the email address on my account?", ["account", "account", "account"]),
        ("My invoice shows the wrong company name.", ["billing", "account", "billing"]),
        ("I cannot sign in since I reset my password.", ["account", "technical", "technical"]),
        ("The export button does nothing in Firefox.", ["technical", "technical", "technical"]),
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

        var project = AddProject(tenant, "Movie review sentiment",
            "Read the review and choose its overall sentiment.\n\n**Example:** \"Loved every minute\" is *positive*.",
            priceMinor: 5, maxRedundancy: 5, ["positive", "negative", "neutral"], now);
        var batch = AddBatch(project, "Reviews, first 12", "review", Reviews, i => i switch { 0 => "positive", 1 => "negative", _ => null });

        // Three answers an item and no more, so the demo crowd settles every ticket: agreed ones are done, split ones go to review.
        var tickets = AddProject(tenant, "Support ticket routing", "Read the ticket and choose the team that should answer it.",
            priceMinor: 3, maxRedundancy: 3, ["billing", "technical", "account"], now.AddSeconds(1));
        tickets.GoldRatio = 0;
        var answered = AddBatch(tickets, "Tickets, answered by the demo crowd", "ticket", Tickets.Select(t => t.Ticket).ToArray(), _ => null);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // The services below share this context and read the items themselves: none of the seed's entities stays tracked.
        db.ChangeTracker.Clear();

        // Fund and publish the demo batches the way an admin and a requester would, so workers find them on the marketplace.
        await ledger.CreditTenantAsync(new CreditInput { TenantId = tenant.Id, AmountMinor = DemoCreditMinor, Reason = "Demo funds" }, admin.Id, cancellationToken);
        foreach (var published in new[] { batch, answered })
        {
            var outcome = await lifecycle.PublishAsync(published.Id, requester.Id, cancellationToken);
            if (!outcome.Succeeded)
            {
                throw new InvalidOperationException($"Could not publish the demo batch \"{published.Name}\": {string.Join("; ", outcome.Errors.SelectMany(e => e.Value))}");
            }
        }

        await AnswerTicketsAsync(answered.Id, cancellationToken);
        return true;
    }

    /// <summary>A project of the tenant with base redundancy 3 and the given labels, keyed 1, 2, 3 ... in order.</summary>
    private Project AddProject(Tenant tenant, string name, string instructions, int priceMinor, int maxRedundancy, string[] labels, DateTime createdAt)
    {
        var project = new Project
        {
            Id = Guid.CreateVersion7(), TenantId = tenant.Id, Name = name, Instructions = instructions, PricePerAssignmentMinor = priceMinor,
            Currency = tenant.Currency, BaseRedundancy = 3, MaxRedundancy = maxRedundancy, CreatedAt = createdAt,
        };
        for (var i = 0; i < labels.Length; i++)
        {
            project.Labels.Add(new ProjectLabel
            {
                Id = Guid.CreateVersion7(), TenantId = tenant.Id, ProjectId = project.Id, Ordinal = i, Name = labels[i], Key = $"{i + 1}",
            });
        }

        db.Projects.Add(project);
        return project;
    }

    /// <summary>A draft batch of text items with the given external id prefix; <paramref name="gold"/> gives an item's gold label.</summary>
    private Batch AddBatch(Project project, string name, string idPrefix, string[] texts, Func<int, string?> gold)
    {
        var batch = new Batch
        {
            Id = Guid.CreateVersion7(), TenantId = project.TenantId, ProjectId = project.Id, Name = name,
            ItemCount = texts.Length, GoldCount = texts.Where((_, i) => gold(i) is not null).Count(), CreatedAt = project.CreatedAt,
        };
        db.Batches.Add(batch);
        for (var i = 0; i < texts.Length; i++)
        {
            db.Items.Add(new Item
            {
                Id = Guid.CreateVersion7(),
                TenantId = project.TenantId,
                BatchId = batch.Id,
                RowNumber = i + 1,
                ExternalId = $"{idPrefix}-{i + 1}",
                Data = JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = texts[i] }),
                GoldLabel = gold(i),
                RedundancyTarget = project.BaseRedundancy,
            });
        }

        return batch;
    }

    /// <summary>
    /// Each demo worker claims and answers every ticket through the assignment engine, as the worker API would, with the
    /// label <see cref="Tickets"/> gives them; then consensus runs over the batch, as its job would.
    /// </summary>
    private async Task AnswerTicketsAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var answersByTicket = Tickets.ToDictionary(t => t.Ticket, t => t.Answers, StringComparer.Ordinal);
        for (var w = 0; w < WorkerTokens.Count; w++)
        {
            var worker = await users.FindByEmailAsync(Accounts[3 + w].Email) ?? throw new InvalidOperationException("A demo worker was not created.");
            while ((await assignments.ClaimAsync(batchId, worker.Id, cancellationToken)).Value?.Task is { } task)
            {
                var label = answersByTicket[task.Item["text"]][w];
                var submitted = await assignments.SubmitAsync(task.AssignmentId, worker.Id, new AnswerInput { Label = label }, cancellationToken);
                if (!submitted.Succeeded)
                {
                    throw new InvalidOperationException($"A demo answer was refused: {string.Join("; ", submitted.Errors.SelectMany(e => e.Value))}");
                }
            }
        }

        var run = await consensus.RunBatchAsync(batchId, cancellationToken);
        if (!run.Succeeded)
        {
            throw new InvalidOperationException($"Consensus over the demo batch failed: {string.Join("; ", run.Errors.SelectMany(e => e.Value))}");
        }
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
