using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// tf.function's <c>input_signature</c> (guide/function.ipynb, "Controlling retracing"): the guide's next_collatz
/// with a 1-D int32 signature takes any length and refuses a matrix and a float vector, naming the argument; a C#
/// number is converted to its spec's dtype as TensorFlow converts a Python number; the concrete function is the
/// signature's; a signature of the wrong length is refused when the function is made.
/// </summary>
public abstract class FunctionInputSignatureTests(string backend) : BackendTest(backend)
{
    private const string VectorSpec = "TensorSpec(shape=(None,), dtype=tf.int32, name=None)";

    private static Func<Tensor, Tensor> NextCollatz(List<string> traces) =>
        NF.Function((Tensor x) =>
        {
            traces.Add($"Tracing with {x.Shape}");
            return NF.Where(NF.Equal(NF.FloorMod(x, 2), 0), NF.FloorDiv(x, 2), 3 * x + 1);
        }, inputSignature: [new TensorSpec([null], DType.Int32)]);

    [SkippableFact]
    public void The_guides_next_collatz_takes_any_length_and_refuses_other_ranks_and_dtypes()
    {
        RequireBackend();
        var traces = new List<string>();
        var nextCollatz = NextCollatz(traces);
        Assert.Equal([4, 1], nextCollatz(NF.Constant(new[] { 1, 2 })).ToArray<int>());
        Assert.Equal([10, 1, 16], nextCollatz(NF.Constant(new[] { 3, 2, 5 })).ToArray<int>());
        // One plan per length (TensorFlow keeps one graph of unknown length); a length seen before replays.
        Assert.Equal([8, 2], nextCollatz(NF.Constant(new[] { 16, 4 })).ToArray<int>());
        Assert.True(TracedFunction.Of(nextCollatz).LastCallReplayed, TracedFunction.Of(nextCollatz).EagerReason);
        Assert.Equal(2, traces.Count);

        var matrix = Assert.Throws<ArgumentException>(() => nextCollatz(NF.Constant(new[,] { { 1, 2 }, { 3, 4 } })));
        Assert.Contains("argument x expected a tensor of shape (None,), got (2, 2)", matrix.Message);
        Assert.Contains($"its input signature is (x: {VectorSpec})", matrix.Message);
        var floats = Assert.Throws<ArgumentException>(() => nextCollatz(NF.Constant(new[] { 1f, 2f })));
        Assert.Contains("argument x expected a tensor of dtype int32, got float32", floats.Message);
        // Refused before the body ran: no trace was added.
        Assert.Equal(2, traces.Count);
        Assert.Equal([VectorSpec], TracedFunction.Of(nextCollatz).InputSignature!.Select(s => s.ToString()));
    }

    [SkippableFact]
    public void A_csharp_number_takes_its_specs_dtype_when_no_value_is_lost_by_kind()
    {
        RequireBackend();
        var half = NF.Function((Tensor x) => x / 2, inputSignature: [new TensorSpec([], DType.Float32)]);
        var fromInt = half(3);
        Assert.Equal(DType.Float32, fromInt.DType);
        Assert.Equal(1.5f, fromInt.Item<float>());
        Assert.Equal(1.25f, half(2.5).Item<float>());

        var square = NF.Function((Tensor n) => n * n, inputSignature: [new TensorSpec([], DType.Int64)]);
        var fromIntToLong = square(7);
        Assert.Equal(DType.Int64, fromIntToLong.DType);
        Assert.Equal(49L, fromIntToLong.Item<long>());
        // A fractional number for an integer spec is refused, as TensorFlow refuses 2.5 for a tf.int64 spec.
        Assert.Contains("argument n expected a tensor of dtype int64, got float",
                        Assert.Throws<ArgumentException>(() => square(2.5)).Message);
        // A tensor (not a C# number) of another dtype is refused, not converted.
        Assert.Contains("argument n expected a tensor of dtype int64, got int32",
                        Assert.Throws<ArgumentException>(() => square(NF.Constant(7))).Message);
    }

    [SkippableFact]
    public void The_concrete_function_is_the_signatures_and_a_signature_must_fit_the_arguments()
    {
        RequireBackend();
        var affine = NF.Function((Tensor x, Tensor w) => NF.MatMul(x, w),
                                 inputSignature: [new TensorSpec([null, 3]), new TensorSpec([3, 2])]);
        var concrete = affine.GetConcreteFunction();
        Assert.Equal(["TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)", "TensorSpec(shape=(3, 2), dtype=tf.float32, name=None)"],
                     concrete.StructuredInputSignature.Select(s => s.ToString()));
        var y = concrete.Call(NF.Ones([4, 3]), NF.Ones([3, 2]))[0];
        Assert.Equal(Enumerable.Repeat(3f, 8), y.ToArray<float>());
        Assert.Equal("TensorSpec(shape=(4, 2), dtype=tf.float32, name=None)", concrete.StructuredOutputs[0].ToString());
        // Example arguments must fit the signature; the concrete function is still the signature's.
        Assert.Equal("TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)",
                     affine.GetConcreteFunction(NF.Ones([5, 3]), new TensorSpec([3, 2])).StructuredInputSignature[0].ToString());
        Assert.Contains("which the input signature's TensorSpec(shape=(None, 3)",
                        Assert.Throws<ArgumentException>(() => affine.GetConcreteFunction(NF.Ones([5, 4]), NF.Ones([3, 2]))).Message);

        Assert.Contains("the input signature has 1 spec, but the function takes 2 arguments (x, w)",
                        Assert.Throws<ArgumentException>(() => NF.Function((Tensor x, Tensor w) => x + w, inputSignature: [new TensorSpec([])])).Message);
        Assert.Contains("the input signature's spec for w is null",
                        Assert.Throws<ArgumentException>(() => NF.Function((Tensor x, Tensor w) => x + w, inputSignature: [new TensorSpec([]), null!])).Message);
    }

    [SkippableFact]
    public void A_training_step_with_a_signature_replays_as_one_without_it()
    {
        RequireBackend();
        float[] Run(bool signature)
        {
            var w = new Variable(NF.Constant(new[,] { { 0.5f }, { -0.25f } }));
            var optimizer = new Keras.Optimizers.SGD(0.1);
            Func<Tensor, Tensor, Tensor> body = (x, y) =>
            {
                using var tape = new GradientTape();
                var loss = NF.ReduceMean(NF.Square(NF.MatMul(x, w) - y));
                optimizer.ApplyGradients(tape.Gradient(loss, [w]), [w]);
                return loss;
            };
            var step = signature
                ? NF.Function(body, inputSignature: [new TensorSpec([null, 2]), new TensorSpec([null, 1])])
                : NF.Function(body);
            var losses = new List<float>();
            for (int i = 0; i < 4; i++)
            {
                var x = NF.Constant(new[,] { { 1f, 2f }, { 3f, i }, { -1f, 0.5f } });
                losses.Add(step(x, NF.Constant(new[,] { { 1f }, { 0f }, { 2f } })).Item<float>());
            }
            Assert.True(TracedFunction.Of(step).LastCallReplayed, TracedFunction.Of(step).EagerReason);
            return [.. losses, .. w.ToArray<float>()];
        }
        Assert.Equal(Run(signature: false), Run(signature: true));
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedFunctionInputSignatureTests() : FunctionInputSignatureTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuFunctionInputSignatureTests() : FunctionInputSignatureTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaFunctionInputSignatureTests() : FunctionInputSignatureTests("cuda");
