using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class PartialItemIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Items_TenantId_ReviewRequestedAt",
                table: "Items");

            migrationBuilder.CreateIndex(
                name: "IX_Items_TenantId_ReviewRequestedAt",
                table: "Items",
                columns: new[] { "TenantId", "ReviewRequestedAt" },
                filter: "[ReviewRequestedAt] IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Items_TenantId_ReviewRequestedAt",
                table: "Items");

            migrationBuilder.CreateIndex(
                name: "IX_Items_TenantId_ReviewRequestedAt",
                table: "Items",
                columns: new[] { "TenantId", "ReviewRequestedAt" });
        }
    }
}
