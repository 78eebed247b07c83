using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// tf.function's variable creation (the tf.function guide, "Creating tf.Variables"): variables created by the first
/// trace are lifted out of it (made and initialized once, read by the plan); the second call traces again as the singleton check
/// (tf.function traces twice), so replays start at the third call, and a later trace that creates variables throws. Every reference is the same C# code run eagerly on the same values, so no peer numbers are needed.
/// </summary>
public abstract class FunctionLiftTests(string backend) : BackendTest(backend)
{
    private static Tensor Input(int rows, float phase)
    {
        var v = new float[rows, 4];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < 4; j++)
                v[i, j] = MathF.Sin(0.9f * i + 1.7f * j + phase);
        return NF.Constant(v);
    }

    [SkippableFact]
    public void A_dense_layer_built_by_the_first_call_traces_it_the_second_checks_it_and_the_third_replays_equal_to_eager()
    {
        RequireBackend();
        try
        {
            using var log = new WarningLogCapture();
            NF.Random.SetSeed(3);
            var dense = new Layers.Dense(3, activation: "tanh");
            var f = NF.Function((Tensor x) => dense.Call(x));
            var info = TracedFunction.Of(f);
            var first = f(Input(5, 0)).ToArray<float>();
            Assert.Null(info.EagerReason);
            Assert.Equal(1, info.TraceCount);
            Assert.False(info.LastCallReplayed);
            Assert.Equal(2, dense.Variables.Count);
            // The layer's weights are real variables, made once: the eager call reads the same ones.
            Assert.Equal(dense.Call(Input(5, 0)).ToArray<float>(), first, new UserProbe24.Near(1e-6f));
            var kernel = dense.Variables[0].ToArray<float>();
            // The second call traces again, creating nothing (tf.function's singleton check); the third replays.
            for (int call = 1; call <= 3; call++)
            {
                var y = f(Input(5, call)).ToArray<float>();
                Assert.Equal(call > 1, info.LastCallReplayed);
                Assert.Equal(dense.Call(Input(5, call)).ToArray<float>(), y, new UserProbe24.Near(1e-6f));
            }
            // The replays neither re-initialized the kernel nor drew its random numbers again.
            Assert.Equal(kernel, dense.Variables[0].ToArray<float>());
            Assert.Equal(2, info.TraceCount);
            Assert.Equal(2, info.ReplayCount);
            Assert.Equal(2, dense.Variables.Count);
            Assert.Empty(log.Text);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }   // the seed set here must not reach the next class
    }

    [SkippableFact]
    public void The_replays_leave_the_random_generator_where_eager_calls_leave_it()
    {
        RequireBackend();
        try
        {
            // An eager layer built by its first call, then two calls; the same with the layer built inside the function.
            float[] After(bool compiled)
            {
                NF.Random.SetSeed(21);
                var dense = new Layers.Dense(2);
                Func<Tensor, Tensor> body = x => dense.Call(x);
                var call = compiled ? NF.Function(body) : body;
                for (int i = 0; i < 3; i++) call(Input(2, i));
                return NF.Random.Uniform([4]).ToArray<float>();
            }
            Assert.Equal(After(compiled: false), After(compiled: true));
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }   // the seed set here must not reach the next class
    }

    [SkippableFact]
    public void The_guides_singleton_counter_counts_each_call_and_then_replays()
    {
        RequireBackend();
        // The guide's Count module: `if self.count is None: self.count = tf.Variable(0)`, then `assign_add(1)`.
        Variable? count = null;
        var f = NF.Function((Tensor step) =>
        {
            count ??= new Variable(0f, name: "count");
            count.AssignAdd(step);
            return count * 1;
        });
        var info = TracedFunction.Of(f);
        for (int i = 1; i <= 5; i++)
            Assert.Equal(i, f(NF.Constant(1f)).Item<float>());
        // The first trace updated the variable it created, so the second traced again (no variable made: a singleton).
        Assert.Equal(2, info.TraceCount);
        Assert.Equal(3, info.ReplayCount);
        Assert.True(info.LastCallReplayed, info.EagerReason);
        Assert.Equal(5f, count!.Item<float>());
    }

    [SkippableFact]
    public void A_singleton_read_by_the_function_is_made_once_and_replayed_from_the_third_call()
    {
        RequireBackend();
        Variable? scale = null;
        var f = NF.Function((Tensor x) =>
        {
            scale ??= new Variable(NF.Constant(new[] { 1f, 2f, 3f, 4f }) * 0.5f, name: "scale");
            return x * scale;
        });
        var info = TracedFunction.Of(f);
        Assert.Equal(new[] { 0.5f, 1f, 1.5f, 2f }, f(NF.Ones([1, 4])).ToArray<float>());
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, f(NF.Ones([1, 4]) * 2).ToArray<float>());
        Assert.False(info.LastCallReplayed);   // the singleton check: a second trace that creates nothing
        Assert.Equal(new[] { 1.5f, 3f, 4.5f, 6f }, f(NF.Ones([1, 4]) * 3).ToArray<float>());
        Assert.True(info.LastCallReplayed, info.EagerReason);
        scale!.Assign(NF.Constant(new[] { 1f, 1f, 1f, 1f }));   // a replay reads the variable, not its initial value
        Assert.Equal(new[] { 3f, 3f, 3f, 3f }, f(NF.Ones([1, 4]) * 3).ToArray<float>());
        Assert.True(info.LastCallReplayed, info.EagerReason);
    }

    [SkippableFact]
    public void A_retrace_that_creates_variables_again_throws_naming_the_function_and_the_variable()
    {
        RequireBackend();
        // A variable made at every call (not a singleton): the first call is right; its next trace refuses it, as tf.function does.
        Tensor Fresh(Tensor x)
        {
            var fresh = new Variable(NF.Ones(x.Shape), name: "fresh");
            fresh.AssignAdd(x);
            return fresh * 1;
        }
        var f = NF.Function((Func<Tensor, Tensor>)Fresh);
        Assert.Equal(new[] { 1f, 3f }, f(NF.Constant(new[] { 0f, 2f })).ToArray<float>());
        var error = Assert.Throws<InvalidOperationException>(() => f(NF.Constant(new[] { 1f, 1f })));
        Assert.Contains($"NF.Function '{TracedFunction.Of(f).Name}'", error.Message);
        Assert.Contains("Fresh", TracedFunction.Of(f).Name);
        Assert.Contains("variable 'fresh'", error.Message);
        Assert.Contains("singleton", error.Message);
        // A layer made at every call (it only reads its weights): a replay would keep the first call's layer where eager
        // makes a new one each call, so the first trace's plan is not kept and the second call's trace refuses it.
        var g = NF.Function((Tensor x) => new Layers.Dense(2, name: "made_each_call").Call(x));
        g(Input(3, 0));
        var again = Assert.Throws<InvalidOperationException>(() => g(Input(3, 1)));
        Assert.Contains("after its first trace", again.Message);
    }

    [SkippableFact]
    public void An_initial_value_that_cannot_be_lifted_runs_the_first_call_eagerly_with_the_reason_and_the_next_traces()
    {
        RequireBackend();
        using var log = new WarningLogCapture();
        Variable? fromArgument = null;
        var f = NF.Function((Tensor x) =>
        {
            fromArgument ??= new Variable(x * 2, name: "from_x");
            return x + fromArgument;
        });
        var info = TracedFunction.Of(f);
        Assert.Equal(new[] { 3f }, f(NF.Constant(new[] { 1f })).ToArray<float>());
        Assert.Contains("variable 'from_x'", info.EagerReason);
        Assert.Contains("argument 0", info.EagerReason);
        for (int i = 2; i <= 4; i++) Assert.Equal(new[] { i + 2f }, f(NF.Constant(new[] { i * 1f })).ToArray<float>());
        Assert.True(info.LastCallReplayed, info.EagerReason);

        Variable? shared = null;
        var g = NF.Function((Tensor x) =>
        {
            var init = NF.Fill([2], 5f);
            shared ??= new Variable(init, name: "shared");
            return x * init + shared;
        });
        Assert.Equal(new[] { 10f, 15f }, g(NF.Constant(new[] { 1f, 2f })).ToArray<float>());
        Assert.Contains("uses the initial value of variable 'shared'", TracedFunction.Of(g).EagerReason);
        for (int i = 0; i < 3; i++) Assert.Equal(new[] { 5f, 10f }, g(NF.Constant(new[] { 0f, 1f })).ToArray<float>());
        Assert.True(TracedFunction.Of(g).LastCallReplayed, TracedFunction.Of(g).EagerReason);
    }

    [SkippableFact]
    public void A_models_first_fit_steps_under_functions_equal_run_eagerly()
    {
        RequireBackend();
        try
        {
            NF.Random.SetSeed(11);
            var (x, y) = (NF.Random.Normal([48, 4]), NF.Random.Uniform([48], 0, 3, DType.Int32));
            (float[] Loss, float[][] Weights) Run(bool eager)
            {
                NF.Random.SetSeed(12);
                // Built by its first step, and Adam makes its moments at that step: both inside the compiled train step.
                var model = new Sequential(new Layers.Dense(5, activation: "relu"), new Layers.Dense(3));
                model.Compile(new Optimizers.Adam(0.02), new Losses.SparseCategoricalCrossentropy(fromLogits: true), runEagerly: eager);
                var history = model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, shuffle: false);
                if (!eager) Assert.True(model.TrainFunction!.ReplayCount > 0, model.TrainFunction.EagerReason);
                return (history["loss"].Select(l => (float)l).ToArray(), model.Variables.Select(v => v.ToArray<float>()).ToArray());
            }
            var eager = Run(eager: true);
            var compiled = Run(eager: false);
            Assert.Equal(eager.Loss, compiled.Loss, new UserProbe24.Near(1e-5f));
            Assert.Equal(eager.Weights.Length, compiled.Weights.Length);
            for (int i = 0; i < eager.Weights.Length; i++) Assert.Equal(eager.Weights[i], compiled.Weights[i], new UserProbe24.Near(1e-5f));
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }   // the seed set here must not reach the next class
    }
}

public sealed class ManagedFunctionLiftTests() : FunctionLiftTests("managed");

public sealed class NativeCpuFunctionLiftTests() : FunctionLiftTests("cpu");

public sealed class CudaFunctionLiftTests() : FunctionLiftTests("cuda");
