namespace NeuralFlow;

// Evenly spaced values and coordinate grids (tf.linspace, tf.meshgrid).
public static partial class NF
{
    /// <summary>
    /// <paramref name="num"/> evenly spaced values from <paramref name="start"/> to
    /// <paramref name="stop"/>, both included (<c>tf.linspace</c>, <c>np.linspace</c>): value i is
    /// start + i * (stop - start) / (num - 1), the last exactly stop; num 1 gives [start] and 0 an
    /// empty vector (as NumPy; TensorFlow refuses 0). Computed in float64, then rounded to
    /// <paramref name="dtype"/>, on the default device. NaN and infinite ends follow IEEE arithmetic as
    /// np.linspace and the tensor overload do: (0, inf, 5) is [NaN, inf, inf, inf, inf] (0 * inf is NaN), a NaN
    /// start gives NaN but for the last value, stop; num 1 is [start] even then (TensorFlow's rule; NumPy gives NaN).
    /// </summary>
    /// <exception cref="ArgumentException">num is negative, or dtype is not float.</exception>
    public static Tensor Linspace(double start, double stop, int num, DType dtype = DType.Float32) =>
        Signal.HostValues(EvenlySpaced(nameof(Linspace), start, stop, num, endpoint: true, dtype), new Shape(num), dtype, Backend);

    /// <summary>
    /// Evenly spaced values between tensors (<c>tf.linspace(start, stop, num, axis)</c> with
    /// tensors): start and stop broadcast together, and the new axis of length
    /// <paramref name="num"/> goes at <paramref name="axis"/> of the result (negative counts from
    /// its end). Value i is start + i * (stop - start) / (num - 1), the last exactly stop, as
    /// TensorFlow computes them; differentiable in start and stop.
    /// </summary>
    /// <exception cref="ArgumentException">num is negative, start and stop are not float or differ in dtype, their shapes do not broadcast, or axis is out of range.</exception>
    public static Tensor Linspace(Tensor start, Tensor stop, int num, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(stop);
        const string op = nameof(Linspace);
        if (num < 0) throw new ArgumentOutOfRangeException(nameof(num), num, $"{op}: num must be at least 0, got {num}.");
        var dtype = Engine.CommonDType(op, start, stop);
        if (!dtype.IsFloating()) throw new ArgumentException($"{op}: start and stop must be float32 or float64, got {dtype.Name()}.", nameof(start));
        var shape = Engine.BroadcastShapes(op, start.Shape, stop.Shape);
        int a = axis < 0 ? axis + shape.Rank + 1 : axis;
        if (a < 0 || a > shape.Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is outside [{-shape.Rank - 1}, {shape.Rank}] for start and stop of shape {shape}.");
        var first = ExpandDims(BroadcastTo(start, shape), a);
        var last = ExpandDims(BroadcastTo(stop, shape), a);
        if (num <= 1) return num == 1 ? Identity(first) : Tile(first, [.. Enumerable.Range(0, shape.Rank + 1).Select(d => d == a ? 0 : 1)]);
        var along = Enumerable.Repeat(1, shape.Rank + 1).ToArray();
        along[a] = num;
        Tensor positions, isLast;
        using (UseBackend(start.Backend))
        {
            positions = Reshape(Cast(Range(num), dtype), along);
            isLast = Equal(positions, num - 1);
        }
        var step = Divide(Subtract(last, first), num - 1);
        return Where(isLast, last, Add(first, Multiply(positions, step)));
    }

    /// <summary>
    /// <see cref="Linspace(double, double, int, DType)"/> with <paramref name="num"/> a tensor (<c>tf.linspace(0.0, 1.0,
    /// num=tf.constant(51))</c>, or a count computed by tensor ops): an int32 or int64 scalar, read on the host because it
    /// decides the result's shape; inside <see cref="Function(Func{Tensor, Tensor}, int, bool, TensorSpec[])"/> that read
    /// makes the function run eagerly, as any shape decided by a value does.
    /// </summary>
    /// <exception cref="ArgumentException">num is not an int32 or int64 scalar, or is out of Linspace's range.</exception>
    public static Tensor Linspace(double start, double stop, Tensor num, DType dtype = DType.Float32) =>
        Linspace(start, stop, LinspaceCount(num), dtype);

    /// <summary>
    /// <see cref="Linspace(Tensor, Tensor, int, int)"/> with <paramref name="num"/> a tensor: an int32 or int64 scalar,
    /// read on the host because it decides the result's shape (<c>tf.linspace(start, stop, num, axis)</c>, all tensors).
    /// </summary>
    /// <exception cref="ArgumentException">num is not an int32 or int64 scalar, or Linspace refuses the values.</exception>
    public static Tensor Linspace(Tensor start, Tensor stop, Tensor num, int axis = 0) =>
        Linspace(start, stop, LinspaceCount(num), axis);

    private static int LinspaceCount(Tensor num)
    {
        ArgumentNullException.ThrowIfNull(num);
        if (num.DType is not (DType.Int32 or DType.Int64) || num.Rank != 0)
            throw new ArgumentException($"Linspace: num must be an int32 or int64 scalar tensor (TensorFlow's num), got {num.DType.Name()} of shape {num.Shape}.", nameof(num));
        using var wide = Cast(num, DType.Int64);
        long n = wide.Item<long>();
        if (n is < 0 or > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(num), n, $"Linspace: num must be in [0, {int.MaxValue}], got {n}.");
        return (int)n;
    }

    /// <summary>
    /// Coordinate grids from vectors (<c>tf.meshgrid</c>, <c>np.meshgrid</c>): for inputs of
    /// lengths n0, n1, ..., output i holds xs[i] along its own axis, repeated along the others.
    /// <paramref name="indexing"/> "xy" (the default, Cartesian) swaps the first two axes of the
    /// outputs ([n1, n0, ...]); "ij" (matrix) keeps them ([n0, n1, ...]). Inputs of other ranks are
    /// flattened, as in TensorFlow. The gradient of each input sums its output over the other axes.
    /// </summary>
    /// <exception cref="ArgumentException">indexing is neither "xy" nor "ij", or the inputs differ in dtype or device.</exception>
    public static Tensor[] Meshgrid(IReadOnlyList<Tensor> xs, string indexing = "xy")
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (indexing is not ("xy" or "ij"))
            throw new ArgumentException($"Meshgrid: indexing \"{indexing}\" is neither \"xy\" nor \"ij\".", nameof(indexing));
        int n = xs.Count;
        if (n == 0) return [];
        foreach (var x in xs)
        {
            ArgumentNullException.ThrowIfNull(x, nameof(xs));
            if (x.DType != xs[0].DType)
                throw new ArgumentException($"Meshgrid: the inputs must share a dtype, got {xs[0].DType.Name()} and {x.DType.Name()}.", nameof(xs));
            Engine.BackendOf(nameof(Meshgrid), xs[0], x);
        }
        var lengths = xs.Select(x => checked((int)x.Count)).ToArray();
        // Output axis of input i: i, except that "xy" swaps inputs 0 and 1.
        var axisOf = Enumerable.Range(0, n).ToArray();
        if (indexing == "xy" && n > 1) (axisOf[0], axisOf[1]) = (1, 0);
        var outDims = new int[n];
        for (int i = 0; i < n; i++) outDims[axisOf[i]] = lengths[i];
        var grids = new Tensor[n];
        for (int i = 0; i < n; i++)
        {
            var along = Enumerable.Repeat(1, n).ToArray();
            along[axisOf[i]] = lengths[i];
            // A packed copy of the broadcast view, so each grid is an ordinary tensor.
            grids[i] = Reshape(BroadcastTo(Reshape(xs[i], along), new Shape(outDims)), outDims);
        }
        return grids;
    }

    /// <summary>Coordinate grids from vectors (<c>tf.meshgrid(x, y, ...)</c>) with Cartesian ("xy") indexing.</summary>
    public static Tensor[] Meshgrid(params Tensor[] xs) => Meshgrid((IReadOnlyList<Tensor>)xs);

    // np.linspace on the host: num values from start, step (stop - start) / (num - 1), the last
    // exactly stop (endpoint), or step (stop - start) / num without it. Non-finite ends are not refused:
    // they give NumPy's IEEE values, the same as the tensor overloads compute on the device (these refused
    // them before, so NF.Linspace(0.0, inf, 5) and NF.Linspace(tensor 0, tensor inf, 5) disagreed).
    // Geomspace refuses them itself (its ends are pinned and their signs compared).
    private static double[] EvenlySpaced(string op, double start, double stop, int num, bool endpoint, DType dtype)
    {
        if (num < 0) throw new ArgumentOutOfRangeException(nameof(num), num, $"{op}: num must be at least 0, got {num}.");
        if (!dtype.IsFloating()) throw new ArgumentException($"{op}: dtype must be float32 or float64, got {dtype.Name()}.", nameof(dtype));
        int div = endpoint ? num - 1 : num;
        double step = div > 0 ? (stop - start) / div : 0;
        var values = new double[num];
        for (int i = 0; i < num; i++) values[i] = start + i * step;
        if (endpoint && num > 1) values[^1] = stop;
        return values;
    }
}
