namespace NeuralFlow.Tests;

/// <summary>Plain float64 reference computations and data makers for the conformance suite.</summary>
internal static class Reference
{
    public static double[] RandomValues(int count, int seed, double lo = -2, double hi = 2)
    {
        var r = new System.Random(seed);
        return Enumerable.Range(0, count).Select(_ => lo + (hi - lo) * r.NextDouble()).ToArray();
    }

    public static float[] F(double[] v) => v.Select(x => (float)x).ToArray();

    public static long[] Strides(int[] shape)
    {
        var s = new long[shape.Length];
        long acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    public static int[] Unravel(long flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] == 0) return idx;
            idx[i] = (int)(flat % shape[i]);
            flat /= shape[i];
        }
        return idx;
    }

    /// <summary>Value of a row-major array of <paramref name="shape"/> at the broadcast position <paramref name="outIdx"/>.</summary>
    public static double At(double[] data, int[] shape, int[] outIdx)
    {
        int lead = outIdx.Length - shape.Length;
        long flat = 0;
        var strides = Strides(shape);
        for (int i = 0; i < shape.Length; i++)
            flat += (shape[i] == 1 ? 0 : outIdx[i + lead]) * strides[i];
        return data[flat];
    }

    public static int[] BroadcastShape(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    public static double[] Binary(double[] a, int[] sa, double[] b, int[] sb, Func<double, double, double> f, out int[] shape)
    {
        shape = BroadcastShape(sa, sb);
        long n = shape.Aggregate(1L, (x, y) => x * y);
        var result = new double[n];
        for (long i = 0; i < n; i++)
        {
            var idx = Unravel(i, shape);
            result[i] = f(At(a, sa, idx), At(b, sb, idx));
        }
        return result;
    }

    public static double[] MatMul(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
        return c;
    }

    public static double[] Transpose2D(double[] a, int rows, int cols)
    {
        var t = new double[a.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    public static void AssertClose(double[] expected, double[] actual, double rtol = 1e-5, double atol = 1e-6, string? what = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e)) { Assert.True(double.IsNaN(a), $"{what} [{i}]: expected NaN, got {a}"); continue; }
            if (double.IsInfinity(e)) { Assert.Equal(e, a); continue; }
            Assert.True(Math.Abs(e - a) <= atol + rtol * Math.Abs(e), $"{what} [{i}]: expected {e}, got {a}");
        }
    }
}
