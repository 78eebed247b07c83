using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Every loss in Keras/Losses (and its variants: logits or probabilities, label smoothing, an
/// ignored class, a reduction), trained in a custom step replayed by NF.Function, ends with the
/// eager twin's losses and weights bit for bit. A loss added to the library belongs in this table
/// (the last test checks that it is).
/// </summary>
public abstract class LossReplayParityTests(string backend) : BackendTest(backend)
{
    private const int Classes = 3;

    // The loss, the head's activation (so predictions are what the loss expects), and the targets' kind.
    private static readonly Dictionary<string, (Func<Losses.Loss> Loss, string? Activation, string Targets)> Table = new()
    {
        ["BinaryCrossentropy"] = (() => new Losses.BinaryCrossentropy(), "sigmoid", "binary"),
        ["BinaryCrossentropy_logits_smoothed"] = (() => new Losses.BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1), null, "binary"),
        ["BinaryFocalCrossentropy"] = (() => new Losses.BinaryFocalCrossentropy(), "sigmoid", "binary"),
        ["BinaryFocalCrossentropy_logits_balanced"] = (() => new Losses.BinaryFocalCrossentropy(applyClassBalancing: true, fromLogits: true), null, "binary"),
        ["CategoricalCrossentropy"] = (() => new Losses.CategoricalCrossentropy(), "softmax", "onehot"),
        ["CategoricalCrossentropy_logits_smoothed"] = (() => new Losses.CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.2), null, "onehot"),
        ["CategoricalFocalCrossentropy"] = (() => new Losses.CategoricalFocalCrossentropy(), "softmax", "onehot"),
        ["CategoricalFocalCrossentropy_logits_per_class_smoothed"] =
            (() => new Losses.CategoricalFocalCrossentropy([0.2, 0.5, 0.3], gamma: 1.5, fromLogits: true, labelSmoothing: 0.1), null, "onehot"),
        ["CategoricalHinge"] = (() => new Losses.CategoricalHinge(), null, "onehot"),
        ["CosineSimilarity"] = (() => new Losses.CosineSimilarity(), null, "real"),
        ["Dice"] = (() => new Losses.Dice(), "sigmoid", "binary"),
        ["Dice_per_example"] = (() => new Losses.Dice(axis: [1]), "sigmoid", "binary"),
        ["Hinge"] = (() => new Losses.Hinge(), null, "binary"),
        ["Huber"] = (() => new Losses.Huber(delta: 0.5), null, "real"),
        // A C# function as the loss (Keras' compile(loss=fn)): the keras.io guide's mean squared error written by hand.
        ["LossFunctionWrapper"] = (() => new Losses.LossFunctionWrapper((t, p) => NF.ReduceMean(NF.Square(t - p), [-1])), null, "real"),
        ["KLDivergence"] = (() => new Losses.KLDivergence(), "softmax", "distribution"),
        ["LogCosh"] = (() => new Losses.LogCosh(), null, "real"),
        ["MeanAbsoluteError"] = (() => new Losses.MeanAbsoluteError(), null, "real"),
        ["MeanAbsolutePercentageError"] = (() => new Losses.MeanAbsolutePercentageError(), null, "positive"),
        ["MeanSquaredError"] = (() => new Losses.MeanSquaredError(), null, "real"),
        ["MeanSquaredError_sum"] = (() => new Losses.MeanSquaredError(reduction: "sum"), null, "real"),
        ["MeanSquaredLogarithmicError"] = (() => new Losses.MeanSquaredLogarithmicError(), "softplus", "positive"),
        ["Poisson"] = (() => new Losses.Poisson(), "softplus", "positive"),
        ["SparseCategoricalCrossentropy"] = (() => new Losses.SparseCategoricalCrossentropy(), "softmax", "sparse"),
        ["SparseCategoricalCrossentropy_logits"] = (() => new Losses.SparseCategoricalCrossentropy(fromLogits: true), null, "sparse"),
        ["SparseCategoricalCrossentropy_ignore_class"] = (() => new Losses.SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 1), null, "sparse"),
        ["SquaredHinge"] = (() => new Losses.SquaredHinge(), null, "binary"),
        ["Tversky"] = (() => new Losses.Tversky(0.3, 0.7, axis: [1]), "sigmoid", "binary"),
    };

    // Losses computed on the host (NF.CtcLoss reads the logits back by one host call, which a
    // replay runs again): the test below checks that the step replays with the eager twin's numbers.
    private static readonly Dictionary<string, Func<Losses.Loss>> HostTable = new()
    {
        ["CTC"] = () => new Losses.CTC(),
    };

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Table.Keys) data.Add(name);
        return data;
    }

    private static (Tensor X, Tensor Y) Batch(string targets)
    {
        var x = NF.Random.Normal([8, 5]);
        var labels = NF.Random.Uniform([8], minval: 0, maxval: Classes, dtype: DType.Int32);
        Tensor y = targets switch
        {
            "sparse" => labels,
            "onehot" => NF.OneHot(labels, Classes),
            "binary" => NF.Cast(NF.Greater(NF.Random.Uniform([8, Classes]), 0.5f), DType.Float32),
            "distribution" => NF.Softmax(NF.Random.Normal([8, Classes])),
            "positive" => NF.Random.Uniform([8, Classes], minval: 0.5, maxval: 2),
            _ => NF.Random.Normal([8, Classes]),
        };
        return (x, y);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void A_replayed_training_step_matches_the_eager_one_bit_for_bit(string name)
    {
        RequireBackend();
        var (loss, activation, targets) = Table[name];
        Model Make() => new Sequential(new Layers.Dense(6, activation: "relu"), new Layers.Dense(Classes, activation: activation is null ? null : (ActivationFunction)activation));
        var eager = ReplayParity.Train(Make, loss, _ => Batch(targets), traced: false);
        var replayed = ReplayParity.Train(Make, loss, _ => Batch(targets), traced: true);
        ReplayParity.AssertSame(name, eager, replayed);
    }

    [SkippableFact]
    public void A_host_computed_loss_replays_with_the_same_numbers()
    {
        RequireBackend();
        // Sequences: 6 steps of 5 features, labels 1..2 padded with 0, logits over 3 classes per step.
        static (Tensor X, Tensor Y) Sequences(int _)
        {
            var labels = NF.Random.Uniform([8, 2], minval: 1, maxval: Classes, dtype: DType.Int32);
            return (NF.Random.Normal([8, 6, 5]), labels);
        }
        Model Make() => new Sequential(new Layers.Dense(6, activation: "relu"), new Layers.Dense(Classes));
        foreach (var (name, loss) in HostTable)
        {
            var eager = ReplayParity.Train(Make, loss, Sequences, traced: false);
            var traced = ReplayParity.Train(Make, loss, Sequences, traced: true);
            // The CTC lattice is one recorded host call (FunctionTrace.RunOnHost): the step replays it.
            Assert.True(traced.Function!.ReplayCount > 0, traced.Function.EagerReason);
            Assert.True(eager.Losses.AsSpan().SequenceEqual(traced.Losses), $"{name}: losses differ");
            for (int i = 0; i < eager.Variables.Length; i++)
                Assert.True(eager.Variables[i].AsSpan().SequenceEqual(traced.Variables[i]), $"{name}: variable {i} differs");
        }
    }

    [Fact]
    public void Every_loss_class_is_in_the_table()
    {
        var covered = Table.Keys.Concat(HostTable.Keys).Select(k => k.Split('_')[0]).ToHashSet();
        var missing = typeof(Losses.Loss).Assembly.GetTypes()
            .Where(t => t.IsNestedPublic && t.DeclaringType == typeof(Losses) && !t.IsAbstract && typeof(Losses.Loss).IsAssignableFrom(t))
            .Select(t => t.Name).Where(n => !covered.Contains(n)).ToList();
        Assert.True(missing.Count == 0, "losses without a replay parity case: " + string.Join(", ", missing));
    }
}

public sealed class ManagedLossReplayParityTests() : LossReplayParityTests("managed");

public sealed class NativeCpuLossReplayParityTests() : LossReplayParityTests("cpu");

public sealed class CudaLossReplayParityTests() : LossReplayParityTests("cuda");
