using CrowdLabel.Core.Tenancy;
using CrowdLabel.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CrowdLabel.Migrations.SqlServer;

/// <summary>Lets dotnet-ef build the shared model against SqlServer; no server is contacted to add a migration.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CrowdLabelDbContext>
{
    public CrowdLabelDbContext CreateDbContext(string[] args)
    {
        var options = new DatabaseOptions(DatabaseProvider.SqlServer, "Server=localhost;Database=crowdlabel_design;Trusted_Connection=True;TrustServerCertificate=True", MigrateOnStart: false);
        var builder = new DbContextOptionsBuilder<CrowdLabelDbContext>();
        DataServices.Configure(builder, options);
        return new CrowdLabelDbContext(builder.Options, new TenantContext());
    }
}
