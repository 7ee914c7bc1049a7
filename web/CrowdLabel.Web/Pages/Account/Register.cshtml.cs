using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Domain;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Account;

public sealed class RegisterModel(AccountService accounts, SignInManager<AppUser> signIn) : PageModel
{
    [BindProperty]
    public RegisterInput Input { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken cancellationToken)
    {
        // Model binding problems (a kind that is not a choice, say) are reported by the validator below.
        ModelState.Clear();
        var result = await accounts.RegisterAsync(Input, cancellationToken);
        if (!result.Succeeded)
        {
            ModelState.AddErrors(result.Errors);
            return Page();
        }

        var registration = result.Value!;
        await signIn.SignInAsync(registration.User, isPersistent: false);
        if (Url.IsLocalUrl(returnUrl))
        {
            return LocalRedirect(returnUrl);
        }

        return registration.Tenant is { } tenant ? Redirect($"/t/{tenant.Slug}") : Redirect("/work");
    }
}
