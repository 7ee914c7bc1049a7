using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.Sqlite.Migrations
{
    /// <summary>
    /// Nothing on this provider: the PostgreSQL migration of the same name drops the claim function that ClaimFunction
    /// created there. The list of migrations stays the same on every provider.
    /// </summary>
    public partial class DropClaimFunction : Migration
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
