using System.Threading.RateLimiting;
using CrowdLabel.Core;
using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Batches.Import;
using CrowdLabel.Core.Jobs;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Payments;
using CrowdLabel.Core.Quality;
using CrowdLabel.Core.Work;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Data.Seeding;
using CrowdLabel.Web.Apis;
using Microsoft.AspNetCore.Identity;

namespace CrowdLabel.Web.Infrastructure;

/// <summary>The site's composition root: one call per concern.</summary>
public static class WebServices
{
    public const string LoginRateLimit = "login";

    /// <summary>The rate limit of the worker API (<see cref="WorkRateLimitOptions"/>), per worker.</summary>
    public const string WorkApiRateLimit = "work-api";

    public static WebApplicationBuilder AddCrowdLabelWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var dataFolder = builder.Configuration["DataFolder"] ?? Path.Combine(builder.Environment.ContentRootPath, "App_Data");
        var database = DatabaseOptions.FromConfiguration(builder.Configuration, dataFolder);
        services.AddCrowdLabelCore();
        services.Configure<ImportOptions>(builder.Configuration.GetSection("Import"));
        services.AddCrowdLabelLedger(builder.Configuration);
        services.AddCrowdLabelWork();
        services.AddCrowdLabelPayments(builder.Configuration);
        services.AddCrowdLabelQuality(builder.Configuration);
        services.AddCrowdLabelJobs(builder.Configuration, quartz => quartz.UseCrowdLabelJobStore(database));
        services.AddCrowdLabelData(database);
        services.ProtectKeysWithConfiguredCertificate(builder.Configuration);
        services.AddScoped<DemoSeed>();
        services.AddCrowdLabelIdentity();
        services.AddCrowdLabelPages();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = problem =>
        {
            if (problem.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && problem.ProblemDetails.Detail is null)
            {
                problem.ProblemDetails.Detail = BadRequestProblemMiddleware.UnsupportedMediaType(problem.HttpContext.Request);
            }
        });
        // A body the JSON API cannot bind throws, so that BadRequestProblemMiddleware can say what was wrong with it.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi("v1");
        services.AddHealthChecks().AddDbContextCheck<CrowdLabelDbContext>("database");
        services.AddOptions<WorkRateLimitOptions>().Bind(builder.Configuration.GetSection(WorkRateLimitOptions.Section))
            .Validate(o => o.RequestsPerSecond >= 0 && o.Burst >= 0,
                $"{WorkRateLimitOptions.Section}:{nameof(WorkRateLimitOptions.RequestsPerSecond)} and :{nameof(WorkRateLimitOptions.Burst)} must be 0 or more (0 requests a second: no limit).")
            .ValidateOnStart();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(LoginRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) }));
            options.AddPolicy(WorkApiRateLimit, WorkRateLimitOptions.Partition);
            options.OnRejected = WorkRateLimitOptions.RefuseAsync;
        });
        return builder;
    }

    private static void AddCrowdLabelIdentity(this IServiceCollection services)
    {
        services.AddIdentity<AppUser, AppRole>(IdentitySettings.Apply)
            .AddEntityFrameworkStores<CrowdLabelDbContext>()
            .AddDefaultTokenProviders();
        services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/account/login";
            options.LogoutPath = "/account/logout";
            options.AccessDeniedPath = "/account/access-denied";
            options.Cookie.Name = "crowdlabel";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            // API calls answer 401/403 instead of redirecting to the sign-in page.
            options.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden);
        });
        services.AddAuthentication().AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, _ => { });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Worker, p => p.RequireRole(Roles.Worker))
            .AddPolicy(Policies.TenantApi, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireClaim(ApiKeyAuthenticationHandler.TenantClaim))
            .AddPolicy(Policies.WorkerApi, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireClaim(ApiKeyAuthenticationHandler.WorkerTokenClaim).RequireRole(Roles.Worker));
    }

    private static Task ApiAwareRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static void AddCrowdLabelPages(this IServiceCollection services)
    {
        // Validation is FluentValidation's, called by the services: no implicit [Required] from nullable annotations.
        services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(options => options.SuppressImplicitRequiredAttributeForNonNullableReferenceTypes = true);
        services.AddRazorPages(options =>
        {
            // Tenant pages live under /t/{slug}/...: Pages/Requester/X is served at /t/{slug}/X.
            options.Conventions.AddFolderRouteModelConvention("/Requester", TenantRoutes.Prefix("Requester", "t/{slug}"));
            options.Conventions.AddFolderRouteModelConvention("/Review", TenantRoutes.Prefix("Review", "t/{slug}/review"));
            options.Conventions.AuthorizeFolder("/Requester");
            options.Conventions.AddFolderApplicationModelConvention("/Requester", model => model.Filters.Add(new TenantManagerFilter()));
            options.Conventions.AuthorizeFolder("/Review");
            options.Conventions.AuthorizeFolder("/Invitations");
            options.Conventions.AuthorizeFolder("/Work", Policies.Worker);
            options.Conventions.AuthorizeFolder("/Admin", Policies.Admin);
        });
        services.Configure<RouteOptions>(o => o.LowercaseUrls = true);
    }

    public static WebApplication UseCrowdLabelWeb(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error");
        }

        app.UseMiddleware<RequestLoggingMiddleware>();
        // Pages show a friendly status page; the API answers bare statuses as RFC 7807 problem details.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages().UseMiddleware<BadRequestProblemMiddleware>());
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), pages => pages.UseStatusCodePagesWithReExecute("/status/{0}"));
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        // After authorization, which signs the worker API's token in: that API's limit is per worker, not per address.
        app.UseRateLimiter();
        app.UseMiddleware<TenantResolutionMiddleware>();
        app.MapHealthChecks("/health");
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapRazorPages();
        app.MapProjectsApi();
        app.MapBatchesApi();
        app.MapBatchLifecycleApi();
        app.MapWorkApi();
        app.MapStripeWebhookApi();
        app.MapQualityApi();
        return app;
    }
}

/// <summary>Authorization policy names.</summary>
public static class Policies
{
    public const string Admin = "Admin";
    public const string Worker = "Worker";
    public const string TenantApi = "TenantApi";
    public const string WorkerApi = "WorkerApi";
}
