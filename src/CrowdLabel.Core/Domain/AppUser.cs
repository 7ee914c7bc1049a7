using Microsoft.AspNetCore.Identity;

namespace CrowdLabel.Core.Domain;

/// <summary>A person with an account: a worker, a requester, a reviewer or an admin.</summary>
public class AppUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";

    public AccountKind Kind { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>An Identity role; the names are in <see cref="Roles"/>.</summary>
public class AppRole : IdentityRole<Guid>
{
    public AppRole()
    {
    }

    public AppRole(string name) : base(name)
    {
    }
}

/// <summary>What a new account chose to be when it registered.</summary>
public enum AccountKind
{
    Worker = 1,
    Requester = 2,
}

/// <summary>The platform-wide Identity roles.</summary>
public static class Roles
{
    public const string Worker = "Worker";
    public const string Requester = "Requester";
    public const string Reviewer = "Reviewer";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Worker, Requester, Reviewer, Admin];
}
