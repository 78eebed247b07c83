namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Batch normalization with the batch's own statistics (training mode, PyTorch's
    /// <c>F.batch_norm(training=True)</c>): every axis but <paramref name="axis"/> is reduced, with
    /// the mean and the biased variance, and y = gamma * (x - mean) / sqrt(variance + epsilon) + beta.
    /// <paramref name="gamma"/>/<paramref name="beta"/> are [features] or null (1 and 0). Returns the
    /// output and the batch mean and biased variance ([features], plain values for a caller's
    /// moving averages: they are not recorded on the tape). The output's gradient runs through the
    /// batch statistics, in one fused kernel.
    /// </summary>
    public static (Tensor Output, Tensor Mean, Tensor Variance) BatchNormalizationTraining(
        Tensor x, Tensor? gamma = null, Tensor? beta = null, int axis = -1, double epsilon = 1e-3)
    {
        const string op = nameof(BatchNormalizationTraining);
        var g = BatchNormGeometry(op, x, axis, epsilon, gamma, beta, null, null);
        using var packed = x.Contiguous();
        var y = Tensor.Empty(x.Shape, x.DType, x.Backend);
        var mean = Tensor.Empty(new Shape(g.Features), x.DType, x.Backend);
        var variance = Tensor.Empty(new Shape(g.Features), x.DType, x.Backend);
        Engine.BatchNorm(packed, g.Outer, g.Features, g.Inner, gamma, beta, null, null, epsilon, y, mean, variance);
        var (inputs, state) = NormInputs(x, gamma, beta, null, null, g, epsilon, training: true);
        return (Tape.Record(y, inputs, BatchNormGradient, state, op), mean, variance);
    }

    /// <summary>
    /// Batch normalization with given statistics (inference mode, <c>tf.nn.batch_normalization</c>
    /// with [features] parameters along <paramref name="axis"/>): y = gamma * (x - mean) /
    /// sqrt(variance + epsilon) + beta; <paramref name="gamma"/>/<paramref name="beta"/> may be null.
    /// Differentiable in x, gamma, beta, mean and variance.
    /// </summary>
    public static Tensor BatchNormalization(Tensor x, Tensor mean, Tensor variance, Tensor? gamma = null, Tensor? beta = null,
                                            int axis = -1, double epsilon = 1e-3)
    {
        const string op = nameof(BatchNormalization);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(variance);
        var g = BatchNormGeometry(op, x, axis, epsilon, gamma, beta, mean, variance);
        using var packed = x.Contiguous();
        using var m = mean.Contiguous();
        using var v = variance.Contiguous();
        var y = Tensor.Empty(x.Shape, x.DType, x.Backend);
        Engine.BatchNorm(packed, g.Outer, g.Features, g.Inner, gamma, beta, m, v, epsilon, y, null, null);
        var (inputs, state) = NormInputs(x, gamma, beta, mean, variance, g, epsilon, training: false);
        return Tape.Record(y, inputs, BatchNormGradient, state, op);
    }

    /// <summary>
    /// Layer normalization (<c>tf.keras.layers.LayerNormalization</c>'s arithmetic): each sample is
    /// normalized over <paramref name="axes"/> (default: the last axis) by its own mean and biased
    /// variance; <paramref name="gamma"/>/<paramref name="beta"/> have the shape of those axes (in
    /// increasing axis order) or are null. One fused kernel each way.
    /// </summary>
    public static Tensor LayerNormalization(Tensor x, Tensor? gamma = null, Tensor? beta = null, int[]? axes = null, double epsilon = 1e-3)
    {
        const string op = nameof(LayerNormalization);
        ArgumentNullException.ThrowIfNull(x);
        CheckNormEpsilon(op, epsilon);
        if (!x.DType.IsFloating())
            throw new ArgumentException($"{op}: needs float32 or float64, got {x.DType.Name()}; convert with NF.Cast(x, DType.Float32).", nameof(x));
        var norm = NormalizeAxes(op, x.Shape, axes ?? [-1]);
        int rank = x.Rank, k = norm.Length;
        int[] paramShape = norm.Select(a => x.Shape[a]).ToArray();
        CheckNormParam(op, "gamma", gamma, x, paramShape);
        CheckNormParam(op, "beta", beta, x, paramShape);
        // The kernel normalizes rows of a [rows, cols] view: axes that are not the trailing ones
        // are moved there (a view on the tape) and moved back afterwards.
        bool trailing = norm.Select((a, i) => a == rank - k + i).All(b => b);
        if (!trailing)
        {
            int[] perm = Enumerable.Range(0, rank).Where(a => !norm.Contains(a)).Concat(norm).ToArray();
            var inverse = new int[rank];
            for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
            return Transpose(LayerNormalization(Transpose(x, perm), gamma, beta, Enumerable.Range(rank - k, k).ToArray(), epsilon), inverse);
        }
        long cols = paramShape.Aggregate(1L, (p, d) => p * d), rows = cols == 0 ? 0 : x.Count / cols;
        var g2 = gamma is null || gamma.Rank == 1 ? gamma : Reshape(gamma, [(int)cols]);
        var b2 = beta is null || beta.Rank == 1 ? beta : Reshape(beta, [(int)cols]);
        using var packed = x.Contiguous();
        using var gp = g2?.Contiguous();
        using var bp = b2?.Contiguous();
        var y = Tensor.Empty(x.Shape, x.DType, x.Backend);
        Engine.LayerNorm(packed, rows, cols, gp, bp, epsilon, y);
        var inputs = new List<Tensor> { x };
        if (g2 is not null) inputs.Add(g2);
        if (b2 is not null) inputs.Add(b2);
        return Tape.Record(y, inputs.ToArray(), LayerNormGradient, new LayerNormState(rows, cols, epsilon, g2 is not null, b2 is not null), op);
    }

    // ---- geometry and checks ------------------------------------------------------------

    private readonly record struct BatchNormShape(long Outer, int Features, long Inner);

    private static BatchNormShape BatchNormGeometry(string op, Tensor x, int axis, double epsilon, Tensor? gamma, Tensor? beta, Tensor? mean, Tensor? variance)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckNormEpsilon(op, epsilon);
        if (!x.DType.IsFloating())
            throw new ArgumentException($"{op}: needs float32 or float64, got {x.DType.Name()}; convert with NF.Cast(x, DType.Float32).", nameof(x));
        if (x.Rank < 1)
            throw new ArgumentException($"{op}: needs at least one axis (the features), got a scalar.", nameof(x));
        int a = x.Shape.NormalizeAxis(axis);
        long outer = 1, inner = 1;
        for (int d = 0; d < a; d++) outer *= x.Shape[d];
        for (int d = a + 1; d < x.Rank; d++) inner *= x.Shape[d];
        int[] param = [x.Shape[a]];
        CheckNormParam(op, "gamma", gamma, x, param);
        CheckNormParam(op, "beta", beta, x, param);
        CheckNormParam(op, "mean", mean, x, param);
        CheckNormParam(op, "variance", variance, x, param);
        return new BatchNormShape(outer, x.Shape[a], inner);
    }

    private static void CheckNormEpsilon(string op, double epsilon)
    {
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"{op}: epsilon must be finite and >= 0, got {epsilon}.");
    }

    private static void CheckNormParam(string op, string name, Tensor? p, Tensor x, int[] shape)
    {
        if (p is null) return;
        Engine.BackendOf(op, x, p);
        if (p.DType != x.DType)
            throw new ArgumentException($"{op}: {name} is {p.DType.Name()} but x is {x.DType.Name()}; convert with NF.Cast.", name);
        if (!p.Shape.Equals(new Shape(shape)))
            throw new ArgumentException($"{op}: {name} must have shape {NeuralFlow.Shape.Format(shape)} for x of shape {x.Shape}, got {p.Shape}.", name);
    }

    private static int[] NormalizeAxes(string op, Shape shape, int[] axes)
    {
        if (axes.Length == 0) throw new ArgumentException($"{op}: axes must name at least one axis.", nameof(axes));
        var norm = axes.Select(a => shape.NormalizeAxis(a, nameof(axes))).OrderBy(a => a).ToArray();
        for (int i = 1; i < norm.Length; i++)
            if (norm[i] == norm[i - 1])
                throw new ArgumentException($"{op}: axes [{string.Join(", ", axes)}] name axis {norm[i]} twice.", nameof(axes));
        return norm;
    }

    // ---- gradients ----------------------------------------------------------------------

    // Which optional inputs were recorded (in this order after x: gamma, beta, mean, variance).
    private sealed record BatchNormState(BatchNormShape Shape, double Epsilon, bool Training, bool HasGamma, bool HasBeta, bool HasStats);

    private static (Tensor[] Inputs, BatchNormState State) NormInputs(Tensor x, Tensor? gamma, Tensor? beta, Tensor? mean, Tensor? variance,
                                                                     BatchNormShape g, double epsilon, bool training)
    {
        var inputs = new List<Tensor> { x };
        if (gamma is not null) inputs.Add(gamma);
        if (beta is not null) inputs.Add(beta);
        if (mean is not null) { inputs.Add(mean); inputs.Add(variance!); }
        return (inputs.ToArray(), new BatchNormState(g, epsilon, training, gamma is not null, beta is not null, mean is not null));
    }

    // One fused kernel gives dx (through the batch statistics in training), dgamma = sum(dy * xhat)
    // and dbeta = sum(dy). Inference also differentiates the given statistics: with s = rstd,
    // dmean = -gamma * s * sum(dy) and dvariance = -gamma * s^2 / 2 * sum(dy * xhat).
    private static readonly GradientRule BatchNormGradient = static (dy, n) =>
    {
        var st = (BatchNormState)n.State!;
        var (outer, features, inner) = st.Shape;
        int i = 1;
        int gi = st.HasGamma ? i++ : -1, bi = st.HasBeta ? i++ : -1, mi = st.HasStats ? i++ : -1, vi = st.HasStats ? i : -1;
        if (Tape.AnyRecording) return BatchNormGradientComposed(dy, n, st, gi, bi, mi, vi);
        bool wantStats = st.HasStats && (n.Wants(mi) || n.Wants(vi));
        var x = n.X;
        var paramShape = new Shape(features);
        Tensor? gamma = gi >= 0 ? n.Value(gi) : null;
        var dx = n.Wants(0) ? Tensor.Empty(x.Shape, x.DType, x.Backend) : null;
        var dgamma = (gi >= 0 && n.Wants(gi)) || wantStats ? Tensor.Empty(paramShape, x.DType, x.Backend) : null;
        var dbeta = (bi >= 0 && n.Wants(bi)) || wantStats ? Tensor.Empty(paramShape, x.DType, x.Backend) : null;
        using var xp = x.Contiguous();
        using var gp = dy.Contiguous();
        using var gm = gamma?.Contiguous();
        using var mp = mi >= 0 ? n.Value(mi).Contiguous() : null;
        using var vp = vi >= 0 ? n.Value(vi).Contiguous() : null;
        Engine.BatchNormBackward(xp, outer, features, inner, gp, gm, mp, vp, st.Epsilon, st.Training, dx, dgamma, dbeta);
        var grads = new Tensor?[n.Inputs.Length];
        grads[0] = dx;
        if (gi >= 0) grads[gi] = n.Wants(gi) ? dgamma : null;
        if (bi >= 0) grads[bi] = n.Wants(bi) ? dbeta : null;
        if (wantStats)
        {
            var rstd = 1.0 / Sqrt(vp! + st.Epsilon);
            var scale = gamma is null ? rstd : gamma * rstd;
            if (n.Wants(mi)) grads[mi] = -(scale * dbeta!);
            if (n.Wants(vi)) grads[vi] = -0.5 * (scale * rstd * dgamma!);
        }
        return grads;
    };

    private sealed record LayerNormState(long Rows, long Cols, double Epsilon, bool HasGamma, bool HasBeta);

    private static readonly GradientRule LayerNormGradient = static (dy, n) =>
    {
        var st = (LayerNormState)n.State!;
        int gi = st.HasGamma ? 1 : -1, bi = st.HasBeta ? (st.HasGamma ? 2 : 1) : -1;
        if (Tape.AnyRecording) return LayerNormGradientComposed(dy, n, st, gi, bi);
        var x = n.X;
        var paramShape = new Shape((int)st.Cols);
        var dx = n.Wants(0) ? Tensor.Empty(x.Shape, x.DType, x.Backend) : null;
        var dgamma = gi >= 0 && n.Wants(gi) ? Tensor.Empty(paramShape, x.DType, x.Backend) : null;
        var dbeta = bi >= 0 && n.Wants(bi) ? Tensor.Empty(paramShape, x.DType, x.Backend) : null;
        using var xp = x.Contiguous();
        using var gp = dy.Contiguous();
        using var gm = gi >= 0 ? n.Value(gi).Contiguous() : null;
        Engine.LayerNormBackward(xp, st.Rows, st.Cols, gp, gm, st.Epsilon, dx, dgamma, dbeta);
        var grads = new Tensor?[n.Inputs.Length];
        grads[0] = dx;
        if (gi >= 0) grads[gi] = dgamma;
        if (bi >= 0) grads[bi] = dbeta;
        return grads;
    };
}
