using CrowdLabel.Core.Payments;

namespace CrowdLabel.Web.Apis;

/// <summary>POST /api/stripe/webhook: Stripe's deliveries, verified by signature (no cookie, no antiforgery, no API key).</summary>
public static class StripeWebhookApi
{
    public const string Route = "/api/stripe/webhook";

    public static IEndpointRouteBuilder MapStripeWebhookApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, ReceiveAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, StripeWebhookService webhooks, CancellationToken cancellationToken)
    {
        // The signature covers the exact bytes Stripe sent, so the body is read raw, never through a model binder.
        using var reader = new StreamReader(request.Body);
        var payload = await reader.ReadToEndAsync(cancellationToken);
        var receipt = await webhooks.ReceiveAsync(payload, request.Headers["Stripe-Signature"].ToString(), cancellationToken);
        return receipt.Kind switch
        {
            WebhookReceiptKind.Stored => Results.Ok(new { received = receipt.EventId }),
            WebhookReceiptKind.Duplicate => Results.Ok(new { received = receipt.EventId, duplicate = true }),
            WebhookReceiptKind.NotConfigured => Results.Problem(receipt.Problem, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Stripe is not configured"),
            _ => Results.Problem(receipt.Problem, statusCode: StatusCodes.Status400BadRequest, title: "The Stripe event was refused"),
        };
    }
}
