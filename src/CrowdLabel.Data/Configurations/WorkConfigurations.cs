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
    public void Configure(EntityTypeBuilder<Item> builder)
    {
        builder.HasOne<Batch>().WithMany().HasForeignKey(i => i.BatchId);
        builder.Property(i => i.ExternalId).HasMaxLength(200);
        builder.Property(i => i.GoldLabel).HasMaxLength(100);
        builder.Property(i => i.Data).IsRequired();
        builder.HasIndex(i => new { i.TenantId, i.BatchId, i.RowNumber }).IsUnique();
        builder.HasIndex(i => new { i.TenantId, i.BatchId, i.ExternalId }).IsUnique();
    }
}
