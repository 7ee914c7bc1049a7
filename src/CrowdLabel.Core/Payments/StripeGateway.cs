using Microsoft.Extensions.Options;
using Stripe;

namespace CrowdLabel.Core.Payments;

/// <summary>The one Stripe.net client of the process, pointed at Stripe or, in tests, at a local fake through the API base.</summary>
public sealed class StripeGateway(IOptions<StripeOptions> options)
{
    private readonly Lazy<StripeClient> _client = new(() => Create(options.Value));

    public bool IsConfigured => options.Value.IsConfigured;

    /// <summary>What pages show instead of a payment form when there is no secret key.</summary>
    public const string NotConfiguredMessage =
        "Payments are not configured on this site: set Stripe:SecretKey (see docs/payments.md). An admin can still credit balances by hand.";

    /// <summary>
    /// The time to keep as "Stripe's state as of" for what the site learnt itself (an account read back, a transfer
    /// refused): the start of its second, since Stripe stamps events to the second, so an account.updated event of that
    /// same second, which may be newer, is still taken in.
    /// </summary>
    public static DateTime AsOfEventSecond(DateTime utc) => utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond));

    public StripeClient Client => IsConfigured ? _client.Value : throw new InvalidOperationException(NotConfiguredMessage);

    private static StripeClient Create(StripeOptions options)
    {
        var clientOptions = new StripeClientOptions { ApiKey = options.SecretKey };
        if (!string.IsNullOrWhiteSpace(options.ApiBase))
        {
            clientOptions.ApiBase = options.ApiBase.TrimEnd('/');
            clientOptions.ConnectBase = clientOptions.ApiBase;
            clientOptions.FilesBase = clientOptions.ApiBase;
        }

        return new StripeClient(clientOptions);
    }
}
