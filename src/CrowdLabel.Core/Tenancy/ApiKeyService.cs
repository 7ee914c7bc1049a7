using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Security;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Tenancy;

/// <summary>The name of a new API key.</summary>
public sealed record ApiKeyInput
{
    public string Name { get; init; } = "";
}

/// <summary>Shape rules for <see cref="ApiKeyInput"/>.</summary>
public sealed class ApiKeyInputValidator : AbstractValidator<ApiKeyInput>
{
    public ApiKeyInputValidator() =>
        RuleFor(x => x.Name).NotEmpty().WithMessage("Name the key after what uses it, like \"nightly export\".")
            .MaximumLength(100).WithMessage("Keep the name under 100 characters.");
}

/// <summary>A new key and its secret, which is shown this once and never stored.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Secret);

/// <summary>Creates and revokes the current tenant's API keys; only SHA-256 hashes are stored.</summary>
public sealed class ApiKeyService(ICrowdLabelDb db, ITenantContext tenantContext, TimeProvider clock)
{
    public const string SecretPrefix = "clk_";

    private static readonly ApiKeyInputValidator Validator = new();

    public Task<List<ApiKey>> ListAsync(CancellationToken cancellationToken = default) =>
        db.ApiKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).ToListAsync(cancellationToken);

    public async Task<Result<CreatedApiKey>> CreateAsync(ApiKeyInput input, Guid userId, CancellationToken cancellationToken = default)
    {
        var tenantId = tenantContext.TenantId ?? throw new InvalidOperationException("Creating an API key needs a current tenant.");
        var validation = await Validator.ValidateAsync(input, cancellationToken);
        if (!validation.IsValid)
        {
            return Result<CreatedApiKey>.Invalid(validation);
        }

        var secret = SecretHasher.NewSecret(SecretPrefix);
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, Name = input.Name.Trim(), Prefix = secret[..12],
            KeyHash = SecretHasher.Hash(secret), CreatedByUserId = userId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return Result<CreatedApiKey>.Success(new CreatedApiKey(key, secret));
    }

    /// <summary>Revokes a key of the current tenant; requests with it fail from now on.</summary>
    public async Task<Result<ApiKey>> RevokeAsync(Guid keyId, CancellationToken cancellationToken = default)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        if (key is null)
        {
            return Result<ApiKey>.NotFound();
        }

        key.RevokedAt ??= clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return Result<ApiKey>.Success(key);
    }
}
