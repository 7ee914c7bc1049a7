using System.Security.Claims;
using System.Text.Encodings.Web;
using CrowdLabel.Core;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Security;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Core.Work;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdLabel.Web.Infrastructure;

/// <summary>Options of the tenant API key scheme (none yet).</summary>
public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>
/// Authenticates "Authorization: Bearer clk_..." with a tenant API key, and "Bearer clw_..." with a worker's personal
/// token (as that worker, in the Worker role). Both are stored as SHA-256 hashes; a revoked or unknown one fails.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ICrowdLabelDb db,
    WorkerTokenService workerTokens)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string TenantClaim = "crowdlabel:tenant";
    public const string KeyPrefix = ApiKeyService.SecretPrefix;

    /// <summary>Marks a worker authenticated by a personal token; its value is the token's id.</summary>
    public const string WorkerTokenClaim = "crowdlabel:worker-token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var secret = header["Bearer ".Length..].Trim();
        if (secret.StartsWith(WorkerTokenService.SecretPrefix, StringComparison.Ordinal))
        {
            return await AuthenticateWorkerAsync(secret);
        }

        if (!secret.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var hash = SecretHasher.Hash(secret);
        var key = await db.ApiKeys.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking()
            .FirstOrDefaultAsync(k => k.KeyHash == hash, Context.RequestAborted);
        if (key is null || key.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("The API key is unknown or revoked.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, key.CreatedByUserId.ToString()),
                new Claim(ClaimTypes.Name, $"api-key:{key.Prefix}"),
                new Claim(TenantClaim, key.TenantId.ToString()),
            ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private async Task<AuthenticateResult> AuthenticateWorkerAsync(string secret)
    {
        var token = await workerTokens.FindActiveAsync(secret, Context.RequestAborted);
        if (token is null)
        {
            return AuthenticateResult.Fail("The worker token is unknown or revoked.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, token.WorkerId.ToString()),
                new Claim(ClaimTypes.Name, $"worker-token:{token.Prefix}"),
                new Claim(ClaimTypes.Role, Roles.Worker),
                new Claim(WorkerTokenClaim, token.Id.ToString()),
            ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
