using CrowdLabel.Data;
using CrowdLabel.Web.Infrastructure;
using Microsoft.Extensions.Options;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddCrowdLabelWeb();

    var app = builder.Build();
    // Settings with a rule (Quality, RateLimits, ...) are checked now, before the database is touched, not when the host starts.
    app.Services.GetService<IStartupValidator>()?.Validate();
    app.UseCrowdLabelWeb();

    if (args.Contains("migrate", StringComparer.OrdinalIgnoreCase))
    {
        await app.MigrateDatabaseAsync();
        return 0;
    }

    await app.PrepareDatabaseAsync();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is DatabaseConfigurationException or SettingException)
{
    await Console.Error.WriteLineAsync($"CrowdLabel cannot start: {e.Message}");
    return 2;
}
catch (Exception e) when (e is OptionsValidationException ||
                           e is AggregateException { InnerExceptions: var inner } && inner.All(i => i is OptionsValidationException))
{
    // One setting out of its rules, or several (then all of them, so one start shows everything to fix).
    var failures = (e is AggregateException all ? all.InnerExceptions : [e]).Cast<OptionsValidationException>().SelectMany(f => f.Failures);
    await Console.Error.WriteLineAsync($"CrowdLabel cannot start: {string.Join(" ", failures)}");
    return 2;
}

/// <summary>The site's entry point; public so tests can boot it with WebApplicationFactory.</summary>
public partial class Program;
