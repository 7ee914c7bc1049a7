using CrowdLabel.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrowdLabel.Data.Configurations;

internal sealed class LedgerTransactionConfiguration : IEntityTypeConfiguration<LedgerTransaction>
{
    public void Configure(EntityTypeBuilder<LedgerTransaction> builder)
    {
        builder.Property(t => t.Kind).HasMaxLength(32).IsRequired();
        builder.Property(t => t.Description).HasMaxLength(500).IsRequired();
        builder.Property(t => t.IdempotencyKey).HasMaxLength(200);
        builder.HasIndex(t => t.IdempotencyKey).IsUnique();
        builder.HasIndex(t => new { t.TenantId, t.CreatedAt });
        builder.HasIndex(t => t.BatchId);
        builder.HasMany(t => t.Postings).WithOne().HasForeignKey(p => p.TransactionId);
    }
}

internal sealed class PostingConfiguration : IEntityTypeConfiguration<Posting>
{
    public void Configure(EntityTypeBuilder<Posting> builder)
    {
        builder.Property(p => p.Account).HasMaxLength(100).IsRequired();
        builder.Property(p => p.Currency).HasMaxLength(3).IsFixedLength().IsRequired();
        // Balances are SUM(AmountMinor) by account: this index makes that a range scan.
        builder.HasIndex(p => new { p.Account, p.Currency });
        builder.HasIndex(p => p.TenantId);
    }
}
