using CrowdLabel.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrowdLabel.Data.Configurations;

internal sealed class ReviewDecisionConfiguration : IEntityTypeConfiguration<ReviewDecision>
{
    public void Configure(EntityTypeBuilder<ReviewDecision> builder)
    {
        builder.HasOne<Item>().WithMany().HasForeignKey(r => r.ItemId);
        builder.HasOne<Batch>().WithMany().HasForeignKey(r => r.BatchId).OnDelete(DeleteBehavior.NoAction);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(r => r.ReviewerId);
        builder.Property(r => r.PreviousLabel).HasMaxLength(100);
        builder.Property(r => r.Label).HasMaxLength(100).IsRequired();
        builder.Property(r => r.Note).HasMaxLength(1000);
        builder.HasIndex(r => new { r.TenantId, r.BatchId, r.ItemId });
    }
}
