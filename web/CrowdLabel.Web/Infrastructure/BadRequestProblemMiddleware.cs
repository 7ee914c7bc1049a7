using System.Text.Json;

namespace CrowdLabel.Web.Infrastructure;

/// <summary>
/// Turns a request the JSON API could not bind (no body, a body that is not JSON or not of the route's shape) into a
/// problem that says what to fix. Left to itself ASP.NET Core answers a bare "Bad Request" in
/// Production (the route handlers are told to throw instead, in <see cref="WebServices"/>), and a stack trace in
/// Development. The handler never ran, so nothing was changed.
/// </summary>
public sealed class BadRequestProblemMiddleware(RequestDelegate next)
{
    private const string Documentation = "The API's description is at /openapi/v1.json.";

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await TypedResults.Problem(title: "The request could not be read.", detail: Explain(e, context.Request), statusCode: e.StatusCode)
                .ExecuteAsync(context);
        }
    }

    internal static string Explain(BadHttpRequestException e, HttpRequest request)
    {
        if (e.InnerException is JsonException json)
        {
            return $"The body is not the JSON this request takes: {json.Message} {Documentation}";
        }

        if (e.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return UnsupportedMediaType(request);
        }

        if (e.Message.Contains("no body was provided", StringComparison.Ordinal))
        {
            return $"This request takes a JSON object as its body, and the body was empty or null. {Documentation}";
        }

        return $"{e.Message} {Documentation}";
    }

    /// <summary>
    /// What a request of another content type than JSON is told. Routing refuses it before any handler runs, so this
    /// is set on the status code's problem (<see cref="WebServices"/>) rather than here.
    /// </summary>
    internal static string UnsupportedMediaType(HttpRequest request)
    {
        var sent = string.IsNullOrEmpty(request.ContentType) ? "no content type" : $"\"{request.ContentType}\"";
        return $"Send the body as JSON with the header Content-Type: application/json (this request had {sent}). {Documentation}";
    }
}
