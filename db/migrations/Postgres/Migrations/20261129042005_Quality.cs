using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.Postgres.Migrations
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
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Posterior",
                table: "Items",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "QaSample",
                table: "Items",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "ReviewRequestedAt",
                table: "Items",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ConsensusRequested",
                table: "Batches",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "ConsensusRunAt",
                table: "Batches",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ConsensusWatermark",
                table: "Batches",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "QaSampledAt",
                table: "Batches",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ReviewDecisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    BatchId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    ReviewerId = table.Column<Guid>(type: "uuid", nullable: false),
                    DecidedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    PreviousLabel = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    PreviousStatus = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Label = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    WasQaSample = table.Column<bool>(type: "boolean", nullable: false)
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
