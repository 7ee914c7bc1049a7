using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.Sqlite.Migrations
{
    /// <summary>Nothing on SQLite: its one node keeps the schedule in memory (the other providers create Quartz's tables).</summary>
    public partial class QuartzJobStore : Migration
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
