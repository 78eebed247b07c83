namespace NeuralFlow;

// Evenly spaced values and coordinate grids (tf.linspace, tf.meshgrid).
public static partial class NF
{
    /// <summary>
    /// <paramref name="num"/> evenly spaced values from <paramref name="start"/> to
    /// <paramref name="stop"/>, both included (<c>tf.linspace</c>, <c>np.linspace</c>): value i is
    /// start + i * (stop - start) / (num - 1), the last exactly stop; num 1 gives [start] and 0 an
    /// empty vector (as NumPy; TensorFlow refuses 0). Computed in float64, then rounded to
    /// <paramref name="dtype"/>, on the default device.
    /// </summary>
    /// <exception cref="ArgumentException">num is negative, start or stop is not finite, or dtype is not float.</exception>
    public static Tensor Linspace(double start, double stop, int num, DType dtype = DType.Float32)
    {
        if (num < 0) throw new ArgumentOutOfRangeException(nameof(num), num, $"Linspace: num must be at least 0, got {num}.");
        if (!double.IsFinite(start) || !double.IsFinite(stop))
            throw new ArgumentException($"Linspace: start and stop must be finite, got ({start}, {stop}).");
        if (!dtype.IsFloating()) throw new ArgumentException($"Linspace: dtype must be float32 or float64, got {dtype.Name()}.", nameof(dtype));
        var values = new double[num];
        double step = num > 1 ? (stop - start) / (num - 1) : 0;
        for (int i = 0; i < num; i++) values[i] = start + i * step;
        if (num > 1) values[^1] = stop;
        if (dtype == DType.Float64) return Engine.FromHost<double>(values, new Shape(num), Backend);
        return Engine.FromHost<float>(values.Select(v => (float)v).ToArray(), new Shape(num), Backend);
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
}
