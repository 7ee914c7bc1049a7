using CrowdLabel.Data;
using CrowdLabel.Web.Infrastructure;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddCrowdLabelWeb();

    var app = builder.Build();
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
catch (DatabaseConfigurationException e)
{
    await Console.Error.WriteLineAsync($"CrowdLabel cannot start: {e.Message}");
    return 2;
}

/// <summary>The site's entry point; public so tests can boot it with WebApplicationFactory.</summary>
public partial class Program;
