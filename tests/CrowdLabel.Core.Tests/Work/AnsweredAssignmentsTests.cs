using CrowdLabel.Core.Domain;

namespace CrowdLabel.Core.Tests.Work;

public sealed class AnsweredAssignmentsTests
{
    /// <summary>The code's test, the EF Core filter and the SQL list name the same statuses, and only those that hold an answer.</summary>
    [Fact]
    public void EveryFormOfTheDefinition_NamesTheSameStatuses()
    {
        var filter = AnsweredAssignments.Filter.Compile();
        var inSql = AnsweredAssignments.SqlList.Split(',').Select(s => Enum.Parse<AssignmentStatus>(s.Trim().Trim('\''))).ToHashSet();

        var answered = Enum.GetValues<AssignmentStatus>().Where(AnsweredAssignments.Is).ToHashSet();

        Assert.Equal([AssignmentStatus.Submitted, AssignmentStatus.Approved, AssignmentStatus.Rejected], answered.Order());
        Assert.All(Enum.GetValues<AssignmentStatus>(), status =>
            Assert.Equal((answered.Contains(status), answered.Contains(status)), (filter(new Assignment { Status = status }), inSql.Contains(status))));
    }
}
