using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.Sqlite.Migrations
{
    /// <summary>
    /// Nothing on this provider: the PostgreSQL migration of the same name creates the claim function its fast claim
    /// calls (claim_task_v1). The list of migrations stays the same on every provider.
    /// </summary>
    public partial class ClaimFunction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
