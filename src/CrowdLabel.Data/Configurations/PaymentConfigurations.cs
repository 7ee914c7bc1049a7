using CrowdLabel.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrowdLabel.Data.Configurations;

internal sealed class StripeEventConfiguration : IEntityTypeConfiguration<StripeEvent>
{
    public void Configure(EntityTypeBuilder<StripeEvent> builder)
    {
        builder.Property(e => e.Id).HasMaxLength(255);
        builder.Property(e => e.Type).HasMaxLength(100).IsRequired();
        builder.Property(e => e.Payload).IsRequired();
        builder.Property(e => e.LastError).HasMaxLength(1000);
        // The retry job reads the pending events, oldest first.
        builder.HasIndex(e => new { e.Status, e.CreatedAt });
    }
}

internal sealed class WorkerStripeAccountConfiguration : IEntityTypeConfiguration<WorkerStripeAccount>
{
    public void Configure(EntityTypeBuilder<WorkerStripeAccount> builder)
    {
        builder.HasKey(a => a.WorkerId);
        builder.HasOne<AppUser>().WithOne().HasForeignKey<WorkerStripeAccount>(a => a.WorkerId);
        builder.Property(a => a.StripeAccountId).HasMaxLength(255);
        builder.HasIndex(a => a.StripeAccountId).IsUnique();
    }
}

internal sealed class PayoutConfiguration : IEntityTypeConfiguration<Payout>
{
    public void Configure(EntityTypeBuilder<Payout> builder)
    {
        // Money rows are never deleted with their owner.
        builder.HasOne<AppUser>().WithMany().HasForeignKey(p => p.WorkerId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(p => p.Currency).HasMaxLength(3).IsFixedLength().IsRequired();
        builder.Property(p => p.StripeAccountId).HasMaxLength(255).IsRequired();
        builder.Property(p => p.StripeTransferId).HasMaxLength(255);
        builder.Property(p => p.LastError).HasMaxLength(1000);
        builder.HasIndex(p => p.StripeTransferId).IsUnique();
        builder.HasIndex(p => new { p.WorkerId, p.CreatedAt });
        builder.HasIndex(p => p.Status);
    }
}

internal sealed class StripeFundingConfiguration : IEntityTypeConfiguration<StripeFunding>
{
    public void Configure(EntityTypeBuilder<StripeFunding> builder)
    {
        builder.HasKey(f => f.SessionId);
        builder.Property(f => f.SessionId).HasMaxLength(255);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(f => f.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(f => f.Currency).HasMaxLength(3).IsFixedLength().IsRequired();
        builder.Property(f => f.PaymentIntentId).HasMaxLength(255);
        builder.HasIndex(f => new { f.TenantId, f.CreatedAt });
    }
}

internal sealed class StripeRefundConfiguration : IEntityTypeConfiguration<StripeRefund>
{
    public void Configure(EntityTypeBuilder<StripeRefund> builder)
    {
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<StripeFunding>().WithMany().HasForeignKey(r => r.FundingSessionId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(r => r.FundingSessionId).HasMaxLength(255).IsRequired();
        builder.Property(r => r.Currency).HasMaxLength(3).IsFixedLength().IsRequired();
        builder.Property(r => r.StripeRefundId).HasMaxLength(255);
        builder.Property(r => r.LastError).HasMaxLength(1000);
        builder.HasIndex(r => new { r.TenantId, r.CreatedAt });
        builder.HasIndex(r => r.Status);
    }
}
