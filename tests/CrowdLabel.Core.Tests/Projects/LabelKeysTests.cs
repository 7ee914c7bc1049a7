using CrowdLabel.Core.Projects;

namespace CrowdLabel.Core.Tests.Projects;

public sealed class LabelKeysTests
{
    private static readonly ProjectInputValidator Validator = new();

    private static ProjectInput Labelled(params (string Name, string? Key)[] labels) => new()
    {
        Name = "Sentiment", PricePerAssignmentMinor = 5, Labels = labels.Select(l => new LabelInput { Name = l.Name, Key = l.Key }).ToList(),
    };

    [Fact]
    public void Assign_GivesUnkeyedLabelsOnlyTheDigitsNoConfiguredKeyTakes()
    {
        // Label 5 is configured as "2": label 2 gets the next free digit, not a second "2".
        Assert.Equal(["1", "3", "p", "4", "2"], LabelKeys.Assign([null, null, "p", null, "2"]));
        Assert.Equal(["a", "b"], LabelKeys.Assign(["a", "b"]));
        // A project saved with the Skip key before the rules refused it: that label gets a free digit instead.
        Assert.Equal(["1", "2"], LabelKeys.Assign(["0", null]));
    }

    [Fact]
    public void Assign_LeavesLabelsPastTheFreeDigitsWithoutAKey()
    {
        var keys = LabelKeys.Assign([.. Enumerable.Repeat<string?>(null, 10), "9"]);

        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8", null, null, "9"], keys);
    }

    [Fact]
    public void Validator_RefusesAKeyTheWorkbenchUses_NamingTheLabelAndTheKey()
    {
        var refused = Validator.Validate(Labelled(("yes", null), ("no", "0")));
        var taken = Validator.Validate(Labelled(("yes", null), ("no", null), ("unsure", "1")));

        Assert.Equal(["The label \"no\" cannot have the key 0: on the workbench 0 skips the task. Choose another key."],
            refused.Errors.Select(e => e.ErrorMessage));
        Assert.True(taken.IsValid, string.Join("; ", taken.Errors));
    }
}
