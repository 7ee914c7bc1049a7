using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class LiveLeaseIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Assignments_WorkerId_BatchId_Live",
                table: "Assignments",
                columns: new[] { "WorkerId", "BatchId" },
                filter: "\"Status\" = 'Leased'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Assignments_WorkerId_BatchId_Live",
                table: "Assignments");
        }
    }
}
