using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralFlow.Keras;
using NeuralFlow.Tests.Functional;

namespace NeuralFlow.Tests.UserProbe18;

/// <summary>
/// ExportOnnx writes the keras.ops a served model uses beyond float arithmetic, as tf2onnx would:
/// int and bool inputs declared in their dtype, argmax/argmin (ONNX ArgMax/ArgMin, the first index
/// on ties, as int32), comparisons, where, casts and the logical ops on bools and ints, Keras'
/// promotion of mixed operands (an int tensor divided gives float32), softmax over several axes,
/// normalize, and reductions, transposes and indexing over the batch axis; int and bool outputs
/// come out typed. ONNX Runtime computes what Predict computes. Before, each of these was refused
/// ("has no ONNX form", "computes in float32", "batch axis", "output ... is int32").
/// </summary>
public abstract class OnnxOperationDTypesTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Int_bool_and_index_operations_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(1801);
        var x = Layers.Input([6], name: "dt_x");
        var ids = Layers.Input([4], DType.Int32, name: "dt_ids");
        var flag = Layers.Input([4], DType.Bool, name: "dt_flag");
        var h = new Layers.Dense(6, name: "dt_dense").Call(x);
        var h4 = h[.., ..4];
        // A layer reading int ids computes in float, as Keras casts a layer's input.
        var fromIds = new Layers.Dense(4, name: "dt_ids_dense").Call(ids);
        var outputs = new[]
        {
            NF.ArgMax(NF.Relu(h), -1),                      // ties among the zeros: the first index
            NF.ArgMin(NF.Relu(-h), 1, keepDims: true),
            NF.ArgMax(h4, axis: null, keepDims: true),      // over the flattened batch
            h4 > 0.1,
            NF.LogicalAnd(h4 > 0, !(h4 < -1)) | flag ^ (ids > 2),
            NF.Where(ids > 2, ids * 2, ids - 1),
            NF.Where(flag, h4, 0.5) + fromIds,
            NF.Cast(h4 * 3, DType.Int32) + ids,
            ids / 2 + NF.ReduceMean(NF.Cast(ids, DType.Float32), -1, keepDims: true),
            NF.Clip(ids, 1, 3),
            NF.Floor(ids) + NF.Round(ids) + NF.Sign(ids - 2) + NF.Abs(-ids) + NF.Square(ids) + NF.Maximum(ids, 1),
            NF.ReduceSum(NF.Cast(flag, DType.Int32), -1),
            NF.NotEqual(ids, NF.Constant(new[] { 1, 2, 3, 4 })),
            NF.Reshape(NF.Softmax(NF.Reshape(h, [-1, 2, 3]), [1, 2]), [-1, 6]),
            NF.Softmax(h4, [0, 1]),                          // over the batch too (Keras' axis=None)
            h - NF.ReduceMean(h, 0),
            NF.ReduceSum(h) + h,
            NF.ReduceMax(h, [0], keepDims: true),
            NF.Transpose(h),                                  // the batch axis last
            h[^1] + h[NF.Step(.., 2)][0],
            NF.L2Normalize(h, -1),
        };
        var model = new Model([x, ids, flag], outputs, name: "dt_model");
        string path = Temp.File("dtypes.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        Assert.Equal(TensorElementType.Int32, session.InputMetadata["dt_ids"].ElementDataType);
        Assert.Equal(TensorElementType.Bool, session.InputMetadata["dt_flag"].ElementDataType);
        foreach (int n in new[] { 3, 7 })
        {
            using var xs = NF.Random.Uniform([n, 6], -2, 2);
            using var tokens = NF.Random.Uniform([n, 4], 0, 5, DType.Int32);
            using var flags = NF.Random.Uniform([n, 4]) > 0.5;
            FunctionalOnnxTests.AssertSessionMatches(model, session, [xs, tokens, flags]);
        }
        // The logical ops are Keras 3's classes (LogicalAnd, LogicalNot, ...): the model saves and loads as .keras.
        var loaded = Model.Load(SaveTo(model, "dtypes.keras"));
        using var probe = NF.Random.Uniform([2, 6], -2, 2);
        using var probeIds = NF.Random.Uniform([2, 4], 0, 5, DType.Int32);
        using var probeFlags = NF.Random.Uniform([2, 4]) > 0.5;
        var before = model.PredictOutputs([probe, probeIds, probeFlags]);
        var after = loaded.PredictOutputs([probe, probeIds, probeFlags]);
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i].ToDoubleArray(), after[i].ToDoubleArray());
    }

    [SkippableFact]
    public void A_scalar_output_is_declared_without_axes()
    {
        RequireBackend();
        NF.Random.SetSeed(1803);
        var x = Layers.Input([3], name: "dt_scalar_in");
        var h = new Layers.Dense(2, name: "dt_scalar_dense").Call(x);
        var model = new Model(x, [h, NF.ReduceSum(h)], name: "dt_scalar");
        string path = Temp.File("scalar.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        Assert.Empty(session.OutputMetadata[model.OutputNames[1]].Dimensions);
        using var xs = NF.Random.Uniform([5, 3], -1, 1);
        using var value = OrtValue.CreateTensorValueFromMemory(xs.ToArray<float>(), [5, 3]);
        using var options = new RunOptions();
        using var outputs = session.Run(options, ["dt_scalar_in"], [value], model.OutputNames.ToArray());
        // Predict concatenates per-batch results, which a scalar has no axis for: the sum of the predicted h.
        double want = new Model(x, h).Predict(xs).ToDoubleArray().Sum();
        Assert.Empty(outputs[1].GetTensorTypeAndShape().Shape);
        Assert.Equal(want, outputs[1].GetTensorDataAsSpan<float>()[0], 4);
    }

    [SkippableFact]
    public void A_sequential_of_token_ids_is_fed_int32_as_its_input_says()
    {
        RequireBackend();
        NF.Random.SetSeed(1802);
        var model = new Sequential(Layers.Input([5], DType.Int32), [new Layers.Embedding(12, 3, name: "dt_embed"),
            new Layers.Flatten(name: "dt_flat"), new Layers.Dense(2, name: "dt_head")], name: "dt_tokens");
        using var ids = NF.Random.Uniform([4, 5], 0, 12, DType.Int32);
        var want = model.Predict(ids).ToArray<float>();
        string path = Temp.File("tokens.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        Assert.Equal(TensorElementType.Int32, session.InputMetadata["input"].ElementDataType);
        using var value = OrtValue.CreateTensorValueFromMemory(ids.ToArray<int>(), [4, 5]);
        using var options = new RunOptions();
        using var outputs = session.Run(options, ["input"], [value], ["output"]);
        Reference.AssertClose(want.Select(v => (double)v).ToArray(), outputs[0].GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray(), rtol: 1e-5, atol: 1e-5);
    }
}

public sealed class ManagedOnnxOperationDTypesTests() : OnnxOperationDTypesTests("managed");

public sealed class NativeCpuOnnxOperationDTypesTests() : OnnxOperationDTypesTests("cpu");

public sealed class CudaOnnxOperationDTypesTests() : OnnxOperationDTypesTests("cuda");
