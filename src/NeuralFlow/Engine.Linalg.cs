namespace NeuralFlow;

// The linalg kernels: the calls into IBackend.Lu, TriangularSolve and Cholesky, each into fresh
// contiguous tensors on the operand's engine. Nothing here is recorded on a tape: the NF ops
// compose these and record their own gradient rules.
internal static partial class Engine
{
    /// <summary>
    /// P A = L U of every matrix of <paramref name="a"/> (float, [..., n, n]): LU (a's shape), Pivots
    /// and Perm (Int32 [..., n]) and Info (Int32 [...]); <see cref="Backends.IBackend.Lu"/> says what
    /// each holds. With <paramref name="check"/> a singular matrix throws ArgumentException naming it.
    /// </summary>
    public static (Tensor Lu, Tensor Pivots, Tensor Perm, Tensor Info) Lu(Tensor a, bool check)
    {
        if (a.DType == DType.Float16)
        {
            using var f = new Float16Compute();
            var (wide, pivots16, perm16, info16) = Lu(f.In(a), check);
            return (Float16Compute.Narrowed(wide), pivots16, perm16, info16);
        }
        var batch = a.Shape.ToArray()[..^2];
        int n = a.Shape[-1];
        var lu = Tensor.Empty(a.Shape, a.DType, a.Backend);
        var pivots = Tensor.Empty(new Shape([.. batch, n]), DType.Int32, a.Backend);
        var perm = Tensor.Empty(new Shape([.. batch, n]), DType.Int32, a.Backend);
        var info = Tensor.Empty(new Shape(batch), DType.Int32, a.Backend);
        try
        {
            using var held = new Operands(a);
            a.Backend.Lu(a.DType, held.A, a.Layout, lu.Data, pivots.Data, perm.Data, info.Data, check);
        }
        catch
        {
            lu.Dispose();
            pivots.Dispose();
            perm.Dispose();
            info.Dispose();
            throw;
        }
        return (lu, pivots, perm, info);
    }

    /// <summary>
    /// A^-1 B for triangular A [..., n, n] (its layout as given: a transposed view is the transposed
    /// matrix) and B [..., n, k], batch axes broadcast against each other (<paramref name="op"/>
    /// names the caller in a mismatch).
    /// </summary>
    public static Tensor TriangularSolve(string op, Tensor a, Layout aLayout, Tensor b, bool lower, bool unitDiagonal)
    {
        if (Float16Compute.Involves(a, b))
        {
            using var f = new Float16Compute();
            return Float16Compute.Narrowed(TriangularSolve(op, f.In(a), aLayout, f.In(b), lower, unitDiagonal));
        }
        var backend = BackendOf(op, a, b);
        int n = aLayout.Shape[-1], k = b.Shape[-1];
        var batch = BroadcastShapes(op, new Shape(aLayout.Shape.ToArray()[..^2]), new Shape(b.Shape.ToArray()[..^2])).ToArray();
        var la = aLayout.BroadcastTo(new Shape([.. batch, n, n]));
        var lb = b.Layout.BroadcastTo(new Shape([.. batch, n, k]));
        var result = Tensor.Empty(new Shape([.. batch, n, k]), a.DType, backend);
        try
        {
            using var held = new Operands(a, b);
            backend.TriangularSolve(a.DType, held.A, la, held.B, lb, lower, unitDiagonal, result.Data);
        }
        catch
        {
            result.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>A = L L^T from <paramref name="a"/>'s lower triangle: L (zeros above) and Info (Int32 [...]); with <paramref name="check"/> a matrix that is not positive definite throws.</summary>
    public static (Tensor L, Tensor Info) Cholesky(Tensor a, bool check)
    {
        if (a.DType == DType.Float16)
        {
            using var f = new Float16Compute();
            var (wide, info16) = Cholesky(f.In(a), check);
            return (Float16Compute.Narrowed(wide), info16);
        }
        var l = Tensor.Empty(a.Shape, a.DType, a.Backend);
        var info = Tensor.Empty(new Shape(a.Shape.ToArray()[..^2]), DType.Int32, a.Backend);
        try
        {
            using var held = new Operands(a);
            a.Backend.Cholesky(a.DType, held.A, a.Layout, l.Data, info.Data, check);
        }
        catch
        {
            l.Dispose();
            info.Dispose();
            throw;
        }
        return (l, info);
    }
}
