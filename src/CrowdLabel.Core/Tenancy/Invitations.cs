using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Security;
using FluentValidation;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Tenancy;

/// <summary>Whom to invite into the current tenant, and as what.</summary>
public sealed record InviteInput
{
    public string Email { get; init; } = "";

    public TenantRole Role { get; init; } = TenantRole.Requester;
}

/// <summary>Shape rules for <see cref="InviteInput"/>.</summary>
public sealed class InviteInputValidator : AbstractValidator<InviteInput>
{
    public InviteInputValidator()
    {
        RuleFor(x => x.Email).NotEmpty().WithMessage("Enter the email address to invite.")
            .EmailAddress().WithMessage("Enter a valid email address, like name@example.com.")
            .MaximumLength(256);
        RuleFor(x => x.Role).Must(r => r is TenantRole.Requester or TenantRole.Reviewer)
            .WithMessage("Invite a member as requester or reviewer.");
    }
}

/// <summary>A created invitation and the secret token that goes in its link (shown once).</summary>
public sealed record CreatedInvitation(Invitation Invitation, string Token);

/// <summary>Invites members into the current tenant and lets invited users join.</summary>
public sealed class InvitationService(
    ICrowdLabelDb db,
    TenantContext tenantContext,
    UserManager<AppUser> users,
    TimeProvider clock)
{
    /// <summary>How long an invitation link stays valid.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    private static readonly InviteInputValidator Validator = new();

    /// <summary>Creates an invitation in the current tenant; only its token's hash is stored.</summary>
    public async Task<Result<CreatedInvitation>> InviteAsync(InviteInput input, Guid invitedBy, CancellationToken cancellationToken = default)
    {
        var tenantId = tenantContext.TenantId ?? throw new InvalidOperationException("Inviting needs a current tenant.");
        var validation = await Validator.ValidateAsync(input, cancellationToken);
        if (!validation.IsValid)
        {
            return Result<CreatedInvitation>.Invalid(validation);
        }

        var email = input.Email.Trim();
        var normalized = users.NormalizeEmail(email);
        var alreadyMember = await (
            from membership in db.Memberships
            join user in db.Users on membership.UserId equals user.Id
            where user.NormalizedEmail == normalized
            select membership.Id).AnyAsync(cancellationToken);
        if (alreadyMember)
        {
            return Result<CreatedInvitation>.Invalid(nameof(InviteInput.Email), $"{email} is already a member of this organization.");
        }

        var token = SecretHasher.NewSecret("inv_");
        var now = clock.GetUtcNow().UtcDateTime;
        var invitation = new Invitation
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            Email = email,
            Role = input.Role,
            TokenHash = SecretHasher.Hash(token),
            InvitedByUserId = invitedBy,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        };
        db.Invitations.Add(invitation);
        await db.SaveChangesAsync(cancellationToken);
        return Result<CreatedInvitation>.Success(new CreatedInvitation(invitation, token));
    }

    /// <summary>Joins the signed-in user to the inviting tenant. The user's email must be the invited one.</summary>
    public async Task<Result<Tenant>> AcceptAsync(string token, AppUser user, CancellationToken cancellationToken = default)
    {
        var hash = SecretHasher.Hash(token);
        var invitation = await db.Invitations.IgnoreQueryFilters(TenantAccess.TenantFilterOnly)
            .FirstOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        if (invitation is null)
        {
            return Result<Tenant>.NotFound();
        }

        if (invitation.AcceptedAt is not null)
        {
            return Result<Tenant>.Invalid("", "This invitation has already been used.");
        }

        if (invitation.ExpiresAt < clock.GetUtcNow().UtcDateTime)
        {
            return Result<Tenant>.Invalid("", "This invitation has expired; ask for a new one.");
        }

        if (!string.Equals(users.NormalizeEmail(invitation.Email), user.NormalizedEmail, StringComparison.Ordinal))
        {
            return Result<Tenant>.Invalid("", $"This invitation was sent to {invitation.Email}; sign in with that address to accept it.");
        }

        var tenant = await db.Tenants.SingleAsync(t => t.Id == invitation.TenantId, cancellationToken);
        tenantContext.Set(tenant.Id, tenant.Slug);
        var now = clock.GetUtcNow().UtcDateTime;
        var exists = await db.Memberships.AnyAsync(m => m.UserId == user.Id, cancellationToken);
        if (!exists)
        {
            db.Memberships.Add(new Membership
            {
                Id = Guid.CreateVersion7(), TenantId = tenant.Id, UserId = user.Id, Role = invitation.Role, CreatedAt = now,
            });
        }

        invitation.AcceptedAt = now;
        invitation.AcceptedByUserId = user.Id;
        await db.SaveChangesAsync(cancellationToken);

        var role = invitation.Role == TenantRole.Reviewer ? Roles.Reviewer : Roles.Requester;
        if (!await users.IsInRoleAsync(user, role))
        {
            await users.AddToRoleAsync(user, role);
        }

        return Result<Tenant>.Success(tenant);
    }
}
