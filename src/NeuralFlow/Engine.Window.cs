using NeuralFlow.Backends;

namespace NeuralFlow;

// The window kernels of convolution and pooling (NHWC). As in Engine.Kernels.cs, each takes
// operands its op has validated and a fresh result the op has shaped.
internal static partial class Engine
{
    /// <summary>Patches of <paramref name="x"/> [N, H, W, C] into the fresh <paramref name="result"/> [N, OH, OW, KH, KW, C].</summary>
    [MethodImpl(Hot)]
    public static void Im2Col(Tensor x, in Window2D window, Tensor result)
    {
        if (Float16Compute.Involves(x, result))
        {
            using var f = new Float16Compute();
            Im2Col(f.In(x), window, f.Out(result));
            return;
        }
        using var held = new Operands(x);
        x.Backend.Im2Col(x.DType, held.A, x.Layout, window, result.Data, result.Layout);
    }

    /// <summary>The patches <paramref name="cols"/> summed back onto the fresh image <paramref name="result"/> [N, H, W, C].</summary>
    [MethodImpl(Hot)]
    public static void Col2Im(Tensor cols, in Window2D window, Tensor result)
    {
        if (Float16Compute.Involves(cols, result))
        {
            using var f = new Float16Compute();
            Col2Im(f.In(cols), window, f.Out(result));
            return;
        }
        using var held = new Operands(cols);
        cols.Backend.Col2Im(cols.DType, held.A, cols.Layout, window, result.Data, result.Layout);
    }

    /// <summary>Max or average pooling of <paramref name="x"/> into the fresh <paramref name="result"/> [N, OH, OW, C].</summary>
    [MethodImpl(Hot)]
    public static void Pool2D(PoolOp op, Tensor x, in Window2D window, Tensor result)
    {
        if (Float16Compute.Involves(x, result))
        {
            using var f = new Float16Compute();
            Pool2D(op, f.In(x), window, f.Out(result));
            return;
        }
        using var held = new Operands(x);
        x.Backend.Pool2D(op, x.DType, held.A, x.Layout, window, result.Data, result.Layout);
    }

    /// <summary>The pooling gradient <paramref name="dy"/> back onto the fresh <paramref name="dx"/>, shaped as <paramref name="x"/>.</summary>
    [MethodImpl(Hot)]
    public static void Pool2DBackward(PoolOp op, Tensor x, Tensor dy, in Window2D window, Tensor dx)
    {
        if (Float16Compute.Involves(x, dy, dx))
        {
            using var f = new Float16Compute();
            Pool2DBackward(op, f.In(x), f.In(dy), window, f.Out(dx));
            return;
        }
        using var held = new Operands(x, dy);
        x.Backend.Pool2DBackward(op, x.DType, held.A, x.Layout, held.B, dy.Layout, window, dx.Data, dx.Layout);
    }
}
