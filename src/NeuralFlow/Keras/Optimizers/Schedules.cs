using System.Globalization;

namespace NeuralFlow.Keras;

// Keras 3's learning-rate schedules (keras/src/optimizers/schedules/learning_rate_schedule.py),
// evaluated in double at the optimizer's step (counting from 0, as Keras' iterations).

/// <summary>
/// <c>keras.optimizers.schedules.PiecewiseConstantDecay</c>: values[0] up to and including
/// boundaries[0], values[i] for boundaries[i-1] &lt; step &lt;= boundaries[i], the last value after.
/// </summary>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    /// <summary>A schedule with <paramref name="values"/>.Count == <paramref name="boundaries"/>.Count + 1.</summary>
    public PiecewiseConstantDecay(IReadOnlyList<long> boundaries, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != boundaries.Count + 1)
            throw new ArgumentException($"PiecewiseConstantDecay: values must have one more element than boundaries; got {boundaries.Count} boundaries and {values.Count} values.", nameof(values));
        for (int i = 1; i < boundaries.Count; i++)
            if (boundaries[i] < boundaries[i - 1])
                throw new ArgumentException($"PiecewiseConstantDecay: boundaries must be in increasing order; boundaries[{i}] = {boundaries[i]} is below {boundaries[i - 1]}.", nameof(boundaries));
        Boundaries = [.. boundaries];
        Values = [.. values];
    }

    /// <summary>The steps where the rate changes.</summary>
    public IReadOnlyList<long> Boundaries { get; }
    /// <summary>The rate in each interval.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <inheritdoc/>
    public override double At(long step) => At((double)step);

    /// <inheritdoc/>
    public override double At(double step)
    {
        for (int i = 0; i < Boundaries.Count; i++)
            if (step <= Boundaries[i]) return Values[i];
        return Values[^1];
    }

    /// <inheritdoc/>
    public override string ToString() => $"PiecewiseConstantDecay([{string.Join(", ", Boundaries)}], [{string.Join(", ", Values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}])";
}

/// <summary>
/// <c>keras.optimizers.schedules.InverseTimeDecay</c>: initial / (1 + decayRate * step / decaySteps),
/// the division floored when <see cref="Staircase"/>.
/// </summary>
public sealed class InverseTimeDecay(double initialLearningRate, long decaySteps, double decayRate, bool staircase = false) : LearningRateSchedule
{
    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; } = initialLearningRate;
    /// <summary>Steps per unit of decay.</summary>
    public long DecaySteps { get; } = decaySteps > 0 ? decaySteps : throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "InverseTimeDecay: decaySteps must be positive.");
    /// <summary>The decay per <see cref="DecaySteps"/>.</summary>
    public double DecayRate { get; } = decayRate;
    /// <summary>Whether step / decaySteps is floored.</summary>
    public bool Staircase { get; } = staircase;

    /// <inheritdoc/>
    public override double At(long step) => At((double)step);

    /// <inheritdoc/>
    public override double At(double step)
    {
        double p = (double)step / DecaySteps;
        if (Staircase) p = Math.Floor(p);
        return InitialLearningRate / (1 + DecayRate * p);
    }

    /// <inheritdoc/>
    public override string ToString() => $"InverseTimeDecay({InitialLearningRate}, {DecaySteps}, {DecayRate}{(Staircase ? ", staircase" : "")})";
}

/// <summary>
/// <c>keras.optimizers.schedules.PolynomialDecay</c>: (initial - end) * (1 - step / decaySteps)^power + end,
/// the step held at decaySteps; with <see cref="Cycle"/>, decaySteps is instead multiplied by
/// ceil(step / decaySteps) (1 at step 0) so that the decay restarts.
/// </summary>
public sealed class PolynomialDecay(double initialLearningRate, long decaySteps, double endLearningRate = 0.0001, double power = 1.0, bool cycle = false)
    : LearningRateSchedule
{
    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; } = initialLearningRate;
    /// <summary>Steps to reach <see cref="EndLearningRate"/>.</summary>
    public long DecaySteps { get; } = decaySteps > 0 ? decaySteps : throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "PolynomialDecay: decaySteps must be positive.");
    /// <summary>The rate after <see cref="DecaySteps"/>.</summary>
    public double EndLearningRate { get; } = endLearningRate;
    /// <summary>The polynomial's power.</summary>
    public double Power { get; } = power;
    /// <summary>Whether the decay restarts after <see cref="DecaySteps"/>.</summary>
    public bool Cycle { get; } = cycle;

    /// <inheritdoc/>
    public override double At(long step) => At((double)step);

    /// <inheritdoc/>
    public override double At(double step)
    {
        double s = step, steps = DecaySteps;
        if (Cycle) steps *= step == 0 ? 1.0 : Math.Ceiling(s / DecaySteps);
        else s = Math.Min(s, steps);
        return (InitialLearningRate - EndLearningRate) * Math.Pow(1 - s / steps, Power) + EndLearningRate;
    }

    /// <inheritdoc/>
    public override string ToString() => $"PolynomialDecay({InitialLearningRate}, {DecaySteps}, {EndLearningRate}, power {Power}{(Cycle ? ", cycle" : "")})";
}

/// <summary>
/// <c>keras.optimizers.schedules.CosineDecay</c> (Keras 3, with linear warmup): without a
/// <see cref="WarmupTarget"/>, initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decaySteps) / decaySteps)) + alpha).
/// With one, the rate rises linearly from initial to the target over <see cref="WarmupSteps"/>,
/// then decays from the target as above over the next <see cref="DecaySteps"/>.
/// </summary>
public sealed class CosineDecay(double initialLearningRate, long decaySteps, double alpha = 0.0, double? warmupTarget = null, long warmupSteps = 0)
    : LearningRateSchedule
{
    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; } = initialLearningRate;
    /// <summary>Steps of the cosine decay.</summary>
    public long DecaySteps { get; } = decaySteps > 0 ? decaySteps : throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "CosineDecay: decaySteps must be positive.");
    /// <summary>The final rate as a fraction of the decay's starting rate.</summary>
    public double Alpha { get; } = alpha;
    /// <summary>The rate warmup reaches, or null for no warmup.</summary>
    public double? WarmupTarget { get; } = warmupTarget;
    /// <summary>Steps of the linear warmup.</summary>
    public long WarmupSteps { get; } = warmupSteps >= 0 ? warmupSteps : throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "CosineDecay: warmupSteps must be at least 0.");

    /// <inheritdoc/>
    public override double At(long step) => At((double)step);

    /// <inheritdoc/>
    public override double At(double step)
    {
        if (WarmupTarget is not { } target)
            return Decayed(Math.Min(step, DecaySteps), InitialLearningRate);
        double s = Math.Min(step, DecaySteps + WarmupSteps);
        return s < WarmupSteps
            ? (target - InitialLearningRate) * (s / WarmupSteps) + InitialLearningRate
            : Decayed(s - WarmupSteps, target);
    }

    private double Decayed(double step, double from)
    {
        double cosine = 0.5 * (1.0 + Math.Cos(Math.PI * (step / DecaySteps)));
        return from * ((1 - Alpha) * cosine + Alpha);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"CosineDecay({InitialLearningRate}, {DecaySteps}, alpha {Alpha}{(WarmupTarget is { } t ? $", warmup to {t} over {WarmupSteps}" : "")})";
}

/// <summary>
/// <c>keras.optimizers.schedules.CosineDecayRestarts</c> (SGDR, Loshchilov and Hutter 2016):
/// cosine decay over <see cref="FirstDecaySteps"/>, then restarts whose periods grow by
/// <see cref="TMul"/> and whose starting rates shrink by <see cref="MMul"/>. With f = step /
/// firstDecaySteps, restart i = floor(f) for tMul 1, else floor(log(1 - f (1 - tMul)) / log(tMul))
/// with f becoming (f - (1 - tMul^i) / (1 - tMul)) / tMul^i; the rate is
/// initial * ((1 - alpha) * 0.5 * mMul^i * (1 + cos(pi f)) + alpha).
/// </summary>
public sealed class CosineDecayRestarts : LearningRateSchedule
{
    /// <summary>
    /// A schedule; firstDecaySteps must be positive (as Keras). tMul must be at least 1: below 1
    /// the periods shrink and sum to a finite number of steps, after which Keras' formula is NaN.
    /// </summary>
    public CosineDecayRestarts(double initialLearningRate, long firstDecaySteps, double tMul = 2.0, double mMul = 1.0, double alpha = 0.0)
    {
        InitialLearningRate = double.IsFinite(initialLearningRate) ? initialLearningRate
            : throw new ArgumentOutOfRangeException(nameof(initialLearningRate), initialLearningRate, "CosineDecayRestarts: initialLearningRate must be finite.");
        FirstDecaySteps = firstDecaySteps > 0 ? firstDecaySteps
            : throw new ArgumentOutOfRangeException(nameof(firstDecaySteps), firstDecaySteps, "CosineDecayRestarts: firstDecaySteps must be > 0.");
        TMul = tMul is >= 1 and < double.PositiveInfinity ? tMul
            : throw new ArgumentOutOfRangeException(nameof(tMul), tMul, "CosineDecayRestarts: tMul must be a finite number of at least 1 (below 1 the periods end and the rate becomes NaN).");
        MMul = mMul is >= 0 and < double.PositiveInfinity ? mMul
            : throw new ArgumentOutOfRangeException(nameof(mMul), mMul, "CosineDecayRestarts: mMul must be a finite number of at least 0.");
        Alpha = double.IsFinite(alpha) ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "CosineDecayRestarts: alpha must be finite.");
    }

    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Steps of the first period.</summary>
    public long FirstDecaySteps { get; }
    /// <summary>Each period is this many times longer than the one before.</summary>
    public double TMul { get; }
    /// <summary>Each restart starts at this fraction of the one before.</summary>
    public double MMul { get; }
    /// <summary>The least rate, as a fraction of <see cref="InitialLearningRate"/>.</summary>
    public double Alpha { get; }

    /// <inheritdoc/>
    public override double At(long step) => At((double)step);

    /// <inheritdoc/>
    public override double At(double step)
    {
        double f = (double)step / FirstDecaySteps, restart;
        if (TMul == 1)
        {
            restart = Math.Floor(f);
            f -= restart;
        }
        else
        {
            restart = Math.Floor(Math.Log(1 - f * (1 - TMul)) / Math.Log(TMul));
            double before = (1 - Math.Pow(TMul, restart)) / (1 - TMul);  // length of the periods before, in first periods
            f = (f - before) / Math.Pow(TMul, restart);
        }
        double cosine = 0.5 * Math.Pow(MMul, restart) * (1 + Math.Cos(Math.PI * f));
        return InitialLearningRate * ((1 - Alpha) * cosine + Alpha);
    }

    /// <inheritdoc/>
    public override string ToString() => $"CosineDecayRestarts({InitialLearningRate}, {FirstDecaySteps}, tMul {TMul}, mMul {MMul}, alpha {Alpha})";
}
