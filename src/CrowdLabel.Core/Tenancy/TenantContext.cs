namespace CrowdLabel.Core.Tenancy;

/// <summary>The tenant the current request or job acts for; read by the data layer's query filter and write guard.</summary>
public interface ITenantContext
{
    /// <summary>The current tenant, or null outside any tenant (then tenant-owned rows are invisible and unwritable).</summary>
    Guid? TenantId { get; }

    /// <summary>The current tenant's slug, when known.</summary>
    string? Slug { get; }
}

/// <summary>The scoped, settable <see cref="ITenantContext"/>: set once per request by tenant resolution.</summary>
public sealed class TenantContext : ITenantContext
{
    public Guid? TenantId { get; private set; }

    public string? Slug { get; private set; }

    public void Set(Guid tenantId, string? slug = null)
    {
        if (TenantId is { } current && current != tenantId)
        {
            throw new InvalidOperationException("The tenant of this scope is already set to another tenant.");
        }

        TenantId = tenantId;
        Slug = slug;
    }
}
