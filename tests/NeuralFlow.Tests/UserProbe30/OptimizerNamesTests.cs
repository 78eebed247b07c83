using System.Text.RegularExpressions;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// Optimizers are named as Keras 3 names them (naming.auto_name: the class name in snake case, numbered per process
/// with the counter layers use; a name given to the constructor kept as given), and their state variables carry that
/// name: slots as each Keras optimizer's build() makes them (names, shapes, count, order), moving averages, the
/// step scalars. Reference: OptimizerNamesReference.py (Keras' rules re-stated), whose output is pasted here.
/// </summary>
public abstract class OptimizerNamesTests(string backend) : BackendTest(backend)
{
    // A layer whose class snake-cases to "lamb", as the optimizer's does: Keras numbers both with one counter.
    private sealed class Lamb : Layer
    {
        protected override Tensor Forward(Tensor x) => x;
    }

    // "adam" -> "adam_1", "adam_4" -> "adam_5": the name the next default-named object of that kind gets.
    private static string Successor(string name)
    {
        var m = Regex.Match(name, @"^(.*)_(\d+)$");
        return m.Success ? $"{m.Groups[1].Value}_{int.Parse(m.Groups[2].Value) + 1}" : $"{name}_1";
    }

    private static (Variable Kernel, Variable Bias) DenseWeights()
    {
        var dense = new Layers.Dense(2, name: "dense");
        dense.Call(NF.Ones([1, 3]));
        return (dense.Variables[0], dense.Variables[1]);
    }

    // The slots of the kernel and the bias after one step, as (name, shape) pairs.
    private static ((string?, string)[] Kernel, (string?, string)[] Bias) Slots(Optimizers.Optimizer optimizer)
    {
        var (kernel, bias) = DenseWeights();
        optimizer.ApplyGradients([NF.OnesLike(kernel), NF.OnesLike(bias)], [kernel, bias]);
        var holder = optimizer.StateHolder;
        return (holder.SlotsOf(kernel)!.Select(s => (s.Name, Dims(s.Shape.ToArray()))).ToArray(),
                holder.SlotsOf(bias)!.Select(s => (s.Name, Dims(s.Shape.ToArray()))).ToArray());
    }

    // A shape as text, so that the (name, shape) pairs compare by value (a tuple compares an int[] by reference).
    private static string Dims(int[] shape) => "[" + string.Join(", ", shape) + "]";

    private static (string?, string)[] Named(string prefix, string path, int[] shape, params string[] slots) =>
        slots.Select(s => ((string?)$"{prefix}/{path}_{s}", Dims(shape))).ToArray();

    [SkippableFact]
    public void Default_names_are_the_snake_case_class_name_numbered_per_process_and_given_names_are_kept()
    {
        RequireBackend();
        var first = new Optimizers.Adam();
        var second = new Optimizers.Adam();
        Assert.Matches("^adam(_[0-9]+)?$", first.Name);
        Assert.Equal(Successor(first.Name), second.Name);
        // A given name is kept, even one a default name took, and takes no number from the counter.
        Assert.Equal("adam", new Optimizers.Adam(name: "adam").Name);
        Assert.Equal("adam", new Optimizers.Adam(name: "adam").Name);
        Assert.Equal("generator_optimizer", new Optimizers.SGD(0.1, name: "generator_optimizer").Name);
        var third = (Optimizers.Optimizer)"adam";   // Optimizers.Get: Keras' default name too
        Assert.Equal(Successor(second.Name), third.Name);

        // Keras' to_snake_case of each class name (OptimizerNamesReference.py).
        var expected = new (Optimizers.Optimizer Optimizer, string Name)[]
        {
            (new Optimizers.SGD(), "sgd"), (new Optimizers.RMSprop(), "rm_sprop"), (new Optimizers.Adam(), "adam"),
            (new Optimizers.AdamW(), "adam_w"), (new Optimizers.Adamax(), "adamax"), (new Optimizers.Adagrad(), "adagrad"),
            (new Optimizers.Adadelta(), "adadelta"), (new Optimizers.Nadam(), "nadam"), (new Optimizers.Ftrl(), "ftrl"),
            (new Optimizers.Lion(), "lion"), (new Optimizers.Lamb(), "lamb"), (new Optimizers.Adafactor(), "adafactor"),
            (new Optimizers.Muon(), "muon"), (new Optimizers.ScheduleFreeAdamW(), "schedule_free_adam_w"),
            (new Optimizers.LossScaleOptimizer(new Optimizers.SGD()), "loss_scale_optimizer"),
        };
        foreach (var (optimizer, name) in expected) Assert.Matches($"^{name}(_[0-9]+)?$", optimizer.Name);
    }

    [SkippableFact]
    public void Layers_and_optimizers_are_numbered_by_one_counter_as_in_keras()
    {
        RequireBackend();
        var optimizer = new Optimizers.Lamb();
        var layer = new Lamb();
        Assert.Equal(Successor(optimizer.Name), layer.Name);
        Assert.Equal(Successor(layer.Name), new Optimizers.Lamb().Name);
    }

    [SkippableFact]
    public void A_blank_name_is_refused_naming_the_argument()
    {
        RequireBackend();
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new Optimizers.Adam(name: "")).ParamName);
        var e = Assert.Throws<ArgumentException>(() => new Optimizers.Muon(name: "  "));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("Muon", e.Message);
        Assert.Throws<ArgumentException>(() => new Optimizers.LossScaleOptimizer(new Optimizers.SGD(), name: "\t"));
    }

    [SkippableFact]
    public void Slots_follow_each_keras_build_in_name_shape_count_and_order()
    {
        RequireBackend();
        int[] k = [3, 2], b = [2];
        void Check(Optimizers.Optimizer o, string[] slots)
        {
            var (kernel, bias) = Slots(o);
            Assert.Equal(Named(o.StateHolder.Name, "dense_kernel", k, slots), kernel);
            Assert.Equal(Named(o.StateHolder.Name, "dense_bias", b, slots), bias);
        }
        Check(new Optimizers.SGD(momentum: 0.9, name: "sgd"), ["momentum"]);
        Check(new Optimizers.RMSprop(momentum: 0.5, centered: true, name: "rms"), ["velocity", "momentum", "average_gradient"]);
        Check(new Optimizers.Adam(name: "adam"), ["momentum", "velocity"]);
        Check(new Optimizers.Adam(amsgrad: true, name: "adam"), ["momentum", "velocity", "velocity_hat"]);
        Check(new Optimizers.AdamW(name: "adamw"), ["momentum", "velocity"]);
        Check(new Optimizers.Adamax(name: "adamax"), ["momentum", "norm"]);
        Check(new Optimizers.Adagrad(name: "adagrad"), ["accumulator"]);
        Check(new Optimizers.Adadelta(name: "adadelta"), ["accumulated_grad", "accumulated_delta_var"]);
        Check(new Optimizers.Nadam(name: "nadam"), ["momentum", "velocity"]);
        Check(new Optimizers.Ftrl(name: "ftrl"), ["accumulator", "linear"]);
        Check(new Optimizers.Lion(name: "lion"), ["momentum"]);
        Check(new Optimizers.Lamb(name: "lamb"), ["momentum", "velocity"]);
        // Not in Keras: PyTorch's schedule-free AdamW's z and second moment, in Keras' pattern.
        Check(new Optimizers.ScheduleFreeAdamW(name: "sf"), ["z", "velocity"]);
        // The wrapper's own name is not the slots': its inner optimizer makes and names them.
        var scaled = new Optimizers.LossScaleOptimizer(new Optimizers.Adam(name: "inner"), name: "scaler");
        Assert.Equal("scaler", scaled.Name);
        Check(scaled, ["momentum", "velocity"]);
    }

    [SkippableFact]
    public void Adafactor_and_muon_slots_are_keras_own_names_and_shapes()
    {
        RequireBackend();
        // OptimizerNamesReference.py: r and c are named after the variable itself (add_variable(name=var.name)),
        // shaped shape[:-1] and shape[:-2] + shape[-1:]; scalar placeholders below rank 2; then the velocity.
        var (kernel, bias) = Slots(new Optimizers.Adafactor(name: "adafactor"));
        Assert.Equal([("adafactor/kernel", "[3]"), ("adafactor/kernel", "[2]"), ("adafactor/dense_kernel_velocity", "[3, 2]")], kernel);
        Assert.Equal([("adafactor/bias", "[]"), ("adafactor/bias", "[]"), ("adafactor/dense_bias_velocity", "[2]")], bias);
        // Muon: a momentum for every variable, a velocity too for those it steps with AdamW (the bias: rank 1).
        (kernel, bias) = Slots(new Optimizers.Muon(name: "muon"));
        Assert.Equal([("muon/dense_kernel_momentum", "[3, 2]")], kernel);
        Assert.Equal([("muon/dense_bias_momentum", "[2]"), ("muon/dense_bias_velocity", "[2]")], bias);
    }

    [SkippableFact]
    public void Two_default_adams_name_their_state_apart()
    {
        RequireBackend();
        var (a, b) = (new Optimizers.Adam(), new Optimizers.Adam());
        var (kernelA, _) = Slots(a);
        var (kernelB, _) = Slots(b);
        Assert.Equal($"{a.Name}/dense_kernel_momentum", kernelA[0].Item1);
        Assert.Equal($"{b.Name}/dense_kernel_momentum", kernelB[0].Item1);
        Assert.NotEqual(kernelA[0].Item1, kernelB[0].Item1);
    }

    [SkippableFact]
    public void Moving_averages_and_step_scalars_carry_the_optimizer_name()
    {
        RequireBackend();
        var (kernel, bias) = DenseWeights();
        var ema = new Optimizers.Adam(useEma: true, name: "adam");
        ema.ApplyGradients([NF.OnesLike(kernel), NF.OnesLike(bias)], [kernel, bias]);
        Assert.Equal("adam/dense_kernel_average", ema.AverageOf(kernel)!.Name);
        Assert.Equal("adam/dense_bias_average", ema.AverageOf(bias)!.Name);
        // Built up front (Keras' optimizer.build) the averages are named alike.
        var built = new Optimizers.SGD(useEma: true, name: "sgd");
        built.Build([kernel]);
        Assert.Equal("sgd/dense_kernel_average", built.AverageOf(kernel)!.Name);

        // A composed optimizer's learning rate and step scalars are Keras' "learning_rate" and "iteration" variables.
        var lion = new Optimizers.Lion(name: "lion");
        lion.ApplyGradients([NF.OnesLike(kernel)], [kernel]);
        Assert.Equal(["lion/learning_rate", "lion/iteration"], lion.StepScalarVariables.Select(v => v.Name));
    }

    [SkippableFact]
    public void The_name_is_saved_in_the_compile_config_and_comes_back_as_given()
    {
        RequireBackend();
        var adam = new Optimizers.Adam(0.01);
        var config = CompileConfig.Optimizer(adam);
        Assert.Equal(adam.Name, config["config"]!["name"]!.GetValue<string>());
        Assert.Equal(adam.Name, CompileConfig.Optimizer(config).Name);
        var scaled = new Optimizers.LossScaleOptimizer(new Optimizers.Adam(name: "inner"), name: "scaler");
        var restored = (Optimizers.LossScaleOptimizer)CompileConfig.Optimizer(CompileConfig.Optimizer(scaled));
        Assert.Equal(("scaler", "inner"), (restored.Name, restored.InnerOptimizer.Name));
        // A config written before optimizers were named (no "name") gives a default name.
        var old = CompileConfig.Optimizer(new Optimizers.Nadam());
        ((System.Text.Json.Nodes.JsonObject)old["config"]!).Remove("name");
        Assert.Matches("^nadam(_[0-9]+)?$", CompileConfig.Optimizer(old).Name);
    }
}

public sealed class ManagedOptimizerNamesTests() : OptimizerNamesTests("managed");

public sealed class NativeCpuOptimizerNamesTests() : OptimizerNamesTests("cpu");

public sealed class CudaOptimizerNamesTests() : OptimizerNamesTests("cuda");
