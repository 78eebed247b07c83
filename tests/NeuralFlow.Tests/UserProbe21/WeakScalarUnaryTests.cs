namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// A unary op of a C# number stays a C# number (a weak scalar) that takes the dtype of the tensor it meets, as
/// TensorFlow's tf.math.log(2. * np.pi) does in the CVAE tutorial's log_normal_pdf. Before, NF.Log(2.0 * Math.PI)
/// and NF.Exp(-0.0) were float64 tensors, and adding them to float32 activations threw "dtypes must match".
/// </summary>
public abstract class WeakScalarUnaryTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Functions_of_csharp_numbers_take_the_dtype_of_the_tensor_they_meet()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1f, -2f });
        var log2pi = NF.Log(2.0 * Math.PI);
        var sum = x + log2pi;
        Assert.Equal(DType.Float32, sum.DType);
        // The number is rounded to float32 first, then added in float32 (as TensorFlow adds a float32 constant).
        Assert.Equal(new[] { 1f + (float)Math.Log(2 * Math.PI), -2f + (float)Math.Log(2 * Math.PI) }, sum.ToArray<float>());
        // log_normal_pdf(z, 0., 0.): (z - 0.) ** 2. * tf.exp(-0.) + 0.
        var mean = (Tensor)0.0;
        var logvar = (Tensor)0.0;
        var terms = NF.Pow(x - mean, 2.0) * NF.Exp(-logvar) + logvar;
        Assert.Equal(DType.Float32, terms.DType);
        Assert.Equal(new[] { 1f, 4f }, terms.ToArray<float>());
        Assert.Equal(DType.Float32, (NF.Sigmoid(0.5f) * x).DType);
        Assert.Equal(DType.Float32, (NF.Sqrt(2) * x).DType);   // an int's square root is a float, which the float32 tensor takes

        // Alone, the number keeps its own precision; with a float64 tensor nothing is rounded to float32.
        Assert.Equal(DType.Float64, NF.Exp(2.0).DType);
        Assert.Equal(Math.Exp(2.0), NF.Exp(2.0).Item<double>(), 14);
        var x64 = NF.Constant(new[] { 0.25 });
        Assert.Equal(0.25 + Math.Log(2 * Math.PI), (x64 + log2pi).ToArray<double>()[0]);
        // Integer ops of an integer stay integers, and take an int32 tensor's dtype.
        var ints = NF.Constant(new[] { 5, 7 });
        var shifted = ints + NF.Abs(-3);
        Assert.Equal(DType.Int32, shifted.DType);
        Assert.Equal(new[] { 8, 10 }, shifted.ToArray<int>());
        Assert.Equal(new[] { 2, 4 }, (ints + NF.Negative(3L)).ToArray<int>());

        // The same inside a compiled function (a trace sees a constant).
        var f = NF.Function((Tensor z) => NF.ReduceSum(-0.5f * (NF.Square(z) + NF.Log(2.0 * Math.PI))));
        double want = -0.5 * (1 + 4 + 2 * Math.Log(2 * Math.PI));
        Assert.Equal(want, f(x).Item<float>(), 5);
        Assert.Equal(want, f(x).Item<float>(), 5);
    }
}

/// <summary>Weak scalars through unary ops on the managed backend.</summary>
public sealed class ManagedWeakScalarUnaryTests() : WeakScalarUnaryTests("managed");

/// <summary>Weak scalars through unary ops on the native CPU backend.</summary>
public sealed class NativeCpuWeakScalarUnaryTests() : WeakScalarUnaryTests("cpu");

/// <summary>Weak scalars through unary ops on CUDA.</summary>
public sealed class CudaWeakScalarUnaryTests() : WeakScalarUnaryTests("cuda");
