using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CrowdLabel.Browser.Tests.Support;

/// <summary>Signing in through the sign-in page, as a person does with the mouse.</summary>
public static class SignIn
{
    /// <summary>Fills and sends the sign-in form and waits until the site has moved on from it.</summary>
    public static async Task SignInAsync(this IPage page, string email, string password)
    {
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page).Not.ToHaveURLAsync(new Regex("/account/login"));
    }
}
