using CrowdLabel.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace CrowdLabel.Core;

/// <summary>
/// The application's view of the database. The EF Core context in CrowdLabel.Data implements it; services
/// here depend on this so the domain does not reference a provider. Tenant-owned sets are already filtered
/// to the current tenant.
/// </summary>
public interface ICrowdLabelDb
{
    DbSet<AppUser> Users { get; }

    DbSet<Tenant> Tenants { get; }

    DbSet<Membership> Memberships { get; }

    DbSet<Invitation> Invitations { get; }

    DbSet<WorkerProfile> WorkerProfiles { get; }

    DbSet<ApiKey> ApiKeys { get; }

    DbSet<Project> Projects { get; }

    DbSet<ProjectLabel> ProjectLabels { get; }

    DbSet<Batch> Batches { get; }

    DbSet<Item> Items { get; }

    DbSet<Assignment> Assignments { get; }

    DbSet<ProjectWorker> ProjectWorkers { get; }

    DbSet<QualificationAttempt> QualificationAttempts { get; }

    DbSet<WorkforceMember> WorkforceMembers { get; }

    DbSet<WorkerToken> WorkerTokens { get; }

    DbSet<ReviewDecision> ReviewDecisions { get; }

    DbSet<LedgerTransaction> LedgerTransactions { get; }

    DbSet<Posting> Postings { get; }

    DbSet<StripeEvent> StripeEvents { get; }

    DbSet<WorkerStripeAccount> WorkerStripeAccounts { get; }

    DbSet<Payout> Payouts { get; }

    DbSet<StripeFunding> StripeFundings { get; }

    DbSet<StripeRefund> StripeRefunds { get; }

    DatabaseFacade Database { get; }

    ChangeTracker ChangeTracker { get; }

    Task<int> SaveChangesAsync(CancellationToken cancellationToken = default);
}
