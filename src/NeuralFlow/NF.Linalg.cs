using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Matrix product (<c>tf.matmul</c>): [..., M, K] @ [..., K, N] with broadcast batch axes;
    /// the transpose flags swap the last two axes of an operand first. 1-D operands are
    /// treated as a row (a) or a column (b) vector and that axis is dropped from the result.
    /// Integer matrices (int32, int64, uint8) multiply exactly and keep their dtype, as tf.matmul's.
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        var backend = Engine.BackendOf(nameof(MatMul), a, b);
        if (a.DType != b.DType)
            throw new ArgumentException($"MatMul: dtypes must match, got {a.DType.Name()} and {b.DType.Name()}; convert one with NF.Cast.");
        if (!a.DType.IsFloating() && !a.DType.IsInteger())
            throw new ArgumentException($"MatMul: needs numeric operands, got {a.DType.Name()}; convert with NF.Cast(x, DType.Float32).");
        if (a.Rank == 0 || b.Rank == 0)
            throw new ArgumentException($"MatMul: operands need at least one dimension, got shapes {a.Shape} and {b.Shape}.");
        bool vecA = a.Rank == 1, vecB = b.Rank == 1;
        var la = vecA ? a.Layout.InsertAxis(0) : a.Layout;
        var lb = vecB ? b.Layout.InsertAxis(1) : b.Layout;
        // Apply the transpose flags to the layouts: the kernel then always sees plain operands.
        if (transposeA) la = SwapLast(la);
        if (transposeB) lb = SwapLast(lb);
        int m = la.Shape[-2], k = la.Shape[-1], kb = lb.Shape[-2], n = lb.Shape[-1];
        if (k != kb)
            throw new ArgumentException(
                $"MatMul: inner dimensions do not match: a has shape {a.Shape}{(transposeA ? " (transposed)" : "")} with K={k}, b has shape {b.Shape}{(transposeB ? " (transposed)" : "")} with K={kb}.");
        var batchA = new Shape(la.Shape.ToArray()[..^2]);
        var batchB = new Shape(lb.Shape.ToArray()[..^2]);
        var batch = Engine.BroadcastShapes(nameof(MatMul), batchA, batchB);
        var outDims = batch.ToArray().Concat([m, n]).ToArray();
        la = la.BroadcastTo(new Shape(batch.ToArray().Concat([m, k]).ToArray()));
        lb = lb.BroadcastTo(new Shape(batch.ToArray().Concat([k, n]).ToArray()));
        Tensor result;
        if (a.DType.IsInteger())
        {
            // tf.matmul multiplies int32 / int64 matrices exactly, wrapping on overflow as its
            // elementwise ops do; BLAS has no integer GEMM, so the sum over K is NF's own ops
            // ([..., M, K, 1] * [..., 1, K, N] summed over K) on every engine.
            using var av = a.View(la);
            using var bv = b.View(lb);
            using var products = Multiply(ExpandDims(av, -1), ExpandDims(bv, -3));
            result = ReduceSum(products, -2);
        }
        else
        {
            result = Tensor.Empty(new Shape(outDims), a.DType, backend);
            Engine.MatMul(a, la, b, lb, result);
        }
        if (vecA || vecB)
        {
            var full = result;
            var layout = full.Layout;
            if (vecB) layout = layout.Select(layout.Rank - 1, 0);
            if (vecA) layout = layout.Select(layout.Rank - (vecB ? 1 : 2), 0);
            result = full.View(layout);
            full.Dispose();
        }
        return Tape.Record(result, a, b, MatMulGradient, (transposeA, transposeB));
    }

    // C = op(A) @ op(B): dA = g @ op(B)^T and dB = op(A)^T @ g, written with the transpose
    // flags so no transposed copy is made; broadcast batch axes are summed back; vectors are
    // treated as a row (A) or a column (B) matrix.
    private static readonly GradientRule MatMulGradient = static (g, n) =>
    {
        var (ta, tb) = ((bool, bool))n.State!;
        var a = n.X;
        var b = n.Y;
        var A = a.Rank == 1 ? ExpandDims(a, 0) : a;
        var B = b.Rank == 1 ? ExpandDims(b, -1) : b;
        var G = b.Rank == 1 ? ExpandDims(g, -1) : g;
        if (a.Rank == 1) G = ExpandDims(G, -2);
        Tensor? dA = null, dB = null;
        if (n.Wants(0))
        {
            var d = ta ? MatMul(B, G, transposeA: tb, transposeB: true) : MatMul(G, B, transposeB: !tb);
            dA = Reshape(ReduceTo(d, A.Shape), a.Shape);
        }
        if (n.Wants(1))
        {
            var d = tb ? MatMul(G, A, transposeA: true, transposeB: ta) : MatMul(A, G, transposeA: !ta);
            dB = Reshape(ReduceTo(d, B.Shape), b.Shape);
        }
        return [dA, dB];
    };

    [MethodImpl(Hot)]
    private static Layout SwapLast(Layout l)
    {
        var perm = Enumerable.Range(0, l.Rank).ToArray();
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        return l.Permute(perm);
    }
}
