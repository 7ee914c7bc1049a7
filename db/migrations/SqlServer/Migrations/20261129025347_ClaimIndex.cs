using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ClaimIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Items_BatchId_Status_AnswerCount",
                table: "Items");

            migrationBuilder.CreateIndex(
                name: "IX_Items_Claim",
                table: "Items",
                columns: new[] { "BatchId", "Status", "AnswerCount", "Confidence", "RowNumber" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Items_Claim",
                table: "Items");

            migrationBuilder.CreateIndex(
                name: "IX_Items_BatchId_Status_AnswerCount",
                table: "Items",
                columns: new[] { "BatchId", "Status", "AnswerCount" });
        }
    }
}
