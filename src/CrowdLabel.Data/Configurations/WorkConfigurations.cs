using CrowdLabel.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrowdLabel.Data.Configurations;

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> builder)
    {
        builder.HasOne<Tenant>().WithMany().HasForeignKey(p => p.TenantId);
        builder.Property(p => p.Name).HasMaxLength(200).IsRequired();
        builder.Property(p => p.Currency).HasMaxLength(3).IsFixedLength().IsRequired();
        builder.Property(p => p.Instructions).IsRequired();
        builder.Property(p => p.ItemTemplate).HasMaxLength(4000).IsRequired();
        builder.HasMany(p => p.Labels).WithOne().HasForeignKey(l => l.ProjectId);
        builder.HasIndex(p => new { p.TenantId, p.Name });
    }
}

internal sealed class ProjectLabelConfiguration : IEntityTypeConfiguration<ProjectLabel>
{
    public void Configure(EntityTypeBuilder<ProjectLabel> builder)
    {
        builder.Property(l => l.Name).HasMaxLength(100).IsRequired();
        builder.Property(l => l.Key).HasMaxLength(1);
        builder.Property(l => l.Description).HasMaxLength(500);
        builder.HasIndex(l => new { l.TenantId, l.ProjectId, l.ProjectVersion, l.Name }).IsUnique();
    }
}

internal sealed class BatchConfiguration : IEntityTypeConfiguration<Batch>
{
    public void Configure(EntityTypeBuilder<Batch> builder)
    {
        builder.HasOne<Tenant>().WithMany().HasForeignKey(b => b.TenantId);
        builder.HasOne<Project>().WithMany().HasForeignKey(b => b.ProjectId);
        builder.Property(b => b.Name).HasMaxLength(200).IsRequired();
        builder.Property(b => b.Currency).HasMaxLength(3).IsFixedLength().IsRequired();
        builder.HasIndex(b => new { b.TenantId, b.ProjectId });
        builder.HasIndex(b => b.Status);
    }
}

internal sealed class ItemConfiguration : IEntityTypeConfiguration<Item>
{
    public const string ClaimIndex = "IX_Items_Claim";

    public const string ExternalIdIndex = "IX_Items_TenantId_BatchId_ExternalId";

    public const string ReviewQueueIndex = "IX_Items_TenantId_ReviewRequestedAt";

    public void Configure(EntityTypeBuilder<Item> builder)
    {
        // No foreign key to Batches: a database checks one per written row, and on PostgreSQL that check was a third
        // of a large import's time. The reference holds by construction instead: items are written only by the
        // import, in the transaction that inserts their batch, and batches are never deleted (cancel is a status).
        builder.Property(i => i.ExternalId).HasMaxLength(200);
        builder.Property(i => i.GoldLabel).HasMaxLength(100);
        builder.Property(i => i.Data).IsRequired();
        builder.HasIndex(i => new { i.TenantId, i.BatchId, i.RowNumber }).IsUnique();
        builder.HasIndex(i => new { i.TenantId, i.BatchId, i.ExternalId }).IsUnique().HasDatabaseName(ExternalIdIndex);
        // The claim query walks this index in offer order: open items of a batch, fewest answers first, then least
        // confident (no consensus yet first: PostgreSQL is told so in CrowdLabelDbContext), then upload order.
        builder.HasIndex(i => new { i.BatchId, i.Status, i.AnswerCount, i.Confidence, i.RowNumber }).HasDatabaseName(ClaimIndex);
        builder.Property(i => i.ConsensusLabel).HasMaxLength(100);
        // The reviewers' queue: disputed and QA-sampled items of the tenant, oldest request first. Only items waiting
        // for review are in it (a filter set per provider in CrowdLabelDbContext), so imports and answers do not write it.
        builder.HasIndex(i => new { i.TenantId, i.ReviewRequestedAt }).HasDatabaseName(ReviewQueueIndex);
    }
}

internal sealed class AssignmentConfiguration : IEntityTypeConfiguration<Assignment>
{
    public const string LeaseExpiryIndex = "IX_Assignments_Status_LeaseExpiresAt";

    public const string ApprovalIndex = "IX_Assignments_Status_SubmittedAt";

    public const string AnsweredIndex = "IX_Assignments_BatchId_SubmittedAt";

    public const string LiveLeaseIndex = "IX_Assignments_WorkerId_BatchId_Live";

    public void Configure(EntityTypeBuilder<Assignment> builder)
    {
        // No foreign keys at all. To Batches (as for Items): PostgreSQL would lock the batch row in key-share mode for
        // every lease, one row shared by every concurrent claim of the batch (0.9 ms a claim in the worker benchmark). To
        // Items and to the worker's account: each lease ran two key checks, a query apiece with its row lock, after the
        // claim statement (2.5 % of the machine's CPU, 3.6 % of PostgreSQL's, in a profile of the worker benchmark:
        // docs/benchmarks.md, runs 38 and 39).
        // The references hold by construction: an assignment is made only by a claim, for the item whose slot the same
        // statement takes and the signed-in worker, and items, batches and accounts are never deleted.
        builder.Property(a => a.Label).HasMaxLength(100);
        builder.Property(a => a.ProblemReport).HasMaxLength(1000);
        builder.Property(a => a.RejectionReason).HasMaxLength(500);
        // No worker is ever assigned the same item twice, whatever the concurrency.
        builder.HasIndex(a => new { a.ItemId, a.WorkerId }).IsUnique();
        builder.HasIndex(a => new { a.WorkerId, a.BatchId, a.Status });
        // A worker's live leases in a batch, read by every claim. Only leases are in it, so it stays small and is read
        // with a plain index scan, which marks the entries of answered leases dead as it passes them; read through the
        // index above, they were up to a third of a claim's buffer reads until vacuum came by.
        builder.HasIndex(a => new { a.WorkerId, a.BatchId }).HasDatabaseName(LiveLeaseIndex);
        builder.HasIndex(a => new { a.BatchId, a.Status });
        // The lease expiry job finds live leases past their time; consensus finds batches with answers newer than its last
        // run; approval finds answers older than the delay. Each index holds only the rows its job looks for (filters set
        // per provider in CrowdLabelDbContext), so a lease writes two indexes fewer and an answer one fewer.
        builder.HasIndex(a => new { a.Status, a.LeaseExpiresAt }).HasDatabaseName(LeaseExpiryIndex);
        builder.HasIndex(a => new { a.BatchId, a.SubmittedAt }).HasDatabaseName(AnsweredIndex);
        builder.HasIndex(a => new { a.Status, a.SubmittedAt }).HasDatabaseName(ApprovalIndex);
    }
}

internal sealed class ProjectWorkerConfiguration : IEntityTypeConfiguration<ProjectWorker>
{
    public void Configure(EntityTypeBuilder<ProjectWorker> builder)
    {
        builder.HasOne<Project>().WithMany().HasForeignKey(w => w.ProjectId);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(w => w.WorkerId);
        builder.Property(w => w.StatusReason).HasMaxLength(500);
        builder.HasIndex(w => new { w.ProjectId, w.WorkerId }).IsUnique();
    }
}

internal sealed class QualificationAttemptConfiguration : IEntityTypeConfiguration<QualificationAttempt>
{
    public void Configure(EntityTypeBuilder<QualificationAttempt> builder)
    {
        builder.HasOne<Project>().WithMany().HasForeignKey(a => a.ProjectId);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(a => a.WorkerId);
        builder.HasIndex(a => new { a.ProjectId, a.WorkerId });
    }
}

internal sealed class WorkforceMemberConfiguration : IEntityTypeConfiguration<WorkforceMember>
{
    public void Configure(EntityTypeBuilder<WorkforceMember> builder)
    {
        builder.HasOne<Tenant>().WithMany().HasForeignKey(w => w.TenantId);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(w => w.WorkerId);
        builder.HasIndex(w => new { w.TenantId, w.WorkerId }).IsUnique();
        builder.HasIndex(w => w.WorkerId);
    }
}

internal sealed class WorkerTokenConfiguration : IEntityTypeConfiguration<WorkerToken>
{
    public void Configure(EntityTypeBuilder<WorkerToken> builder)
    {
        builder.HasOne<AppUser>().WithMany().HasForeignKey(t => t.WorkerId);
        builder.Property(t => t.Name).HasMaxLength(100).IsRequired();
        builder.Property(t => t.Prefix).HasMaxLength(16).IsRequired();
        builder.Property(t => t.TokenHash).HasMaxLength(64).IsRequired();
        builder.HasIndex(t => t.TokenHash).IsUnique();
    }
}
