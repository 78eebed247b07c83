using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The Keras WGAN-GP example's gradient penalty written as a user writes it: an inner tape takes
/// the critic's gradient with respect to its input, an outer tape differentiates the penalty
/// (|grad|_2 - 1)^2 with respect to the critic's weights. Every weight's derivative must equal the
/// finite difference of the penalty (float64 weights), for dense and convolutional critics.
/// </summary>
public abstract class GradientPenaltyTests(string backend) : BackendTest(backend)
{
    private static Tensor Penalty(Layer critic, Tensor x, GradientTape? outer = null)
    {
        Tensor gx;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            gx = inner.Gradient(NF.ReduceSum(critic.Call(x)), x);
        }
        var norms = NF.Sqrt(NF.ReduceSum(NF.Square(NF.Reshape(gx, [gx.Shape[0], -1])), 1));
        return NF.ReduceMean(NF.Square(norms - 1));
    }

    private static void CheckAgainstFiniteDifferences(Layer critic, Tensor x)
    {
        critic.Call(x); // build
        var weights = critic.TrainableVariables;
        Tensor[] analytic;
        using (var outer = new GradientTape())
            analytic = outer.Gradient(Penalty(critic, x), weights.Cast<Tensor>().ToList());
        const double h = 1e-6;
        foreach (var (w, g) in weights.Zip<Variable, Tensor?>(analytic))
        {
            var values = w.ToArray<double>();
            // The last layer's bias does not reach the input gradient: no gradient (TensorFlow's None), so 0.
            var grad = g?.ToArray<double>() ?? new double[values.Length];
            for (int i = 0; i < values.Length; i += Math.Max(1, values.Length / 7))
            {
                double Value(double at)
                {
                    var moved = (double[])values.Clone();
                    moved[i] = at;
                    w.Assign(NF.Constant(moved, w.Shape.ToArray()));
                    return Penalty(critic, x).Item<double>();
                }
                double numeric = (Value(values[i] + h) - Value(values[i] - h)) / (2 * h);
                w.Assign(NF.Constant(values, w.Shape.ToArray()));
                Assert.True(Math.Abs(numeric - grad[i]) <= 1e-6 + 1e-5 * Math.Abs(numeric),
                    $"{w.Name}[{i}]: finite differences {numeric}, gradient of the penalty {grad[i]}");
            }
        }
    }

    [SkippableFact]
    public void Dense_critic_penalty_gradient_matches_finite_differences()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        var critic = new Sequential(
            new Layers.Dense(6, activation: "tanh") { VariableDType = DType.Float64 },
            new Layers.LayerNormalization { VariableDType = DType.Float64 },
            new Layers.Dense(5, activation: "softplus") { VariableDType = DType.Float64 },
            new Layers.Dense(1) { VariableDType = DType.Float64 });
        CheckAgainstFiniteDifferences(critic, NF.Random.Normal([4, 3], dtype: DType.Float64));
    }

    [SkippableFact]
    public void Convolutional_critic_penalty_gradient_matches_finite_differences()
    {
        RequireBackend();
        NF.Random.SetSeed(12);
        var critic = new Sequential(
            new Layers.Conv2D(3, 3, strides: 2, padding: "same", activation: "elu") { VariableDType = DType.Float64 },
            new Layers.Flatten(),
            new Layers.Dense(1) { VariableDType = DType.Float64 });
        CheckAgainstFiniteDifferences(critic, NF.Random.Normal([2, 5, 5, 1], dtype: DType.Float64));
    }

    // The example's critic step (loss = mean score + 10 * penalty, Adam) as a user wraps it in
    // NF.Function (tf.function): the nested tapes are traced and replayed, and each step's loss
    // and the weights equal the eager step's bit for bit.
    [SkippableFact]
    public void Penalty_step_replayed_by_NF_Function_equals_the_eager_step()
    {
        RequireBackend();
        static (Sequential Critic, Optimizers.Adam Optimizer) Make()
        {
            NF.Random.SetSeed(13);
            var critic = new Sequential(new Layers.Dense(6, activation: "tanh"), new Layers.Dense(5, activation: "softplus"), new Layers.Dense(1));
            critic.Call(NF.Zeros([4, 3]));
            return (critic, new Optimizers.Adam(0.01));
        }
        static Tensor Step(Sequential critic, Optimizers.Optimizer optimizer, Tensor x)
        {
            using var outer = new GradientTape();
            var loss = NF.ReduceMean(critic.Call(x)) + 10 * Penalty(critic, x);
            var weights = critic.TrainableVariables;
            var grads = outer.Gradient(loss, weights.Cast<Tensor>().ToList());
            optimizer.ApplyGradients(grads.Select((g, i) => g ?? NF.ZerosLike(weights[i])).ToList(), weights);
            return loss;
        }
        var (eager, eagerOptimizer) = Make();
        var (traced, tracedOptimizer) = Make();
        var step = NF.Function((Tensor x) => Step(traced, tracedOptimizer, x));
        NF.Random.SetSeed(14);
        for (int i = 0; i < 6; i++)
        {
            var x = NF.Random.Normal([4, 3]);
            Assert.Equal(Step(eager, eagerOptimizer, x).Item<float>(), step(x).Item<float>());
        }
        var info = TracedFunction.Of(step);
        Assert.True(info.LastCallReplayed, info.EagerReason);
        for (int i = 0; i < eager.Variables.Count; i++)
            Assert.Equal(eager.Variables[i].ToArray<float>(), traced.Variables[i].ToArray<float>());
    }
}

public sealed class ManagedGradientPenaltyTests() : GradientPenaltyTests("managed");
public sealed class NativeCpuGradientPenaltyTests() : GradientPenaltyTests("cpu");
public sealed class CudaGradientPenaltyTests() : GradientPenaltyTests("cuda");
