using CrowdLabel.Data;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.SqlServer.Migrations
{
    /// <summary>Quartz's clustered job store, so several nodes share one schedule (see <see cref="QuartzSchema"/>).</summary>
    public partial class QuartzJobStore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in QuartzSchema.CreateStatements(DatabaseProvider.SqlServer))
            {
                migrationBuilder.Sql(statement);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in QuartzSchema.DropStatements(DatabaseProvider.SqlServer))
            {
                migrationBuilder.Sql(statement);
            }
        }
    }
}
