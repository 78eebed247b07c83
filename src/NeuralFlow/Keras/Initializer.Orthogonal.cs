namespace NeuralFlow.Keras;

public sealed partial class Initializer
{
    /// <summary>
    /// Keras' <c>Orthogonal</c> (gain 1): a standard normal matrix of [prod(shape[:-1]), shape[-1]]
    /// made orthogonal by QR, with the signs of R's diagonal folded into Q so the result is
    /// uniform over orthogonal matrices (Saxe et al. 2014). The taller side gets orthonormal
    /// columns; a wide matrix (a recurrent kernel [units, k * units]) has orthonormal rows.
    /// </summary>
    public static Initializer Orthogonal { get; } = new("orthogonal", (s, _, _) => OrthogonalValues(s));

    private static Tensor OrthogonalValues(Shape shape)
    {
        if (shape.Rank < 2)
            throw new ArgumentException($"The orthogonal initializer needs a weight of rank 2 or more, got shape {shape}.", nameof(shape));
        long rowsLong = shape.Count / shape[-1];
        int cols = shape[-1];
        if (rowsLong > int.MaxValue) throw new ArgumentException($"The orthogonal initializer: shape {shape} is too large.", nameof(shape));
        int rows = (int)rowsLong;
        int tall = Math.Max(rows, cols), wide = Math.Min(rows, cols);
        double[] a;
        using (var normal = NF.Random.Normal([tall, wide], dtype: DType.Float64)) a = normal.ToArray<double>();
        GramSchmidtColumns(a, tall, wide);
        var values = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                values[r * cols + c] = (float)(rows >= cols ? a[r * wide + c] : a[c * wide + r]); // a wide result is Q transposed
        return NF.Constant(values, shape);
    }

    // Q of A = QR with R's diagonal positive, in place over the columns of the row-major
    // [rows, cols] matrix (modified Gram-Schmidt, twice for accuracy). Householder QR with its
    // signs then flipped by sign(diag(R)), as Keras does, is this same Q.
    private static void GramSchmidtColumns(double[] a, int rows, int cols)
    {
        for (int j = 0; j < cols; j++)
        {
            for (int pass = 0; pass < 2; pass++)
                for (int k = 0; k < j; k++)
                {
                    double dot = 0;
                    for (int i = 0; i < rows; i++) dot += a[i * cols + k] * a[i * cols + j];
                    for (int i = 0; i < rows; i++) a[i * cols + j] -= dot * a[i * cols + k];
                }
            double norm = 0;
            for (int i = 0; i < rows; i++) norm += a[i * cols + j] * a[i * cols + j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < rows; i++) a[i * cols + j] /= norm;
        }
    }
}
