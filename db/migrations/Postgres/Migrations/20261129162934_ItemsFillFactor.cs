using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ItemsFillFactor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "Items")
                .Annotation("Npgsql:StorageParameter:autovacuum_vacuum_scale_factor", 0.01)
                .Annotation("Npgsql:StorageParameter:autovacuum_vacuum_threshold", 1000)
                .Annotation("Npgsql:StorageParameter:fillfactor", 85)
                .OldAnnotation("Npgsql:StorageParameter:autovacuum_vacuum_scale_factor", 0.01)
                .OldAnnotation("Npgsql:StorageParameter:autovacuum_vacuum_threshold", 1000);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "Items")
                .Annotation("Npgsql:StorageParameter:autovacuum_vacuum_scale_factor", 0.01)
                .Annotation("Npgsql:StorageParameter:autovacuum_vacuum_threshold", 1000)
                .OldAnnotation("Npgsql:StorageParameter:autovacuum_vacuum_scale_factor", 0.01)
                .OldAnnotation("Npgsql:StorageParameter:autovacuum_vacuum_threshold", 1000)
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 85);
        }
    }
}
