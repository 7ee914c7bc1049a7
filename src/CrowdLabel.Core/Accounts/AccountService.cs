using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Accounts;

/// <summary>The new account and, for a requester, the organization it created.</summary>
public sealed record Registration(AppUser User, Tenant? Tenant);

/// <summary>Opens accounts: a worker with a profile, or a requester with a new organization it owns.</summary>
public sealed class AccountService(
    ICrowdLabelDb db,
    UserManager<AppUser> users,
    TenantContext tenantContext,
    TimeProvider clock)
{
    private static readonly RegisterInputValidator Validator = new();

    /// <summary>Creates the account in one transaction: on any error nothing is written.</summary>
    public async Task<Result<Registration>> RegisterAsync(RegisterInput input, CancellationToken cancellationToken = default)
    {
        var validation = await Validator.ValidateAsync(input, cancellationToken);
        if (!validation.IsValid)
        {
            return Result<Registration>.Invalid(validation);
        }

        var slug = input.OrganizationSlug?.Trim() ?? "";
        if (input.Kind == AccountKind.Requester && await db.Tenants.AnyAsync(t => t.Slug == slug, cancellationToken))
        {
            return Result<Registration>.Invalid(nameof(RegisterInput.OrganizationSlug), $"The URL name \"{slug}\" is already taken; choose another.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = new AppUser
        {
            Id = Guid.CreateVersion7(),
            UserName = input.Email.Trim(),
            Email = input.Email.Trim(),
            DisplayName = input.DisplayName.Trim(),
            Kind = input.Kind,
            CreatedAt = now,
        };
        var created = await users.CreateAsync(user, input.Password);
        if (!created.Succeeded)
        {
            return Result<Registration>.Invalid(IdentityErrors.ByField(created));
        }

        Tenant? tenant = null;
        if (input.Kind == AccountKind.Worker)
        {
            await users.AddToRoleAsync(user, Roles.Worker);
            db.WorkerProfiles.Add(new WorkerProfile { UserId = user.Id, DisplayName = user.DisplayName, CreatedAt = now });
        }
        else
        {
            await users.AddToRoleAsync(user, Roles.Requester);
            tenant = new Tenant { Id = Guid.CreateVersion7(), Name = input.OrganizationName!.Trim(), Slug = slug, CreatedAt = now };
            db.Tenants.Add(tenant);
            tenantContext.Set(tenant.Id, tenant.Slug);
            db.Memberships.Add(new Membership
            {
                Id = Guid.CreateVersion7(), TenantId = tenant.Id, UserId = user.Id, Role = TenantRole.Owner, CreatedAt = now,
            });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (tenant is not null)
        {
            // Another registration took the slug between our check and our insert; the unique index caught it.
            await transaction.RollbackAsync(cancellationToken);
            if (await db.Tenants.AsNoTracking().AnyAsync(t => t.Slug == slug, cancellationToken))
            {
                return Result<Registration>.Invalid(nameof(RegisterInput.OrganizationSlug), $"The URL name \"{slug}\" is already taken; choose another.");
            }

            throw;
        }

        await transaction.CommitAsync(cancellationToken);
        return Result<Registration>.Success(new Registration(user, tenant));
    }
}

/// <summary>Maps Identity's error codes onto the form fields they are about.</summary>
public static class IdentityErrors
{
    public static IReadOnlyDictionary<string, string[]> ByField(IdentityResult result) =>
        result.Errors
            .GroupBy(e => e.Code switch
            {
                "DuplicateUserName" or "DuplicateEmail" or "InvalidEmail" or "InvalidUserName" => nameof(RegisterInput.Email),
                _ when e.Code.StartsWith("Password", StringComparison.Ordinal) => nameof(RegisterInput.Password),
                _ => "",
            }, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
}
