using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CrowdLabel.Migrations.Postgres.Migrations
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
                columns: new[] { "BatchId", "Status", "AnswerCount", "Confidence", "RowNumber" })
                .Annotation("Npgsql:IndexNullSortOrder", new[] { NullSortOrder.NullsLast, NullSortOrder.NullsLast, NullSortOrder.NullsLast, NullSortOrder.NullsFirst, NullSortOrder.NullsLast });
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
