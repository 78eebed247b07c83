using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// <c>optimizer.Build(variables)</c>, Keras 3's <c>optimizer.build(var_list)</c>: the slots exist before the first
/// step, so an NF.Function train step traces at its first call instead of running it eagerly to create them
/// (the CycleGAN tutorial's four Adams); the steps are the same numbers as without building, building again or
/// after steps keeps the moments, and a null variable is refused by name.
/// </summary>
public abstract class OptimizerBuildTests(string backend) : BackendTest(backend)
{
    private static (Sequential Model, Tensor X, Tensor Y) Problem()
    {
        var model = new Sequential(Layers.Input([3]), new Layers.Dense(2, kernelInitializer: Initializer.Constant(0.1)));
        var x = NF.Constant(new float[,] { { 1, 2, -1 }, { 0.5f, -1, 2 } });
        var y = NF.Constant(new float[,] { { 1, 0 }, { -1, 2 } });
        return (model, x, y);
    }

    private static Func<Tensor, Tensor, Tensor> Step(Sequential model, Optimizers.Optimizer optimizer) => (x, y) =>
    {
        using var tape = new GradientTape();
        var loss = NF.ReduceMean(NF.Square(model.Call(x) - y));
        optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
        return loss;
    };

    private static float[] ThreeSteps(bool build, bool compiled, bool buildBetween = false)
    {
        var (model, x, y) = Problem();
        var adam = new Optimizers.Adam(0.01, beta1: 0.5);
        if (build) adam.Build(model.TrainableVariables);
        var step = compiled ? NF.Function(Step(model, adam)) : Step(model, adam);
        var losses = new List<float>();
        for (int i = 0; i < 3; i++)
        {
            losses.Add(step(x, y).Item<float>());
            if (buildBetween) adam.Build(model.TrainableVariables);   // keeps the moments it has
            if (compiled && build)
            {
                // Built: the first call traced (no eager run to create the slots), the next ones replay.
                Assert.Null(TracedFunction.Of(step).EagerReason);
                Assert.Equal(1, TracedFunction.Of(step).TraceCount);
                Assert.Equal(i > 0, TracedFunction.Of(step).LastCallReplayed);
            }
        }
        Assert.Equal(3, adam.Iterations);
        return [.. losses, .. model.TrainableVariables.SelectMany(v => v.ToArray<float>())];
    }

    [SkippableFact]
    public void A_built_optimizer_lets_the_first_compiled_call_trace_with_the_same_numbers()
    {
        RequireBackend();
        var plain = ThreeSteps(build: false, compiled: false);
        // Exact on the CPU engines; CUDA's reductions may order their sums differently from run to run.
        var same = new UserProbe24.Near(BackendName is "cuda" ? 1e-6f : 0f);
        Assert.Equal(plain, ThreeSteps(build: true, compiled: false), same);
        Assert.Equal(plain, ThreeSteps(build: true, compiled: false, buildBetween: true), same);
        Assert.Equal(plain, ThreeSteps(build: true, compiled: true), new UserProbe24.Near(1e-6f));   // fused replay kernels
        Assert.Equal(plain, ThreeSteps(build: false, compiled: true), new UserProbe24.Near(1e-6f));
        // Without Build the first compiled call creates the slots (lifted out of its trace) and updates them, so the
        // next call traces again, checking that it makes no variable; the third replays.
        var (model, x, y) = Problem();
        var step = NF.Function(Step(model, new Optimizers.Adam(0.01)));
        var info = TracedFunction.Of(step);
        step(x, y);
        Assert.Null(info.EagerReason);
        Assert.Equal(1, info.TraceCount);
        step(x, y);
        step(x, y);
        Assert.Equal(2, info.TraceCount);
        Assert.True(info.LastCallReplayed, info.EagerReason);
    }

    [SkippableFact]
    public void Build_refuses_a_null_variable_by_name_and_takes_no_null_list()
    {
        RequireBackend();
        var (model, _, _) = Problem();
        var adam = new Optimizers.Adam();
        var e = Assert.Throws<ArgumentException>(() => adam.Build([model.TrainableVariables[0], null!]));
        Assert.Contains("variable 1 is null", e.Message);
        Assert.Throws<ArgumentNullException>(() => adam.Build(null!));
    }
}

/// <summary>Optimizer.Build on the managed backend.</summary>
public sealed class ManagedOptimizerBuildTests() : OptimizerBuildTests("managed");

/// <summary>Optimizer.Build on the native CPU backend.</summary>
public sealed class NativeCpuOptimizerBuildTests() : OptimizerBuildTests("cpu");

/// <summary>Optimizer.Build on CUDA.</summary>
public sealed class CudaOptimizerBuildTests() : OptimizerBuildTests("cuda");
