using Ganss.Xss;
using Markdig;
using Microsoft.AspNetCore.Html;

namespace CrowdLabel.Web.Infrastructure;

/// <summary>Renders requester-written Markdown (instructions) as HTML that is safe to show to workers.</summary>
public static class Markdown
{
    // Raw HTML in the Markdown is shown as text, and the sanitizer removes what is left of scripts, event
    // handlers and javascript: links.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().DisableHtml().Build();

    private static readonly HtmlSanitizer Sanitizer = new();

    public static IHtmlContent Render(string markdown) =>
        new HtmlString(Sanitizer.Sanitize(Markdig.Markdown.ToHtml(markdown, Pipeline)));
}
