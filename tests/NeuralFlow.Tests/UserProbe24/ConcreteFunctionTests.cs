using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// tf.function's <c>get_concrete_function</c> (guide/function.ipynb, "Obtaining concrete functions"): a concrete
/// function of one signature, from an example tensor or a TensorSpec, callable only with matching tensors (a wrong
/// dtype or shape is refused naming the argument), printing its inputs and output type as TensorFlow prints a
/// ConcreteFunction, replaying without retracing; <c>experimental_get_tracing_count</c> and
/// <c>pretty_printed_concrete_signatures</c>.
/// </summary>
public abstract class ConcreteFunctionTests(string backend) : BackendTest(backend)
{
    private const string IntSpec = "TensorSpec(shape=(), dtype=tf.int32, name=None)";

    [SkippableFact]
    public void A_concrete_function_from_an_example_tensor_prints_its_signature_and_replays()
    {
        RequireBackend();
        var doubled = NF.Function((Tensor x) => x + x);
        var concrete = doubled.GetConcreteFunction(NF.Constant(1));
        Assert.Equal([IntSpec], concrete.StructuredInputSignature.Select(s => s.ToString()));
        Assert.False(concrete.IsTraced);
        Assert.Throws<InvalidOperationException>(() => concrete.StructuredOutputs);

        Assert.Equal(4, concrete.Call(NF.Constant(2))[0].Item<int>());
        Assert.Equal(1, doubled.ExperimentalGetTracingCount());
        Assert.Equal(10, concrete.Call(NF.Constant(5))[0].Item<int>());
        Assert.True(TracedFunction.Of(doubled).LastCallReplayed, TracedFunction.Of(doubled).EagerReason);
        Assert.Equal(1, doubled.ExperimentalGetTracingCount());
        Assert.Equal([IntSpec], concrete.StructuredOutputs.Select(s => s.ToString()));
        Assert.Equal($"ConcreteFunction Input Parameters:\n  x (POSITIONAL_ONLY): {IntSpec}\nOutput Type:\n  {IntSpec}", concrete.ToString());

        // The guide's "Using a concrete trace with incompatible types will throw an error".
        var wrongType = Assert.Throws<ArgumentException>(() => concrete.Call(NF.Constant(2f)));
        Assert.Contains("argument x expected a tensor of dtype int32, got float32", wrongType.Message);
        var wrongShape = Assert.Throws<ArgumentException>(() => concrete.Call(NF.Constant(new[] { 1, 2 })));
        Assert.Contains("argument x expected a tensor of shape (), got (2,)", wrongShape.Message);
        Assert.Throws<ArgumentException>(() => concrete.Call(NF.Constant(1), NF.Constant(2)));
        Assert.Equal(1, doubled.ExperimentalGetTracingCount());
    }

    [SkippableFact]
    public void A_spec_reuses_the_trace_of_a_call_and_unknown_dimensions_take_any_size()
    {
        RequireBackend();
        var scale = NF.Function((Tensor x, Tensor factor) => x * factor);
        scale(NF.Ones([2, 3]), NF.Constant(2f));
        var traced = scale.GetConcreteFunction(new TensorSpec([2, 3]), NF.Constant(5f));
        Assert.True(traced.IsTraced);
        Assert.Equal("TensorSpec(shape=(2, 3), dtype=tf.float32, name=None)", traced.StructuredOutputs[0].ToString());
        Assert.Equal(new float[6].Select(_ => 3f), traced.Call(NF.Ones([2, 3]), NF.Constant(3f))[0].ToArray<float>());
        Assert.Equal(1, scale.ExperimentalGetTracingCount());

        var anyRows = scale.GetConcreteFunction(new TensorSpec([null, 3]), new TensorSpec([]));
        Assert.Equal(new float[3].Select(_ => 2f), anyRows.Call(NF.Ones([1, 3]), NF.Constant(2f))[0].ToArray<float>());
        anyRows.Call(NF.Ones([4, 3]), NF.Constant(2f));
        Assert.Equal("TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)", anyRows.StructuredOutputs[0].ToString());
        var ex = Assert.Throws<ArgumentException>(() => anyRows.Call(NF.Ones([4, 2]), NF.Constant(2f)));
        Assert.Contains("argument x expected a tensor of shape (None, 3), got (4, 2)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => anyRows.Call(NF.Ones([4, 3]), NF.Constant(2.0)));
        Assert.Contains("argument factor expected a tensor of dtype float32, got float64", ex.Message);

        var signatures = scale.PrettyPrintedConcreteSignatures();
        Assert.Contains("Input Parameters:\n  x (POSITIONAL_ONLY): TensorSpec(shape=(4, 3), dtype=tf.float32, name=None)\n  factor (POSITIONAL_ONLY): TensorSpec(shape=(), dtype=tf.float32, name=None)\n"
                        + "Output Type:\n  TensorSpec(shape=(4, 3), dtype=tf.float32, name=None)", signatures);
        Assert.Equal(3, signatures.Split("\n\n").Length);
    }

    [SkippableFact]
    public void Inputs_that_fit_no_signature_are_refused_naming_the_argument()
    {
        RequireBackend();
        var f = NF.Function((Tensor a, Tensor b) => a - b);
        Assert.Contains("takes 2 arguments, got 1", Assert.Throws<ArgumentException>(() => f.GetConcreteFunction(NF.Constant(1))).Message);
        Assert.Contains("argument b must be a Tensor or a TensorSpec, got String",
                        Assert.Throws<ArgumentException>(() => f.GetConcreteFunction(NF.Constant(1), "b")).Message);
        Assert.Contains("argument a is TensorSpec(shape=<unknown>",
                        Assert.Throws<ArgumentException>(() => f.GetConcreteFunction(new TensorSpec(null), NF.Constant(1))).Message);
        Func<int, int> plain = i => i;
        Assert.Throws<ArgumentException>(() => plain.GetConcreteFunction(NF.Constant(1)));
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedConcreteFunctionTests() : ConcreteFunctionTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuConcreteFunctionTests() : ConcreteFunctionTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaConcreteFunctionTests() : ConcreteFunctionTests("cuda");
