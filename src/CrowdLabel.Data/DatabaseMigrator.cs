using CrowdLabel.Core.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Data;

/// <summary>Brings the schema up to date and makes sure the platform roles exist.</summary>
public sealed class DatabaseMigrator(CrowdLabelDbContext db, RoleManager<AppRole> roles, DatabaseOptions options)
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await db.Database.MigrateAsync(cancellationToken);
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            // WAL lets readers work while a writer commits; it is a property of the file, so set once here.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new AppRole(role) { Id = Guid.CreateVersion7() });
            }
        }
    }
}
