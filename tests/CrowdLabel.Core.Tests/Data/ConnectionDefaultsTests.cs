using CrowdLabel.Data;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CrowdLabel.Core.Tests.Data;

/// <summary>The Npgsql settings the site adds to a PostgreSQL connection string, and that any value given wins.</summary>
public sealed class ConnectionDefaultsTests
{
    [Fact]
    public async Task APlainConnectionString_GetsASmallPool_PreparedStatements_AndNoReset()
    {
        var settings = await SettingsOfAsync("Host=127.0.0.1;Database=crowdlabel");

        Assert.Equal((16, 64, true), (settings.MaxPoolSize, settings.MaxAutoPrepare, settings.NoResetOnClose));
        Assert.Equal("-c plan_cache_mode=force_generic_plan", settings.Options);
    }

    [Fact]
    public async Task SettingsGivenInTheConnectionString_AreKept()
    {
        var settings = await SettingsOfAsync("Host=127.0.0.1;Database=crowdlabel;Maximum Pool Size=40;Max Auto Prepare=0;No Reset On Close=false");

        Assert.Equal((40, 0, false), (settings.MaxPoolSize, settings.MaxAutoPrepare, settings.NoResetOnClose));
    }

    private static async Task<NpgsqlConnectionStringBuilder> SettingsOfAsync(string connectionString)
    {
        await using var services = new ServiceCollection().AddLogging()
            .AddCrowdLabelData(new DatabaseOptions(DatabaseProvider.Postgres, connectionString, MigrateOnStart: false))
            .BuildServiceProvider();
        return new NpgsqlConnectionStringBuilder(services.GetRequiredService<NpgsqlDataSource>().ConnectionString);
    }
}
