using System.Linq.Expressions;
using CrowdLabel.Core;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Data.Configurations;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace CrowdLabel.Data;

/// <summary>
/// The one EF Core context: Identity's tables plus the domain's. Tenancy is enforced twice: a named query
/// filter hides other tenants' rows from every query, and SaveChanges refuses to write a tenant-owned row
/// whose tenant is not the current one.
/// </summary>
public class CrowdLabelDbContext(DbContextOptions<CrowdLabelDbContext> options, ITenantContext tenant)
    : IdentityDbContext<AppUser, AppRole, Guid>(options), ICrowdLabelDb, IDataProtectionKeyContext
{
    // Read by the query filter at query time, so each query sees the tenant of this context's scope.
    /// <summary>The tenant this context reads and writes; the query filter reads it anew for every query.</summary>
    public Guid? CurrentTenantId => tenant.TenantId;

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<WorkerProfile> WorkerProfiles => Set<WorkerProfile>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<Project> Projects => Set<Project>();

    public DbSet<ProjectLabel> ProjectLabels => Set<ProjectLabel>();

    public DbSet<Batch> Batches => Set<Batch>();

    public DbSet<Item> Items => Set<Item>();

    public DbSet<Assignment> Assignments => Set<Assignment>();

    public DbSet<ProjectWorker> ProjectWorkers => Set<ProjectWorker>();

    public DbSet<QualificationAttempt> QualificationAttempts => Set<QualificationAttempt>();

    public DbSet<WorkforceMember> WorkforceMembers => Set<WorkforceMember>();

    public DbSet<WorkerToken> WorkerTokens => Set<WorkerToken>();

    public DbSet<ReviewDecision> ReviewDecisions => Set<ReviewDecision>();

    public DbSet<LedgerTransaction> LedgerTransactions => Set<LedgerTransaction>();

    public DbSet<Posting> Postings => Set<Posting>();

    public DbSet<StripeEvent> StripeEvents => Set<StripeEvent>();

    public DbSet<WorkerStripeAccount> WorkerStripeAccounts => Set<WorkerStripeAccount>();

    public DbSet<Payout> Payouts => Set<Payout>();

    public DbSet<StripeFunding> StripeFundings => Set<StripeFunding>();

    public DbSet<StripeRefund> StripeRefunds => Set<StripeRefund>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(CrowdLabelDbContext).Assembly);
        if (Database.IsNpgsql())
        {
            // PostgreSQL sorts nulls last by default; the claim offers items without a consensus first.
            builder.Entity<Item>().Metadata.GetIndexes().Single(i => i.GetDatabaseName() == ItemConfiguration.ClaimIndex)
                .SetNullSortOrder(new[] { NullSortOrder.NullsLast, NullSortOrder.NullsLast, NullSortOrder.NullsLast, NullSortOrder.NullsFirst, NullSortOrder.NullsLast });

            // Every answer moves its item in the claim index (AnswerCount is in the key) and leaves a dead entry where it
            // was: at the front of the claim order, which every claim reads from. Until VACUUM removes them, claims step
            // over them: on the work benchmark, claims read 90 buffers after a vacuum and 250 a minute later. Autovacuum's
            // default waits for a fifth of the table to change; the items are vacuumed after 1% (docs/deploy.md).
            builder.Entity<Item>()
                .HasStorageParameter("autovacuum_vacuum_scale_factor", 0.01)
                .HasStorageParameter("autovacuum_vacuum_threshold", 1000);
        }

        // Items without an external id or not waiting for review stay out of those indexes: a million-row import
        // writes two indexes fewer per row when it has no ids, one fewer when it has. Assignments are in the job
        // indexes only while the job looks for them.
        var quote = Database.IsSqlServer() ? (Func<string, string>)(c => $"[{c}]") : c => $"\"{c}\"";
        var notNull = (string column) => $"{quote(column)} IS NOT NULL";
        var statusIs = (AssignmentStatus status) => $"{quote(nameof(Assignment.Status))} = '{status}'";
        Filter<Item>(ItemConfiguration.ExternalIdIndex, notNull(nameof(Item.ExternalId)));
        Filter<Item>(ItemConfiguration.ReviewQueueIndex, notNull(nameof(Item.ReviewRequestedAt)));
        Filter<Assignment>(AssignmentConfiguration.LeaseExpiryIndex, statusIs(AssignmentStatus.Leased));
        Filter<Assignment>(AssignmentConfiguration.LiveLeaseIndex, statusIs(AssignmentStatus.Leased));
        Filter<Assignment>(AssignmentConfiguration.AnsweredIndex, notNull(nameof(Assignment.SubmittedAt)));
        Filter<Assignment>(AssignmentConfiguration.ApprovalIndex, statusIs(AssignmentStatus.Submitted));

        foreach (var entity in builder.Model.GetEntityTypes().Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType)))
        {
            builder.Entity(entity.ClrType).HasQueryFilter(TenantAccess.FilterName, TenantFilter(entity.ClrType));
        }

        void Filter<TEntity>(string index, string condition) where TEntity : class =>
            builder.Entity<TEntity>().Metadata.GetIndexes().Single(i => i.GetDatabaseName() == index).SetFilter(condition);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // All times are UTC; providers that drop DateTime.Kind (SQLite, SQL Server) get it back on read.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        GuardTenantWrites();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        GuardTenantWrites();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void GuardTenantWrites()
    {
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }

            var rowTenant = entry.State == EntityState.Added ? entry.Entity.TenantId : OriginalTenant(entry);
            if (CurrentTenantId is not { } current)
            {
                throw new TenantWriteException($"Refusing to write {entry.Metadata.ClrType.Name}: no tenant is current.");
            }

            if (rowTenant != current || entry.Entity.TenantId != current)
            {
                throw new TenantWriteException($"Refusing to write {entry.Metadata.ClrType.Name} of another tenant.");
            }
        }
    }

    private static Guid OriginalTenant(EntityEntry<ITenantOwned> entry) =>
        entry.OriginalValues.GetValue<Guid>(nameof(ITenantOwned.TenantId));

    private LambdaExpression TenantFilter(Type entityType)
    {
        // e => e.TenantId == this.CurrentTenantId, with "this" captured so EF parameterizes it per query.
        var parameter = Expression.Parameter(entityType, "e");
        var rowTenant = Expression.Convert(Expression.Property(parameter, nameof(ITenantOwned.TenantId)), typeof(Guid?));
        var current = Expression.Property(Expression.Constant(this), nameof(CurrentTenantId));
        return Expression.Lambda(Expression.Equal(rowTenant, current), parameter);
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

/// <summary>Thrown when code tries to write a tenant-owned row outside its tenant: always a bug, never user error.</summary>
public sealed class TenantWriteException(string message) : InvalidOperationException(message);
