using NeuralFlow.Backends;

namespace NeuralFlow;

// Issue 16's select: the one call into IBackend.Where.
internal static partial class Engine
{
    /// <summary>
    /// result = condition ? x : y, the operands broadcast to <paramref name="result"/>'s shape
    /// (stride 0); x and y have the result's dtype and backend, condition is Bool on it too.
    /// </summary>
    [MethodImpl(Hot)]
    public static void Where(Tensor condition, Tensor x, Tensor y, Tensor result)
    {
        if (Float16Compute.Involves(x, y, result))
        {
            using var f = new Float16Compute();
            Where(condition, f.In(x), f.In(y), f.Out(result));
            return;
        }
        var shape = result.Shape;
        using var held = new Operands(condition, x, y);
        result.Backend.Where(result.DType, held.A, condition.Layout.BroadcastTo(shape), held.B, x.Layout.BroadcastTo(shape),
            held.C, y.Layout.BroadcastTo(shape), result.Data, result.Layout);
    }

    /// <summary><paramref name="t"/>, or the C# number it holds moved to <paramref name="home"/>'s backend.</summary>
    [MethodImpl(Hot)]
    public static Tensor OnBackendOf(Tensor t, Tensor home) =>
        t.IsWeakScalar && !ReferenceEquals(t.Backend, home.Backend) ? Rehome(t, home.Backend) : t;
}
