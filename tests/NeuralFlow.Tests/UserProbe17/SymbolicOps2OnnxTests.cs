using Microsoft.ML.OnnxRuntime;
using NeuralFlow.Keras;
using NeuralFlow.Tests.Functional;

namespace NeuralFlow.Tests.UserProbe17;

/// <summary>
/// ExportOnnx writes a functional model's operations (keras.ops on symbolic tensors) as standard
/// opset-17 ops, and ONNX Runtime computes what Predict computes, to 1e-5. Before, any operation
/// made ExportOnnx throw. A form an op's ONNX export does not take (round to decimals) is
/// refused, naming the op.
/// </summary>
public abstract class SymbolicOps2OnnxTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void The_operations_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(171);
        var input = Layers.Input([4], name: "onnx_ops_in");
        var h = new Layers.Dense(4, name: "onnx_ops_dense").Call(input);
        var projection = NF.Constant(new float[,] { { 1, 0, 2, 0 }, { 0, 1, 0, -1 }, { 0.5f, 0, 1, 0 }, { 0, 2, 0, 1 } });
        var features = new[]
        {
            NF.Where(h > 0, NF.Gelu(h), NF.Clip(h, -1, 0.5)) + NF.Gelu(h, approximate: true),
            NF.Maximum(h, 0.1) - NF.Minimum(h, NF.Constant(new float[] { 0, 0.5f, -0.5f, 1 })) + NF.Pow(NF.Abs(h) + 1, 2) + NF.Pow(2, NF.Tanh(h)),
            NF.Sin(h) * NF.Cos(h) + NF.Erf(h) + NF.Erfc(h) + NF.Floor(h) + NF.Round(h * 3) + NF.Sign(h),
            NF.Rsqrt(NF.Square(h) + 1) + NF.Softplus(h) + NF.Silu(h) + NF.LogSoftmax(h) + NF.Log1p(NF.Abs(h)) + NF.Expm1(NF.Clip(h, -1, 1)) + NF.Reciprocal(NF.Abs(h) + 1),
            NF.Softmax(h) + NF.ReduceSum(h, -1, keepDims: true) + NF.ReduceMean(h, [1], keepDims: true) + NF.ReduceMax(h, -1, keepDims: true) + NF.ReduceMin(h, 1, keepDims: true),
            NF.Reshape(NF.Transpose(NF.Reshape(h, [-1, 2, 2]), [0, 2, 1]), [-1, 4]),
            NF.Squeeze(NF.ExpandDims(h, [1, 3]), [1, 3]) + NF.Squeeze(NF.ExpandDims(h, 1)),
            NF.Reshape(NF.Stack([h, -h], axis: 1), [-1, 8]),
            NF.MatMul(h, projection) / 2,
            NF.Cast(h >= 0.2, DType.Float32) + NF.Cast(NF.NotEqual(h, 0), DType.Float32) + NF.Cast(h < 1, DType.Float32)
                + NF.Cast(h <= 0, DType.Float32) + NF.Cast(NF.Equal(NF.Sign(h), 1), DType.Float32),
            NF.Sqrt(NF.Abs(h)) + NF.Log(NF.Abs(h) + 1) + NF.Exp(-h) + NF.Relu(h) + NF.Sigmoid(h) - 1.5,
            // Indexing: ranges with steps, positions, new axes and the ellipsis, the batch axis whole.
            NF.Concat([h[.., 1..3], h[.., NF.Step(.., -1)][.., ^2..], h[NF.Ellipsis, ^1][.., NF.NewAxis], h[.., NF.Step(.., 2)]], axis: -1),
            NF.Reshape(NF.Reshape(h, [-1, 2, 2])[.., 1, NF.NewAxis, ..], [-1, 2]) * h[.., 0..1],
        };
        var output = new Layers.Dense(3, name: "onnx_ops_out").Call(NF.Concat(features, axis: -1));
        var model = new Model(input, output, name: "onnx_ops");
        string path = Temp.File("ops.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        foreach (int n in new[] { 1, 6 })
            FunctionalOnnxTests.AssertSessionMatches(model, session, [NF.Random.Uniform([n, 4], -2, 2)]);
    }

    [SkippableFact]
    public void Ops_without_an_onnx_form_are_refused_by_name()
    {
        RequireBackend();
        var input = Layers.Input([4], name: "onnx_refused_in");
        var h = new Layers.Dense(4, name: "onnx_refused_dense").Call(input);
        var cases = new (KerasTensor Output, string Says)[]
        {
            // Argmax, softmax over several axes, the batch axis and bool outputs export since (UserProbe18.OnnxOperationDTypesTests).
            (NF.Symbolic("Round", new() { ["decimals"] = 2 }, h), "(Round) uses rounding to 2 decimals"),
        };
        foreach (var (output, says) in cases)
        {
            var model = new Model(input, output);
            string path = Temp.File($"refused_{Guid.NewGuid():N}.onnx");
            var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(path));
            Assert.Contains(says, e.Message);
            Assert.False(File.Exists(path));
        }
    }
}

public sealed class ManagedSymbolicOps2OnnxTests() : SymbolicOps2OnnxTests("managed");

public sealed class NativeCpuSymbolicOps2OnnxTests() : SymbolicOps2OnnxTests("cpu");

public sealed class CudaSymbolicOps2OnnxTests() : SymbolicOps2OnnxTests("cuda");
