using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Quality : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "ConsensusAccuracy",
                table: "ProjectWorkers",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Posterior",
                table: "Items",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "QaSample",
                table: "Items",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "ReviewRequestedAt",
                table: "Items",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ConsensusRequested",
                table: "Batches",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "ConsensusRunAt",
                table: "Batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ConsensusWatermark",
                table: "Batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "QaSampledAt",
                table: "Batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ReviewDecisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    BatchId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReviewerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DecidedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    PreviousLabel = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    PreviousStatus = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Label = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    WasQaSample = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReviewDecisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReviewDecisions_AspNetUsers_ReviewerId",
                        column: x => x.ReviewerId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ReviewDecisions_Batches_BatchId",
                        column: x => x.BatchId,
                        principalTable: "Batches",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_ReviewDecisions_Items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "Items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Items_TenantId_ReviewRequestedAt",
                table: "Items",
                columns: new[] { "TenantId", "ReviewRequestedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_BatchId_SubmittedAt",
                table: "Assignments",
                columns: new[] { "BatchId", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_Status_SubmittedAt",
                table: "Assignments",
                columns: new[] { "Status", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ReviewDecisions_BatchId",
                table: "ReviewDecisions",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_ReviewDecisions_ItemId",
                table: "ReviewDecisions",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_ReviewDecisions_ReviewerId",
                table: "ReviewDecisions",
                column: "ReviewerId");

            migrationBuilder.CreateIndex(
                name: "IX_ReviewDecisions_TenantId_BatchId_ItemId",
                table: "ReviewDecisions",
                columns: new[] { "TenantId", "BatchId", "ItemId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReviewDecisions");

            migrationBuilder.DropIndex(
                name: "IX_Items_TenantId_ReviewRequestedAt",
                table: "Items");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_BatchId_SubmittedAt",
                table: "Assignments");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_Status_SubmittedAt",
                table: "Assignments");

            migrationBuilder.DropColumn(
                name: "ConsensusAccuracy",
                table: "ProjectWorkers");

            migrationBuilder.DropColumn(
                name: "Posterior",
                table: "Items");

            migrationBuilder.DropColumn(
                name: "QaSample",
                table: "Items");

            migrationBuilder.DropColumn(
                name: "ReviewRequestedAt",
                table: "Items");

            migrationBuilder.DropColumn(
                name: "ConsensusRequested",
                table: "Batches");

            migrationBuilder.DropColumn(
                name: "ConsensusRunAt",
                table: "Batches");

            migrationBuilder.DropColumn(
                name: "ConsensusWatermark",
                table: "Batches");

            migrationBuilder.DropColumn(
                name: "QaSampledAt",
                table: "Batches");
        }
    }
}
