using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Domain;
using CrowdLabel.Web.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace CrowdLabel.Web.Pages.Account;

[EnableRateLimiting(WebServices.LoginRateLimit)]
public sealed class LoginModel(SignInManager<AppUser> signIn) : PageModel
{
    public sealed record LoginInput
    {
        public string Email { get; init; } = "";

        public string Password { get; init; } = "";

        public bool RememberMe { get; init; }
    }

    public sealed class LoginInputValidator : AbstractValidator<LoginInput>
    {
        public LoginInputValidator()
        {
            RuleFor(x => x.Email).NotEmpty().WithMessage("Enter your email address.");
            RuleFor(x => x.Password).NotEmpty().WithMessage("Enter your password.");
        }
    }

    private static readonly LoginInputValidator Validator = new();

    [BindProperty]
    public LoginInput Input { get; set; } = new();

    public string? ReturnUrl { get; private set; }

    public void OnGet(string? returnUrl) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? returnUrl)
    {
        ReturnUrl = returnUrl;
        var validation = Validator.Validate(Input);
        if (!validation.IsValid)
        {
            ModelState.AddErrors(Core.Result<bool>.Invalid(validation).Errors);
            return Page();
        }

        var result = await signIn.PasswordSignInAsync(Input.Email.Trim(), Input.Password, Input.RememberMe, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            ModelState.AddModelError("", $"This account is locked after too many wrong passwords. Try again in {IdentitySettings.LockoutDuration.TotalMinutes:0} minutes.");
            return Page();
        }

        if (!result.Succeeded)
        {
            ModelState.AddModelError("", "The email or password is wrong.");
            return Page();
        }

        return Url.IsLocalUrl(returnUrl) ? LocalRedirect(returnUrl) : Redirect("/");
    }
}
