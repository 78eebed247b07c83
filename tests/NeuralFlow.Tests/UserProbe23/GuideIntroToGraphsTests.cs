namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// TensorFlow's "Introduction to graphs and tf.function" guide (guide/intro_to_graphs.ipynb) in C#:
/// a traced function gives the eager numbers, nests other functions, branches on a value (NeuralFlow
/// runs such a function eagerly, saying why, where TensorFlow's AutoGraph makes a graph branch),
/// retraces per input signature, runs C# side effects at trace time only while <c>NF.Print</c> prints
/// at every call, and <c>NF.RunFunctionsEagerly</c> (tf.config.run_functions_eagerly) runs the body each
/// call. The speed-up is not timed here. Numbers are the guide's or hand computation.
/// </summary>
public abstract class GuideIntroToGraphsTests(string backend) : BackendTest(backend)
{
    private static Tensor ARegularFunction(Tensor x, Tensor y, Tensor b) => NF.MatMul(x, y) + b;

    [SkippableFact]
    public void A_traced_function_gives_the_eager_numbers_and_nests_plain_functions()
    {
        RequireBackend();
        var aFunctionThatUsesAGraph = NF.Function((Tensor x, Tensor y, Tensor b) => ARegularFunction(x, y, b));
        var x1 = NF.Constant(new[,] { { 1.0f, 2.0f } });
        var y1 = NF.Constant(new[,] { { 2.0f }, { 3.0f } });
        var b1 = NF.Constant(4.0f);
        var origValue = ARegularFunction(x1, y1, b1).ToArray<float>();
        Assert.Equal([12f], origValue);
        Assert.Equal(origValue, aFunctionThatUsesAGraph(x1, y1, b1).ToArray<float>());
        Assert.Equal(origValue, aFunctionThatUsesAGraph(x1, y1, b1).ToArray<float>());
        Assert.True(TracedFunction.Of(aFunctionThatUsesAGraph).LastCallReplayed);

        var outerFunction = NF.Function((Tensor x) =>
        {
            var y = NF.Constant(new[,] { { 2.0f }, { 3.0f } });
            var b = NF.Constant(4.0f);
            return ARegularFunction(x, y, b);
        });
        Assert.Equal([12f], outerFunction(x1).ToArray<float>());
        Assert.Equal([16f], outerFunction(NF.Constant(new[,] { { 3.0f, 2.0f } })).ToArray<float>());   // 3*2 + 2*3 + 4
        Assert.True(TracedFunction.Of(outerFunction).LastCallReplayed);
    }

    [SkippableFact]
    public void A_branch_on_a_value_runs_eagerly_and_takes_the_right_branch()
    {
        RequireBackend();
        Tensor SimpleRelu(Tensor x) => NF.Greater(x, 0).Item<bool>() ? x : NF.ZerosLike(x);
        var tfSimpleRelu = NF.Function((Tensor x) => SimpleRelu(x));
        var log = new StringWriter();
        var previous = NF.WarningLog;
        NF.WarningLog = log;
        try
        {
            Assert.Equal(1, tfSimpleRelu(NF.Constant(1)).Item<int>());
            Assert.Equal(0, tfSimpleRelu(NF.Constant(-1)).Item<int>());
            Assert.Equal(1, tfSimpleRelu(NF.Constant(1)).Item<int>());
        }
        finally
        {
            NF.WarningLog = previous;
        }
        Assert.False(TracedFunction.Of(tfSimpleRelu).LastCallReplayed);
        Assert.NotNull(TracedFunction.Of(tfSimpleRelu).EagerReason);
        Assert.Contains("eagerly", log.ToString());

        // The graph-friendly form: a select, which does trace.
        var myRelu = NF.Function((Tensor x) => NF.Maximum(0f, x));
        Assert.Equal(5.5f, myRelu(NF.Constant(5.5f)).Item<float>());
        Assert.Equal([1f, 0f], myRelu(NF.Constant(new[] { 1f, -1f })).ToArray<float>());
        Assert.Equal([3f, 0f], myRelu(NF.Constant(new[] { 3f, -3f })).ToArray<float>());
        Assert.Equal(0f, myRelu(NF.Constant(-2.5f)).Item<float>());
        Assert.Equal([0f, 1f], myRelu(NF.Constant(new[] { -1f, 1f })).ToArray<float>());
        // Two signatures, a float32 scalar and a float32 vector of two; the later calls reuse them.
        Assert.Equal(2, TracedFunction.Of(myRelu).TraceCount);
        Assert.True(TracedFunction.Of(myRelu).LastCallReplayed);
    }

    [SkippableFact]
    public void Side_effects_run_at_trace_time_print_runs_every_call_and_functions_can_run_eagerly()
    {
        RequireBackend();
        var yTrue = NF.Constant(new[] { 1, 5, 3, 9, 0 });
        var yPred = NF.Constant(new[] { 4, 5, 9, 1, 2 });
        int calculating = 0;
        var getMse = NF.Function((Tensor t, Tensor p) =>
        {
            calculating++;   // the guide's print("Calculating MSE!")
            var sqDiff = NF.Pow(t - p, 2);
            return NF.ReduceMean(sqDiff);
        });
        // int32 in, int32 out: (9 + 0 + 36 + 64 + 4) / 5 = 22.6, truncated as TensorFlow's integer mean.
        var error = getMse(yTrue, yPred);
        Assert.Equal(DType.Int32, error.DType);
        Assert.Equal(22, error.Item<int>());
        getMse(yTrue, yPred);
        getMse(yTrue, yPred);
        Assert.Equal(1, calculating);

        NF.RunFunctionsEagerly = true;
        try
        {
            for (int i = 0; i < 3; i++) Assert.Equal(22, getMse(yTrue, yPred).Item<int>());
            Assert.Equal(4, calculating);
            Assert.False(TracedFunction.Of(getMse).LastCallReplayed);
        }
        finally
        {
            NF.RunFunctionsEagerly = false;
        }
        getMse(yTrue, yPred);
        Assert.Equal(4, calculating);
        Assert.True(TracedFunction.Of(getMse).LastCallReplayed);
        Assert.Equal(1, TracedFunction.Of(getMse).TraceCount);

        // tf.print prints at every call.
        var printed = new StringWriter();
        var withPrint = NF.Function((Tensor x) =>
        {
            NF.Print(printed, "x:", x);
            return x * x + NF.Constant(2);
        });
        Assert.Equal(6, withPrint(NF.Constant(2)).Item<int>());
        Assert.Equal(11, withPrint(NF.Constant(3)).Item<int>());
        Assert.Equal(11, withPrint(NF.Constant(3)).Item<int>());
        Assert.Equal(["x: 2", "x: 3", "x: 3"], printed.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        var vector = new StringWriter();
        NF.Print(vector, NF.Constant(new[] { 1, 2, 3 }), new NeuralFlow.Data.StringTensor("done"));
        Assert.Equal("[1 2 3] done", vector.ToString().TrimEnd());   // tf.print's style (UserProbe24.PrintFormatTests)
    }

    [SkippableFact]
    public void An_unused_bad_gather_is_refused_eagerly_and_when_traced()
    {
        RequireBackend();
        // TensorFlow's graph prunes the unused gather and returns x; NeuralFlow traces by running the
        // body, so the bad index is refused at the first call, eagerly or traced, with the same message.
        Tensor UnusedReturn(Tensor x)
        {
            NF.Gather(x, NF.Constant(new[] { 1 }));
            return x;
        }
        var eager = Assert.ThrowsAny<ArgumentException>(() => UnusedReturn(NF.Constant(new[] { 0.0f })));
        Assert.Contains("1", eager.Message);
        var traced = NF.Function((Tensor x) => UnusedReturn(x));
        var e = Assert.ThrowsAny<ArgumentException>(() => traced(NF.Constant(new[] { 0.0f })));
        Assert.Equal(eager.Message, e.Message);
    }

    [SkippableFact]
    public void The_matrix_power_traced_gives_the_eager_numbers()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var x = NF.Random.Uniform([10, 10], minval: -1, maxval: 2, dtype: DType.Int32);
        Tensor Power(Tensor m, int y)
        {
            var result = NF.Eye(10, dtype: DType.Int32);
            for (int i = 0; i < y; i++) result = NF.MatMul(m, result);
            return result;
        }
        var powerAsGraph = NF.Function((Tensor m) => Power(m, 5));
        var expected = Power(x, 5).ToArray<int>();
        Assert.Equal(expected, powerAsGraph(x).ToArray<int>());
        Assert.Equal(expected, powerAsGraph(x).ToArray<int>());
        Assert.True(TracedFunction.Of(powerAsGraph).LastCallReplayed);
        // x^5 by hand-free check: x^2 * x^3.
        Assert.Equal(expected, NF.MatMul(Power(x, 2), Power(x, 3)).ToArray<int>());
    }
}

/// <summary>The graphs guide, on the managed backend.</summary>
public sealed class ManagedGuideIntroToGraphsTests() : GuideIntroToGraphsTests("managed");

/// <summary>The graphs guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuideIntroToGraphsTests() : GuideIntroToGraphsTests("cpu");

/// <summary>The graphs guide, on the CUDA backend.</summary>
public sealed class CudaGuideIntroToGraphsTests() : GuideIntroToGraphsTests("cuda");
