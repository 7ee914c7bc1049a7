using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdLabel.Migrations.Postgres.Migrations
{
    /// <summary>
    /// Drops claim_task_v1 (migration ClaimFunction): alternated with the claim statement it replaced over four pairs of
    /// benchmark runs it did not win (docs/benchmarks.md, the twenty-first session), and it was a second copy of the
    /// claim rules. The site's fast claim is again the lock statement and the claim statement of PostgresFastPath.
    /// </summary>
    public partial class DropClaimFunction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION claim_task_v1(uuid, uuid, timestamptz, uuid);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ClaimFunction.CreateFunction);
        }
    }
}
