using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CrowdLabel.Web.Tests.Payments;

/// <summary>
/// A local stand-in for Stripe's REST API on 127.0.0.1 (any free port), reached by the real Stripe.net client through
/// its API base. It speaks the form-encoded requests and JSON objects of the endpoints CrowdLabel uses, replays a
/// request's stored response for a repeated Idempotency-Key (no second object), records every transfer, fails calls
/// on demand, and signs webhook payloads exactly as Stripe does.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public const string SecretKey = "sk_test_fake";
    public const string WebhookSecret = "whsec_fake_secret";

    private readonly WebApplication _app;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<string, (int Status, string Body)> _idempotent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, TimeSpan> _delays = new(StringComparer.Ordinal);
    private int _sequence;

    private FakeStripe(WebApplication app) => _app = app;

    /// <summary>Where Stripe.net should send its calls (Stripe:ApiBase).</summary>
    public Uri ApiBase { get; private set; } = null!;

    /// <summary>Every transfer created, in order; a replayed key adds none.</summary>
    public ConcurrentQueue<JsonObject> Transfers { get; } = new();

    /// <summary>Every refund created.</summary>
    public ConcurrentQueue<JsonObject> Refunds { get; } = new();

    /// <summary>How many requests were answered from a stored idempotent response.</summary>
    public int Replays { get; private set; }

    /// <summary>The settings that point the site at this fake.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["Stripe:SecretKey"] = SecretKey,
        ["Stripe:WebhookSecret"] = WebhookSecret,
        ["Stripe:ApiBase"] = ApiBase.ToString().TrimEnd('/'),
        // The retry job would race the tests' own calls; tests run the retries themselves.
        ["Stripe:EventRetrySeconds"] = "3600",
    };

    public static async Task<FakeStripe> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeStripe(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake.ApiBase = new Uri(app.Urls.First());
        return fake;
    }

    /// <summary>The next <paramref name="times"/> calls to a path starting with <paramref name="pathPrefix"/> fail with a 500 and create nothing.</summary>
    public void FailNext(string pathPrefix, int times = 1) => _failures[pathPrefix] = times;

    /// <summary>Answers the calls to paths starting with <paramref name="pathPrefix"/> only after <paramref name="delay"/>, as a slow Stripe would.</summary>
    public void Delay(string pathPrefix, TimeSpan delay) => _delays[pathPrefix] = delay;

    public JsonObject Get(string id) => (JsonObject)_objects[id].DeepClone();

    /// <summary>The customer paid: the session is complete and paid, with a payment intent.</summary>
    public JsonObject CompleteCheckout(string sessionId)
    {
        var session = _objects[sessionId];
        session["status"] = "complete";
        session["payment_status"] = "paid";
        session["payment_intent"] = NewId("pi");
        return Get(sessionId);
    }

    /// <summary>The worker finished onboarding (or Stripe restricted the account).</summary>
    public JsonObject SetPayoutsEnabled(string accountId, bool enabled)
    {
        var account = _objects[accountId];
        account["payouts_enabled"] = enabled;
        account["details_submitted"] = true;
        account["charges_enabled"] = enabled;
        return Get(accountId);
    }

    /// <summary>The platform took the whole transfer back.</summary>
    public JsonObject ReverseTransfer(string transferId)
    {
        var transfer = _objects[transferId];
        transfer["amount_reversed"] = transfer["amount"]!.GetValue<long>();
        transfer["reversed"] = true;
        return Get(transferId);
    }

    /// <summary>A webhook event around <paramref name="dataObject"/>, as Stripe would send it.</summary>
    public string Event(string type, JsonObject dataObject, DateTimeOffset? created = null, string? id = null) => new JsonObject
    {
        ["id"] = id ?? NewId("evt"),
        ["object"] = "event",
        ["api_version"] = Stripe.StripeConfiguration.ApiVersion,
        ["created"] = (created ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
        ["type"] = type,
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
        ["data"] = new JsonObject { ["object"] = dataObject },
    }.ToJsonString();

    /// <summary>
    /// The request Stripe makes to deliver a webhook event to the site (POST /api/stripe/webhook), signed with
    /// <paramref name="signature"/>: "sign" for a proper signature, null for none, anything else as it is.
    /// </summary>
    public static HttpRequestMessage WebhookDelivery(string payload, string? signature = "sign")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/stripe/webhook") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add("Stripe-Signature", signature == "sign" ? Sign(payload) : signature);
        }

        return request;
    }

    /// <summary>The Stripe-Signature header for a payload: t=timestamp,v1=hex(HMAC-SHA256(secret, "{t}.{payload}")).</summary>
    public static string Sign(string payload, string secret = WebhookSecret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _lock.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.Authorization.ToString() != $"Bearer {SecretKey}")
        {
            await WriteAsync(context, 401, Error("invalid_request_error", "Invalid API Key provided."));
            return;
        }

        var form = request.HasFormContentType ? (await request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal) : [];
        var key = request.Headers["Idempotency-Key"].ToString();
        var path = request.Path.Value ?? "";
        var delay = _delays.FirstOrDefault(d => path.StartsWith(d.Key, StringComparison.Ordinal)).Value;
        // One request at a time: two calls with one key at once must see one object, as on Stripe.
        await _lock.WaitAsync();
        await Task.Delay(delay);
        try
        {
            if (HttpMethods.IsPost(request.Method) && key.Length > 0 && _idempotent.TryGetValue(key, out var stored))
            {
                Replays++;
                context.Response.Headers["Idempotent-Replayed"] = "true";
                await WriteAsync(context, stored.Status, stored.Body);
                return;
            }

            var failure = _failures.Keys.FirstOrDefault(p => path.StartsWith(p, StringComparison.Ordinal) && _failures[p] > 0);
            if (failure is not null)
            {
                _failures[failure]--;
                context.Response.Headers["Stripe-Should-Retry"] = "false";
                await WriteAsync(context, 500, Error("api_error", "The fake was told to fail this call."));
                return;
            }

            var (status, body) = Route(request.Method, path, form, request.Query);
            if (HttpMethods.IsPost(request.Method) && key.Length > 0)
            {
                _idempotent[key] = (status, body);
            }

            await WriteAsync(context, status, body);
        }
        finally
        {
            _lock.Release();
        }
    }

    private (int Status, string Body) Route(string method, string path, Dictionary<string, string> form, IQueryCollection query)
    {
        var segments = path.Trim('/').Split('/');
        return (method, segments) switch
        {
            ("POST", ["v1", "checkout", "sessions"]) => Created(CheckoutSession(form)),
            ("POST", ["v1", "accounts"]) => Created(Account(form)),
            ("GET", ["v1", "accounts", var id]) when _objects.ContainsKey(id) => (200, _objects[id].ToJsonString()),
            ("POST", ["v1", "account_links"]) when _objects.ContainsKey(form.GetValueOrDefault("account") ?? "") => (200, AccountLink(form).ToJsonString()),
            ("POST", ["v1", "transfers"]) => Transfer(form),
            ("GET", ["v1", "transfers"]) => (200, List(Transfers.Where(t => t["transfer_group"]?.GetValue<string>() == query["transfer_group"].ToString()))),
            ("POST", ["v1", "refunds"]) => Refund(form),
            _ => (404, Error("invalid_request_error", $"Unrecognized request URL ({method}: {path}).")),
        };
    }

    private JsonObject CheckoutSession(Dictionary<string, string> form)
    {
        var id = NewId("cs_test");
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = "checkout.session",
            ["mode"] = form.GetValueOrDefault("mode"),
            ["status"] = "open",
            ["payment_status"] = "unpaid",
            ["amount_total"] = long.Parse(form["line_items[0][price_data][unit_amount]"], CultureInfo.InvariantCulture)
                               * long.Parse(form.GetValueOrDefault("line_items[0][quantity]") ?? "1", CultureInfo.InvariantCulture),
            ["currency"] = form["line_items[0][price_data][currency]"],
            ["client_reference_id"] = form.GetValueOrDefault("client_reference_id"),
            ["metadata"] = Metadata(form),
            ["payment_intent"] = null,
            ["success_url"] = form.GetValueOrDefault("success_url"),
            ["cancel_url"] = form.GetValueOrDefault("cancel_url"),
            ["url"] = $"https://checkout.stripe.test/c/pay/{id}",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["livemode"] = false,
        };
    }

    private JsonObject Account(Dictionary<string, string> form) => new()
    {
        ["id"] = NewId("acct"),
        ["object"] = "account",
        ["type"] = form.GetValueOrDefault("type"),
        ["email"] = form.GetValueOrDefault("email"),
        ["payouts_enabled"] = false,
        ["charges_enabled"] = false,
        ["details_submitted"] = false,
        ["metadata"] = Metadata(form),
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
    };

    private static JsonObject AccountLink(Dictionary<string, string> form) => new()
    {
        ["object"] = "account_link",
        ["url"] = $"https://connect.stripe.test/setup/e/{form["account"]}",
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["expires_at"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
    };

    private (int, string) Transfer(Dictionary<string, string> form)
    {
        var destination = form.GetValueOrDefault("destination") ?? "";
        if (!_objects.TryGetValue(destination, out var account) || account["payouts_enabled"]?.GetValue<bool>() != true)
        {
            return (400, Error("invalid_request_error", $"No such destination or payouts are not enabled: '{destination}'."));
        }

        var transfer = new JsonObject
        {
            ["id"] = NewId("tr"),
            ["object"] = "transfer",
            ["amount"] = long.Parse(form["amount"], CultureInfo.InvariantCulture),
            ["amount_reversed"] = 0,
            ["currency"] = form["currency"],
            ["destination"] = destination,
            ["transfer_group"] = form.GetValueOrDefault("transfer_group"),
            ["description"] = form.GetValueOrDefault("description"),
            ["metadata"] = Metadata(form),
            ["reversed"] = false,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["livemode"] = false,
        };
        Transfers.Enqueue(transfer);
        return Created(transfer);
    }

    private (int, string) Refund(Dictionary<string, string> form)
    {
        var refund = new JsonObject
        {
            ["id"] = NewId("re"),
            ["object"] = "refund",
            ["amount"] = long.Parse(form["amount"], CultureInfo.InvariantCulture),
            ["payment_intent"] = form.GetValueOrDefault("payment_intent"),
            ["status"] = "succeeded",
            ["currency"] = "usd",
            ["metadata"] = Metadata(form),
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        Refunds.Enqueue(refund);
        return Created(refund);
    }

    private (int, string) Created(JsonObject created)
    {
        _objects[created["id"]!.GetValue<string>()] = created;
        return (200, created.ToJsonString());
    }

    private static string List(IEnumerable<JsonObject> items)
    {
        var data = new JsonArray(items.Select(i => (JsonNode)i.DeepClone()).ToArray());
        return new JsonObject { ["object"] = "list", ["url"] = "/v1/transfers", ["has_more"] = false, ["data"] = data }.ToJsonString();
    }

    private static JsonObject Metadata(Dictionary<string, string> form)
    {
        var metadata = new JsonObject();
        foreach (var (name, value) in form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal)))
        {
            metadata[name["metadata[".Length..^1]] = value;
        }

        return metadata;
    }

    private static string Error(string type, string message) =>
        new JsonObject { ["error"] = new JsonObject { ["type"] = type, ["message"] = message } }.ToJsonString();

    private static async Task WriteAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    private string NewId(string prefix) =>
        $"{prefix}_{Interlocked.Increment(ref _sequence):D6}{Guid.NewGuid():N}"[..(prefix.Length + 21)];
}
