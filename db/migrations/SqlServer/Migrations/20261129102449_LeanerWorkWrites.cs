using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class LeanerWorkWrites : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Assignments_Batches_BatchId",
                table: "Assignments");

            migrationBuilder.DropForeignKey(
                name: "FK_Items_Batches_BatchId",
                table: "Items");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_BatchId_SubmittedAt",
                table: "Assignments");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_Status_LeaseExpiresAt",
                table: "Assignments");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_Status_SubmittedAt",
                table: "Assignments");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_BatchId_SubmittedAt",
                table: "Assignments",
                columns: new[] { "BatchId", "SubmittedAt" },
                filter: "[SubmittedAt] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_Status_LeaseExpiresAt",
                table: "Assignments",
                columns: new[] { "Status", "LeaseExpiresAt" },
                filter: "[Status] = 'Leased'");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_Status_SubmittedAt",
                table: "Assignments",
                columns: new[] { "Status", "SubmittedAt" },
                filter: "[Status] = 'Submitted'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Assignments_BatchId_SubmittedAt",
                table: "Assignments");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_Status_LeaseExpiresAt",
                table: "Assignments");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_Status_SubmittedAt",
                table: "Assignments");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_BatchId_SubmittedAt",
                table: "Assignments",
                columns: new[] { "BatchId", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_Status_LeaseExpiresAt",
                table: "Assignments",
                columns: new[] { "Status", "LeaseExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_Status_SubmittedAt",
                table: "Assignments",
                columns: new[] { "Status", "SubmittedAt" });

            migrationBuilder.AddForeignKey(
                name: "FK_Assignments_Batches_BatchId",
                table: "Assignments",
                column: "BatchId",
                principalTable: "Batches",
                principalColumn: "Id");

            migrationBuilder.AddForeignKey(
                name: "FK_Items_Batches_BatchId",
                table: "Items",
                column: "BatchId",
                principalTable: "Batches",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
