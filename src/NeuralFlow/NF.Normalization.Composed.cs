namespace NeuralFlow;

public static partial class NF
{
    // The fused backward kernels return plain tensors: right for a first derivative, but an outer
    // tape recording the gradient computation (a gradient penalty, a Hessian-vector product) would
    // see constants and get a silently wrong second derivative. While a tape records, the same
    // gradients are built from recorded ops instead, so the outer tape differentiates them.

    private static Tensor?[] BatchNormGradientComposed(Tensor dy, TapeNode n, BatchNormState st, int gi, int bi, int mi, int vi)
    {
        var (outer, features, inner) = st.Shape;
        int[] view = [CheckedDim(outer), features, CheckedDim(inner)];
        int[] axes = [0, 2], param = [1, features, 1];
        var x = Reshape(n.X, view);
        var g = Reshape(dy, view);
        Tensor mean, rstd;
        if (st.Training)
        {
            mean = ReduceMean(x, axes, keepDims: true);
            var centered = x - mean;
            rstd = 1.0 / Sqrt(ReduceMean(centered * centered, axes, keepDims: true) + st.Epsilon);
        }
        else
        {
            mean = Reshape(n.Value(mi), param);
            rstd = 1.0 / Sqrt(Reshape(n.Value(vi), param) + st.Epsilon);
        }
        var xhat = (x - mean) * rstd;
        var gamma = gi >= 0 ? Reshape(n.Value(gi), param) : null;
        var dxhat = gamma is null ? g : g * gamma;
        var grads = new Tensor?[n.Inputs.Length];
        if (n.Wants(0))
        {
            var dx = st.Training
                ? rstd * (dxhat - ReduceMean(dxhat, axes, keepDims: true) - xhat * ReduceMean(dxhat * xhat, axes, keepDims: true))
                : dxhat * rstd;
            grads[0] = Reshape(dx, n.X.Shape.ToArray());
        }
        var dgamma = ReduceSum(g * xhat, axes);
        var dbeta = ReduceSum(g, axes);
        if (gi >= 0 && n.Wants(gi)) grads[gi] = dgamma;
        if (bi >= 0 && n.Wants(bi)) grads[bi] = dbeta;
        if (mi >= 0)
        {
            var r = Reshape(rstd, [features]);
            var scale = gamma is null ? r : n.Value(gi) * r;
            if (n.Wants(mi)) grads[mi] = -(scale * dbeta);
            if (n.Wants(vi)) grads[vi] = -0.5 * (scale * r * dgamma);
        }
        return grads;
    }

    private static Tensor?[] LayerNormGradientComposed(Tensor dy, TapeNode n, LayerNormState st, int gi, int bi)
    {
        int[] view = [CheckedDim(st.Rows), CheckedDim(st.Cols)];
        var x = Reshape(n.X, view);
        var g = Reshape(dy, view);
        var mean = ReduceMean(x, 1, keepDims: true);
        var centered = x - mean;
        var rstd = 1.0 / Sqrt(ReduceMean(centered * centered, 1, keepDims: true) + st.Epsilon);
        var xhat = centered * rstd;
        var dxhat = gi >= 0 ? g * n.Value(gi) : g;
        var grads = new Tensor?[n.Inputs.Length];
        if (n.Wants(0))
            grads[0] = Reshape(rstd * (dxhat - ReduceMean(dxhat, 1, keepDims: true) - xhat * ReduceMean(dxhat * xhat, 1, keepDims: true)), n.X.Shape.ToArray());
        if (gi >= 0 && n.Wants(gi)) grads[gi] = ReduceSum(g * xhat, 0);
        if (bi >= 0 && n.Wants(bi)) grads[bi] = ReduceSum(g, 0);
        return grads;
    }

    private static int CheckedDim(long size) => size <= int.MaxValue ? (int)size
        : throw new NotSupportedException($"a gradient of a normalization's gradient over more than {int.MaxValue} elements per axis group is not supported.");
}
