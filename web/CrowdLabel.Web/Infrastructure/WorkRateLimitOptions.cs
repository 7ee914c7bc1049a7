using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CrowdLabel.Web.Infrastructure;

/// <summary>
/// How fast one worker may call the worker API (/api/v1/work; configuration section "RateLimits:WorkApi"): a token
/// bucket per worker, refilled at <see cref="RequestsPerSecond"/> and holding up to <see cref="Burst"/>. A person
/// labelling sends a request every few seconds and a script going flat out (each of the worker benchmark's 64 workers
/// on two cores) about 40 a second, a few of them past 50 when the site runs fastest; the limit is there for a script
/// in a loop that would take a node's capacity from everyone else. Each node counts on its own, so behind a load
/// balancer a worker gets up to this limit from every node.
/// </summary>
public sealed class WorkRateLimitOptions
{
    public const string Section = "RateLimits:WorkApi";

    /// <summary>Requests a second a worker's bucket refills with; 0 sets no limit.</summary>
    public int RequestsPerSecond { get; set; } = 50;

    /// <summary>Requests a worker may send at once after a pause; 0 means twice <see cref="RequestsPerSecond"/>.</summary>
    public int Burst { get; set; }

    private int BucketSize => Burst > 0 ? Burst : 2 * RequestsPerSecond;

    /// <summary>The worker's bucket: by the signed-in worker, else (not signed in) by address.</summary>
    internal static RateLimitPartition<string> Partition(HttpContext context)
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<WorkRateLimitOptions>>().Value;
        if (limits.RequestsPerSecond <= 0)
        {
            return RateLimitPartition.GetNoLimiter("");
        }

        var key = context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.BucketSize, TokensPerPeriod = limits.RequestsPerSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0, AutoReplenishment = true,
        });
    }

    /// <summary>
    /// A refused API request gets a 429 problem saying what the limit is and when to come back (also as Retry-After);
    /// a refused page (sign-in) its status page.
    /// </summary>
    internal static async ValueTask RefuseAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (!http.Request.Path.StartsWithSegments("/api/v1/work"))
        {
            return;
        }

        var limits = http.RequestServices.GetRequiredService<IOptions<WorkRateLimitOptions>>().Value;
        await TypedResults.Problem(
            title: "Too many requests.",
            detail: string.Create(CultureInfo.InvariantCulture,
                $"This worker sent more than {Requests(limits.RequestsPerSecond)} a second to the worker API (up to {limits.BucketSize} at once). Wait {seconds} s, then go on no faster than that."),
            statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
    }

    private static string Requests(int count) => count == 1 ? "1 request" : count.ToString(CultureInfo.InvariantCulture) + " requests";
}
