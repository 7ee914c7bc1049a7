using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Security;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Work;

/// <summary>A new personal token and its secret, which is shown this once and never stored.</summary>
public sealed record CreatedWorkerToken(WorkerToken Token, string Secret);

/// <summary>
/// A worker's personal API tokens: created (shown once), listed, revoked; only SHA-256 hashes are stored. Every worker
/// API request presents one, so an active token found is remembered for <see cref="ActiveTokenCache.Lifetime"/>:
/// a revocation here takes effect at once on this instance, and within that time on the others.
/// </summary>
public sealed class WorkerTokenService(ICrowdLabelDb db, TimeProvider clock, ActiveTokenCache activeTokens)
{
    public const string SecretPrefix = "clw_";

    /// <summary>Characters of a token kept in the clear so the worker can tell tokens apart.</summary>
    public const int PrefixLength = 12;

    private static readonly WorkerTokenInputValidator Validator = new();

    public Task<List<WorkerToken>> ListAsync(Guid workerId, CancellationToken cancellationToken = default) =>
        db.WorkerTokens.AsNoTracking().Where(t => t.WorkerId == workerId)
            .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).ToListAsync(cancellationToken);

    public async Task<Result<CreatedWorkerToken>> CreateAsync(Guid workerId, WorkerTokenInput input, CancellationToken cancellationToken = default)
    {
        var validation = await Validator.ValidateAsync(input, cancellationToken);
        if (!validation.IsValid)
        {
            return Result<CreatedWorkerToken>.Invalid(validation);
        }

        if (!await db.WorkerProfiles.AnyAsync(w => w.UserId == workerId, cancellationToken))
        {
            return Result<CreatedWorkerToken>.Invalid("", "Only worker accounts have personal API tokens.");
        }

        var secret = SecretHasher.NewSecret(SecretPrefix);
        var token = new WorkerToken
        {
            Id = Guid.CreateVersion7(), WorkerId = workerId, Name = input.Name.Trim(), Prefix = secret[..PrefixLength],
            TokenHash = SecretHasher.Hash(secret), CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.WorkerTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return Result<CreatedWorkerToken>.Success(new CreatedWorkerToken(token, secret));
    }

    /// <summary>Revokes one of the worker's own tokens (another worker's is not found); requests with it fail from now on.</summary>
    public async Task<Result<WorkerToken>> RevokeAsync(Guid workerId, Guid tokenId, CancellationToken cancellationToken = default)
    {
        var token = await db.WorkerTokens.FirstOrDefaultAsync(t => t.Id == tokenId && t.WorkerId == workerId, cancellationToken);
        if (token is null)
        {
            return Result<WorkerToken>.NotFound();
        }

        token.RevokedAt ??= clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        activeTokens.Forget(token.TokenHash);
        return Result<WorkerToken>.Success(token);
    }

    /// <summary>The active token a presented secret is; null for an unknown or revoked one.</summary>
    public async Task<WorkerToken?> FindActiveAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var hash = SecretHasher.Hash(secret);
        if (activeTokens.Find(hash) is { } known)
        {
            return known;
        }

        var token = await db.WorkerTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token?.RevokedAt is not null)
        {
            return null;
        }

        if (token is not null)
        {
            activeTokens.Remember(token);
        }

        return token;
    }
}
