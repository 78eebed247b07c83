namespace NeuralFlow;

// The fused normalization kernels. Their C ABI takes element 0 of packed buffers (no layouts):
// the ops pass contiguous operands and fresh contiguous results; optional operands are null.
internal static partial class Engine
{
    /// <summary>Element 0 of packed <paramref name="t"/>, or 0 for an absent operand.</summary>
    [MethodImpl(Hot)]
    private static nint First(Tensor? t) => t is null ? 0 : t.Data + (nint)Operands.ByteOffset(t);

    /// <summary>
    /// Batch norm of packed <paramref name="x"/> viewed as [outer, features, inner] into the fresh
    /// <paramref name="result"/>: inference with <paramref name="mean"/>/<paramref name="variance"/>,
    /// training (writing <paramref name="batchMean"/>/<paramref name="batchVariance"/>) without.
    /// </summary>
    [MethodImpl(Hot)]
    public static void BatchNorm(Tensor x, long outer, long features, long inner, Tensor? gamma, Tensor? beta, Tensor? mean, Tensor? variance,
                                 double epsilon, Tensor result, Tensor? batchMean, Tensor? batchVariance)
    {
        if (Float16Compute.Involves(x, gamma, beta, mean) || Float16Compute.Involves(variance, result, batchMean, batchVariance))
        {
            using var f = new Float16Compute();
            BatchNorm(f.In(x), outer, features, inner, f.In(gamma), f.In(beta), f.In(mean), f.In(variance), epsilon, f.Out(result), f.Out(batchMean), f.Out(batchVariance));
            return;
        }
        x.Backend.BatchNorm(x.DType, First(x), outer, features, inner, First(gamma), First(beta), First(mean), First(variance),
                            epsilon, First(result), First(batchMean), First(batchVariance));
        GC.KeepAlive(x); GC.KeepAlive(gamma); GC.KeepAlive(beta); GC.KeepAlive(mean); GC.KeepAlive(variance);
    }

    /// <summary>The gradient of <see cref="BatchNorm"/> into the fresh dx/dgamma/dbeta (each null when not wanted).</summary>
    [MethodImpl(Hot)]
    public static void BatchNormBackward(Tensor x, long outer, long features, long inner, Tensor dy, Tensor? gamma, Tensor? mean, Tensor? variance,
                                         double epsilon, bool training, Tensor? dx, Tensor? dgamma, Tensor? dbeta)
    {
        if (Float16Compute.Involves(x, dy, gamma, mean) || Float16Compute.Involves(variance, dx, dgamma, dbeta))
        {
            using var f = new Float16Compute();
            BatchNormBackward(f.In(x), outer, features, inner, f.In(dy), f.In(gamma), f.In(mean), f.In(variance), epsilon, training, f.Out(dx), f.Out(dgamma), f.Out(dbeta));
            return;
        }
        x.Backend.BatchNormBackward(x.DType, First(x), outer, features, inner, First(dy), First(gamma), First(mean), First(variance),
                                    epsilon, training, First(dx), First(dgamma), First(dbeta));
        GC.KeepAlive(x); GC.KeepAlive(dy); GC.KeepAlive(gamma); GC.KeepAlive(mean); GC.KeepAlive(variance);
    }

    /// <summary>Layer norm of packed <paramref name="x"/> viewed as [rows, cols] into the fresh <paramref name="result"/>.</summary>
    [MethodImpl(Hot)]
    public static void LayerNorm(Tensor x, long rows, long cols, Tensor? gamma, Tensor? beta, double epsilon, Tensor result)
    {
        if (Float16Compute.Involves(x, gamma, beta, result))
        {
            using var f = new Float16Compute();
            LayerNorm(f.In(x), rows, cols, f.In(gamma), f.In(beta), epsilon, f.Out(result));
            return;
        }
        x.Backend.LayerNorm(x.DType, First(x), rows, cols, First(gamma), First(beta), epsilon, First(result));
        GC.KeepAlive(x); GC.KeepAlive(gamma); GC.KeepAlive(beta);
    }

    /// <summary>The gradient of <see cref="LayerNorm"/> into the fresh dx/dgamma/dbeta (each null when not wanted).</summary>
    [MethodImpl(Hot)]
    public static void LayerNormBackward(Tensor x, long rows, long cols, Tensor dy, Tensor? gamma, double epsilon, Tensor? dx, Tensor? dgamma, Tensor? dbeta)
    {
        if (Float16Compute.Involves(x, dy, gamma) || Float16Compute.Involves(dx, dgamma, dbeta))
        {
            using var f = new Float16Compute();
            LayerNormBackward(f.In(x), rows, cols, f.In(dy), f.In(gamma), epsilon, f.Out(dx), f.Out(dgamma), f.Out(dbeta));
            return;
        }
        x.Backend.LayerNormBackward(x.DType, First(x), rows, cols, First(dy), First(gamma), epsilon, First(dx), First(dgamma), First(dbeta));
        GC.KeepAlive(x); GC.KeepAlive(dy); GC.KeepAlive(gamma);
    }
}
