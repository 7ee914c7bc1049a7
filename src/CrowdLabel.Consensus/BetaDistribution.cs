// The Beta distribution's CDF (the regularized incomplete beta function I_x(a, b)) and its inverse, for credible bounds.
// I_x(a, b) is evaluated by its continued fraction with the modified Lentz method, and the log-gamma function by the
// Lanczos approximation, as in Press, Teukolsky, Vetterling and Flannery, "Numerical Recipes", 3rd ed. (2007),
// sections 6.1 and 6.4. The quantile is found by bisection, which cannot fail on a monotone function.

namespace CrowdLabel.Consensus;

/// <summary>The Beta(a, b) distribution: cumulative probability (regularized incomplete beta function) and quantiles.</summary>
public static class BetaDistribution
{
    private const int MaxFractionTerms = 10_000;
    private const double FractionEpsilon = 1e-16;
    private const double Tiny = 1e-300;

    private static readonly double[] LanczosCoefficients =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>P(X &lt;= x) for X ~ Beta(a, b): the regularized incomplete beta function I_x(a, b).</summary>
    /// <exception cref="ArgumentOutOfRangeException">a or b is not positive and finite.</exception>
    public static double Cdf(double x, double a, double b)
    {
        CheckShape(a, b);
        if (double.IsNaN(x))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "x must be a number.");
        }

        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + (a * Math.Log(x)) + (b * Math.Log(1 - x)));
        return x < (a + 1) / (a + b + 2)
            ? front * ContinuedFraction(x, a, b) / a
            : 1 - (front * ContinuedFraction(1 - x, b, a) / b);
    }

    /// <summary>The p-quantile of Beta(a, b): the x with I_x(a, b) = p.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1], or a or b is not positive and finite.</exception>
    public static double Quantile(double p, double a, double b)
    {
        CheckShape(a, b);
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "p must be between 0 and 1.");
        }

        if (p == 0)
        {
            return 0;
        }

        if (p == 1)
        {
            return 1;
        }

        double low = 0, high = 1;
        while (true)
        {
            var middle = low + ((high - low) / 2);
            if (middle <= low || middle >= high)
            {
                return middle;
            }

            if (Cdf(middle, a, b) < p)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }
    }

    /// <summary>log Gamma(x) for x &gt; 0 (Lanczos, g = 7, about 15 significant digits).</summary>
    internal static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = LanczosCoefficients[0];
        for (var i = 1; i < LanczosCoefficients.Length; i++)
        {
            sum += LanczosCoefficients[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }

    /// <summary>The continued fraction of I_x(a, b), converging fast for x &lt; (a + 1) / (a + b + 2) (modified Lentz).</summary>
    private static double ContinuedFraction(double x, double a, double b)
    {
        var c = 1.0;
        var d = Guard(1 - ((a + b) * x / (a + 1)));
        d = 1 / d;
        var fraction = d;
        for (var m = 1; m <= MaxFractionTerms; m++)
        {
            var even = m * (b - m) * x / ((a - 1 + (2 * m)) * (a + (2 * m)));
            d = 1 / Guard(1 + (even * d));
            c = Guard(1 + (even / c));
            fraction *= d * c;

            var odd = -(a + m) * (a + b + m) * x / ((a + (2 * m)) * (a + 1 + (2 * m)));
            d = 1 / Guard(1 + (odd * d));
            c = Guard(1 + (odd / c));
            var step = d * c;
            fraction *= step;
            if (Math.Abs(step - 1) < FractionEpsilon)
            {
                break;
            }
        }

        return fraction;
    }

    private static double Guard(double value) => Math.Abs(value) < Tiny ? Tiny : value;

    private static void CheckShape(double a, double b)
    {
        if (!(a > 0) || double.IsInfinity(a))
        {
            throw new ArgumentOutOfRangeException(nameof(a), a, "a must be positive and finite.");
        }

        if (!(b > 0) || double.IsInfinity(b))
        {
            throw new ArgumentOutOfRangeException(nameof(b), b, "b must be positive and finite.");
        }
    }
}
