using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe9;

/// <summary>
/// keras.constraints (MaxNorm, NonNeg, UnitNorm, MinMaxNorm) and Dense's kernel_constraint /
/// bias_constraint, which were missing: the dropout recipe "max_norm(3) on the kernel" could not be
/// written. Values from Keras 3's formulas in numpy and from PyTorch SGD steps with the
/// projection after each step (constraint_references.py).
/// </summary>
public abstract class ConstraintTests(string backend) : BackendFileTest(backend)
{
    private static readonly float[] W = [3f, -0.1f, 4f, 0.2f, 0f, -0.2f];

    private static void Near(float[] want, Tensor got, int digits = 5)
    {
        var g = got.ToArray<float>();
        Assert.Equal(want.Length, g.Length);
        for (int i = 0; i < g.Length; i++) Assert.Equal(want[i], g[i], digits);
    }

    [SkippableFact]
    public void Each_constraint_matches_keras_formula()
    {
        RequireBackend();
        var w = NF.Constant(W, [3, 2]);
        Near([1.2f, -0.1f, 1.6f, 0.2f, 0f, -0.2f], new Constraints.MaxNorm().Call(w));
        Near([0.9994449f, -0.03331483f, 0.9987523f, 0.04993762f, 0f, -0.1999999f], new Constraints.MaxNorm(1, axis: 1).Call(w));
        Near([0.6f, -0.3333332f, 0.8f, 0.6666664f, 0f, -0.6666664f], new Constraints.UnitNorm().Call(w));
        Near([1.8f, -0.1333333f, 2.4f, 0.2666666f, 0f, -0.2666666f], new Constraints.MinMaxNorm(0.5, 1, 0.5).Call(w));
        Near([3f, 0f, 4f, 0.2f, 0f, 0f], new Constraints.NonNeg().Call(w));
        var w3 = NF.Constant(Enumerable.Range(0, 12).Select(i => i - 5f).ToArray(), [2, 3, 2]);
        Near([-1.7928429f, -1.3764944f, -1.0757058f, -0.6882472f, -0.35856858f, 0f, 0.35856858f, 0.6882472f, 1.0757058f, 1.3764944f, 1.7928429f, 2.0647416f],
             new Constraints.MaxNorm(3, axis: [0, 1]).Call(w3));
    }

    private static readonly float[] X = [1f, 2f, -1f, 0.5f, -1.5f, 2f, 2f, 0f, 1f, -1f, 1f, 0.5f];
    private static readonly float[] Y = [3f, -2f, 1f, -3f, -2f, -1f, 0.5f, -4f];

    // Dense(2) with kernel max_norm(0.3) and bias non_neg from the reference's start.
    private static (Sequential Model, Layers.Dense Dense) Constrained(Constraints.Constraint? kernel = null, Constraints.Constraint? bias = null)
    {
        var dense = new Layers.Dense(2, kernelConstraint: kernel ?? new Constraints.MaxNorm(0.3), biasConstraint: bias ?? "non_neg");
        var m = new Sequential(Layers.Input([3]), dense);
        m.Compile(new Optimizers.SGD(0.1), "mse");
        dense.Kernel!.Assign(NF.Constant(new[] { 0.1f, -0.2f, 0.3f, 0.05f, -0.15f, 0.25f }, [3, 2]));
        return (m, dense);
    }

    [SkippableFact]
    public void Fit_projects_the_kernel_and_bias_after_every_step()
    {
        RequireBackend();
        var (m, dense) = Constrained();
        // One batch an epoch: three SGD steps, the later ones replayed.
        m.Fit(NF.Constant(X, [4, 3]), NF.Constant(Y, [4, 2]), batchSize: 4, epochs: 3, verbose: 0);
        Near([-0.014949264f, -0.16382152f, 0.27275014f, -0.13316928f, -0.1240316f, -0.21313941f], dense.Kernel!);
        Near([0.15487406f, 0f], dense.Bias!);
    }

    [SkippableFact]
    public void Train_on_batch_and_a_custom_loop_apply_the_constraint_too()
    {
        RequireBackend();
        var (m, dense) = Constrained();
        m.TrainOnBatch(NF.Constant(X, [4, 3]), NF.Constant(Y, [4, 2]));
        Near([0.047945295f, -0.21593739f, 0.2682088f, -0.017187493f, -0.1255597f, 0.049062464f], dense.Kernel!);
        Near([0.054375004f, 0f], dense.Bias!);

        // A variable of one's own: Optimizer.ApplyGradients projects it (Keras' variable.constraint).
        var v = new Variable(NF.Constant(new[] { 1f, -1f, 0.5f })) { Constraint = new Constraints.NonNeg() };
        new Optimizers.SGD(1.0).ApplyGradients([NF.Constant(new[] { 2f, -3f, 0f })], [v]);
        Near([0f, 2f, 0.5f], v);
    }

    [SkippableFact]
    public void A_constraint_set_after_build_reaches_the_weight()
    {
        RequireBackend();
        var dense = new Layers.Dense(2);
        dense.Call(NF.Ones([1, 3]));
        Assert.Null(dense.Kernel!.Constraint);
        dense.KernelConstraint = "unit_norm";
        Assert.IsType<Constraints.UnitNorm>(dense.Kernel.Constraint);
        dense.KernelConstraint = null;
        Assert.Null(dense.Kernel.Constraint);
    }

    [SkippableFact]
    public void Save_and_load_keep_the_constraints_in_keras_config()
    {
        RequireBackend();
        var (m, _) = Constrained(new Constraints.MinMaxNorm(0.1, 0.3, 0.5, axis: [0]));
        var config = m.Layers[0].GetConfig();
        Assert.Equal("MinMaxNorm", config["kernel_constraint"]!["class_name"]!.GetValue<string>());
        Assert.Equal(0.3, config["kernel_constraint"]!["config"]!["max_value"]!.GetValue<double>());
        Assert.Equal("NonNeg", config["bias_constraint"]!["class_name"]!.GetValue<string>());
        string path = Temp.File("constrained.keras");
        m.Save(path);
        var loaded = (Layers.Dense)Model.Load(path).GetLayer(0);
        var k = Assert.IsType<Constraints.MinMaxNorm>(loaded.Kernel!.Constraint);
        Assert.Equal((0.1, 0.3, 0.5), (k.MinValue, k.MaxValue, k.Rate));
        Assert.IsType<Constraints.NonNeg>(loaded.BiasConstraint);
        // Keras' own config: null constraints, and a constraint by class name with a list axis.
        Assert.Null(FromKerasConfig(JsonNode.Parse("null")));
        var fromKeras = Assert.IsType<Constraints.MaxNorm>(FromKerasConfig(JsonNode.Parse("""{"class_name": "MaxNorm", "config": {"max_value": 3, "axis": [0, 1, 2]}}""")));
        Assert.Equal([0, 1, 2], fromKeras.Axis);
    }

    // The loader's path for a Dense config as Keras writes it.
    private static Constraints.Constraint? FromKerasConfig(JsonNode? entry)
    {
        var config = new JsonObject { ["name"] = "d", ["units"] = 2, ["kernel_constraint"] = entry };
        return ((Layers.Dense)KerasSerialization.Deserialize(new JsonObject { ["class_name"] = "Dense", ["config"] = config }, "test")).KernelConstraint;
    }

    [SkippableFact]
    public void A_conv_kernel_constraint_is_applied_after_the_step_and_saved()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var maxNorm = new Constraints.MaxNorm(0.1, axis: [0, 1, 2]);
        var conv = new Layers.Conv2D(3, 2) { KernelConstraint = maxNorm, BiasConstraint = "non_neg" };
        var depthwise = new Layers.DepthwiseConv2D(2) { KernelConstraint = "unit_norm" };
        var m = new Sequential(Layers.Input([4, 4, 2]), conv, depthwise, new Layers.Flatten());
        m.Compile(new Optimizers.SGD(0.0), "mse");   // a zero rate: the step leaves only the projection
        var before = NF.Constant(conv.Kernel!.ToArray<float>(), conv.Kernel.Shape);
        m.TrainOnBatch(NF.Random.Normal([2, 4, 4, 2]), NF.Random.Normal([2, 12]));
        Near(maxNorm.Call(before).ToArray<float>(), conv.Kernel);
        Assert.Equal("depthwise_constraint", depthwise.GetConfig().First(kv => kv.Key.EndsWith("_constraint")).Key);
        string path = Temp.File("conv.keras");
        m.Save(path);
        var loaded = Model.Load(path);
        var c = Assert.IsType<Layers.Conv2D>(loaded.GetLayer(0));
        Assert.Equal([0, 1, 2], Assert.IsType<Constraints.MaxNorm>(c.Kernel!.Constraint).Axis);
        Assert.IsType<Constraints.NonNeg>(c.Bias!.Constraint);
        Assert.IsType<Constraints.UnitNorm>(((Layers.DepthwiseConv2D)loaded.GetLayer(1)).Kernel!.Constraint);
    }

    [SkippableFact]
    public void Bad_constraints_fail_naming_what_is_wrong()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => Constraints.Get("max"));
        Assert.Contains("max_norm", e.Message);
        Assert.Equal("maxValue", Assert.Throws<ArgumentOutOfRangeException>(() => new Constraints.MaxNorm(-1)).ParamName);
        Assert.Equal("maxValue", Assert.Throws<ArgumentOutOfRangeException>(() => new Constraints.MinMaxNorm(2, 1)).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new Constraints.MinMaxNorm(rate: 1.5)).ParamName);
        var axis = Assert.Throws<ArgumentException>(() => new Constraints.UnitNorm(2).Call(NF.Ones([3, 2])));
        Assert.Contains("axis 2", axis.Message);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedConstraintTests() : ConstraintTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuConstraintTests() : ConstraintTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaConstraintTests() : ConstraintTests("cuda");
