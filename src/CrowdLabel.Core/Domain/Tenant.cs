namespace CrowdLabel.Core.Domain;

/// <summary>An organization of requesters and reviewers; owns projects, batches and a balance.</summary>
public class Tenant
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Unique, lower-case, used in URLs: /t/{slug}.</summary>
    public string Slug { get; set; } = "";

    /// <summary>ISO 4217 code of the one currency this tenant pays in.</summary>
    public string Currency { get; set; } = "USD";

    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// Bumped by every ledger transaction that spends from this tenant's balance. The update takes the tenant
    /// row's write lock first, so balance checks of one tenant run one at a time on every provider.
    /// </summary>
    public long LedgerSequence { get; set; }
}

/// <summary>Marks a row that belongs to one tenant and is filtered to the current tenant.</summary>
public interface ITenantOwned
{
    Guid TenantId { get; set; }
}

/// <summary>A user's place in a tenant.</summary>
public class Membership : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public TenantRole Role { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>What a member may do inside a tenant.</summary>
public enum TenantRole
{
    Owner = 1,
    Requester = 2,
    Reviewer = 3,
}

/// <summary>An invitation to join a tenant, accepted through a secret link.</summary>
public class Invitation : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Email { get; set; } = "";

    public TenantRole Role { get; set; }

    /// <summary>SHA-256 of the secret token in the link; the token itself is never stored.</summary>
    public string TokenHash { get; set; } = "";

    public Guid InvitedByUserId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    public DateTime? AcceptedAt { get; set; }

    public Guid? AcceptedByUserId { get; set; }
}

/// <summary>A global crowd worker's profile: workers are not inside a tenant.</summary>
public class WorkerProfile
{
    public Guid UserId { get; set; }

    public string DisplayName { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    /// <summary>Bumped at the start of every claim by this worker: one worker's claims run one at a time.</summary>
    public long ClaimSequence { get; set; }
}

/// <summary>A tenant's key for the JSON API; only its hash is stored.</summary>
public class ApiKey : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The first characters of the key, shown so people can tell keys apart.</summary>
    public string Prefix { get; set; } = "";

    public string KeyHash { get; set; } = "";

    public Guid CreatedByUserId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? RevokedAt { get; set; }
}
