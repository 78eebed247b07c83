using System.IO.Compression;
using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Optimizers2;

/// <summary>
/// Keras 3's Muon and ScheduleFreeAdamW (keras/src/optimizers/muon.py, schedule_free_adamw.py).
/// The Keras-test numbers are those of Keras' own muon_test.py and schedule_free_adamw_test.py,
/// as they are; the multi-step cases come from reference_values.py beside this file, a numpy
/// (float64) reimplementation of both update rules with the base optimizer's weight decay
/// (run: /usr/bin/python3 tests/NeuralFlow.Tests/Optimizers2/reference_values.py).
/// </summary>
public abstract class MuonScheduleFreeTests(string backend) : BackendFileTest(backend)
{
    private static double[] D(Tensor t) => NF.Cast(t, DType.Float64).ToArray<double>();

    private static Variable V(float[] values, Shape shape, string? name = null) => new(NF.Reshape(NF.Constant(values), shape), name: name);

    private static Tensor T(float[] values, Shape shape) => NF.Reshape(NF.Constant(values), shape);

    [SkippableFact]  // muon_test.py: test_Newton_Schulz, test_lr_adjust_none, test_lr_adjust_2d, test_should_use_adamw
    public void Muon_matches_Keras_tests_of_its_parts()
    {
        RequireBackend();
        var muon = new Optimizers.Muon();
        // Keras' expected output at 1e-3; reference_values.py ("keras NS") to 1e-5.
        var ns = D(muon.ZeroPowerViaNewtonSchulz5(T([0.2499f, 0.9105f, 0.2655f, 0.8824f], [2, 2]), 5));
        Reference.AssertClose([-0.4422, 0.6457, 0.7285, 0.2968], ns, 1e-3, 1e-3, "Newton-Schulz (Keras)");
        Reference.AssertClose([-0.4419017197311472, 0.6455914497909698, 0.7281579780079612, 0.2969558594209143], ns, 1e-5, 1e-5, "Newton-Schulz (numpy)");
        Assert.Equal(Enumerable.Repeat(1.0, 16), D(new Optimizers.Muon(rmsRate: null).LrAdjust(NF.Ones([4, 4]))));
        Reference.AssertClose(Enumerable.Repeat(0.4, 8).ToArray(), D(new Optimizers.Muon(rmsRate: 0.2).LrAdjust(NF.Ones([4, 2]))), 1e-6, 1e-6, "lr_adjust 4x2");

        // Keras' backend.Variable is named "variable"; exclude_layers=["var"] matches it.
        Assert.True(new Optimizers.Muon(excludeLayers: ["var"]).UsesAdamW(V([1, 2, 3, 4], [2, 2], "variable")));
        var embedding = new Layers.Embedding(2, 2);
        embedding.EnsureBuilt(new Shape(1, 1));
        Assert.True(muon.UsesAdamW(embedding.Variables[0]));
        Assert.False(muon.UsesAdamW(V([1, 2, 3, 4], [2, 2], "variable")));
        var dense = new Layers.Dense(2);
        dense.EnsureBuilt(new Shape(1, 2));
        Assert.False(muon.UsesAdamW(dense.Variables[0]));                // the kernel: Muon
        Assert.True(muon.UsesAdamW(dense.Variables[1]));                 // the bias (rank 1): AdamW
        Assert.False(new Optimizers.Muon(excludeEmbeddings: false).UsesAdamW(embedding.Variables[0]));
    }

    [SkippableFact]  // muon_test.py: test_adamw_single_step, test_muon_single_step, test_muon_weight_decay, test_adamw_weight_decay
    public void Muon_matches_Keras_single_steps_and_weight_decay()
    {
        RequireBackend();
        // Keras calls update_step alone (no weight decay), so decay is off here.
        var w = V([1, 2, 3, 4], [4]);
        new Optimizers.Muon(0.5, adamWeightDecay: null).ApplyGradients([T([1, 6, 7, 2], [4])], [w]);
        Reference.AssertClose([0.5, 1.5, 2.5, 3.5], D(w), 1e-4, 1e-4, "AdamW single step");
        var m = V([1, 2, 3, 4], [2, 2]);
        new Optimizers.Muon(0.5, weightDecay: 0).ApplyGradients([T([1, 6, 7, 2], [2, 2])], [m]);
        Reference.AssertClose([0.988775, 1.887053, 2.873428, 3.97035], D(m), 1e-2, 1e-2, "Muon single step (Keras)");
        Reference.AssertClose([0.9887748546819835, 1.8870526450371785, 2.873427684821545, 3.970350264671116], D(m), 1e-5, 1e-5, "Muon single step (numpy)");

        // A zero gradient leaves only the decay (Muon orthogonalises 0 to 0; Adam's step is 0):
        // the Muon variable decays by weightDecay, the AdamW one by adamWeightDecay.
        var matrix = V([1, 2, 3, 4], [2, 2]);
        new Optimizers.Muon(1.0, weightDecay: 0.01, adamWeightDecay: 0.5).ApplyGradients([NF.Zeros([2, 2])], [matrix]);
        Reference.AssertClose([0.99, 1.98, 2.97, 3.96], D(matrix), 1e-6, 1e-6, "Muon weight decay");
        var scalar = new Variable(NF.Constant(2f));
        new Optimizers.Muon(1.0, weightDecay: 0.5, adamWeightDecay: 0.01).ApplyGradients([NF.Zeros([])], [scalar]);
        Assert.Equal(1.98, scalar.ToArray<float>()[0], 5);
        // Excluded from weight decay by name: neither rule applies.
        var excluded = V([1, 2, 3, 4], [2, 2], "exclude");
        var o = new Optimizers.Muon(1.0, weightDecay: 0.01);
        o.ExcludeFromWeightDecay(varNames: ["exclude"]);
        o.ApplyGradients([NF.Zeros([2, 2])], [excluded]);
        Assert.Equal([1.0, 2.0, 3.0, 4.0], D(excluded));
    }

    private static readonly float[] W0 = [-0.2f, -0.1f, 0.0f, 0.1f, 0.2f, 0.3f];

    private static (double[] W, double[] B) MuonThreeSteps(Optimizers.Muon o)
    {
        // reference_values.py: W = arange(6).reshape(3, 2) / 10 - 0.2 (tall: NS on its transpose),
        // B = [0.5, -0.5]; step k's gradients sin(arange(6) * k) and cos(arange(2) * k).
        var (w, b) = (V(W0, [3, 2], "dense/kernel"), V([0.5f, -0.5f], [2], "dense/bias"));
        for (int k = 1; k <= 3; k++)
            o.ApplyGradients([T([.. Enumerable.Range(0, 6).Select(i => (float)Math.Sin(i * k))], [3, 2]),
                              T([.. Enumerable.Range(0, 2).Select(i => (float)Math.Cos(i * k))], [2])], [w, b]);
        Assert.Equal(3, o.Iterations);
        Assert.Equal([1, 2], new[] { o.SlotsOf(w)!.Length, o.SlotsOf(b)!.Length });   // m; m and v
        return (D(w), D(b));
    }

    [SkippableFact]
    public void Muon_three_steps_match_numpy()
    {
        RequireBackend();
        var (w, b) = MuonThreeSteps(new Optimizers.Muon(0.1));
        Reference.AssertClose([-0.20673863848921872, -0.16920371432778272, 0.011922396723010611, 0.10836749676457491, 0.21860580896494483, 0.3300521813224686],
            w, 2e-5, 2e-5, "Muon defaults: W");
        Reference.AssertClose([0.1995209461797686, -0.5577045233874846], b, 2e-5, 2e-5, "Muon defaults: B");
        (w, b) = MuonThreeSteps(new Optimizers.Muon(0.1, nesterov: false, rmsRate: null, weightDecay: 0.01, adamWeightDecay: null, adamLrRatio: 0.5, nsSteps: 3));
        Reference.AssertClose([-0.19261358323746683, -0.2887014547591384, -0.05027790198578677, 0.10722937447369281, 0.25918243807987673, 0.41776440844706725],
            w, 2e-5, 2e-5, "Muon without nesterov or rms, 3 NS steps: W");
        Reference.AssertClose([0.3500003612770821, -0.5291936642672761], b, 2e-5, 2e-5, "Muon adamLrRatio 0.5: B");
    }

    [SkippableFact]  // schedule_free_adamw_test.py: test_single_step, test_weight_decay, test_warmup, test_multiple_steps
    public void ScheduleFreeAdamW_matches_Keras_tests()
    {
        RequireBackend();
        var w = V([1, 2, 3, 4], [4]);
        new Optimizers.ScheduleFreeAdamW(0.5).ApplyGradients([T([1, 6, 7, 2], [4])], [w]);
        Assert.False(D(w).Zip(new[] { 1.0, 2, 3, 4 }).All(p => Math.Abs(p.First - p.Second) <= 1e-4 + 1e-4 * Math.Abs(p.Second)), "the step changed nothing");
        Reference.AssertClose([0.500000005, 1.5000000008333334, 2.5000000007142855, 3.5000000025], D(w), 2e-5, 2e-5, "one step (numpy; float32 cancels in (y - (1 - b1) z) / b1)");

        var zero = NF.Zeros([]);
        var (var1, var2) = (new Variable(NF.Constant(2f)), new Variable(NF.Constant(2f), name: "exclude"));
        new Optimizers.ScheduleFreeAdamW(1.0, weightDecay: 0.004).ApplyGradients([zero], [var1]);
        var o2 = new Optimizers.ScheduleFreeAdamW(1.0, weightDecay: 0.004);
        o2.ExcludeFromWeightDecay(varNames: ["exclude"]);
        o2.ApplyGradients([zero, zero], [var1, var2]);
        Assert.Equal(2.0, var2.ToArray<float>()[0], 6);
        // Step 1 averages x to z exactly (weight 1/t = 1) and z started as the undecayed weight, so
        // y returns to 2 with a zero gradient whatever the decay (numpy: sfadamw(2., [0.], 1., wd=.004)).
        Assert.Equal(2.0, var1.ToArray<float>()[0], 5);

        var (plain, warm) = (V([1, 2, 3], [3]), V([1, 2, 3], [3]));
        new Optimizers.ScheduleFreeAdamW(0.5).ApplyGradients([NF.Ones([3])], [plain]);
        new Optimizers.ScheduleFreeAdamW(0.5, warmupSteps: 10).ApplyGradients([NF.Ones([3])], [warm]);
        for (int i = 0; i < 3; i++)
            Assert.True(Math.Abs(D(warm)[i] - (i + 1)) < Math.Abs(D(plain)[i] - (i + 1)), "warmup should shrink the first step");

        var many = V([1, 2, 3], [3]);
        var o = new Optimizers.ScheduleFreeAdamW(0.01);
        for (int k = 0; k < 10; k++) o.ApplyGradients([NF.Fill([3], 0.1, DType.Float32, NF.Backend)], [many]);
        Assert.All(D(many).Zip(new[] { 1.0, 2, 3 }), p => Assert.True(p.First < p.Second));
    }

    [SkippableFact]
    public void ScheduleFreeAdamW_three_steps_match_numpy()
    {
        RequireBackend();
        // reference_values.py: w = [1, 2, 3, 4], step k's gradient sin(arange(4) * k + 1), lr 0.1.
        double[] Run(Optimizers.ScheduleFreeAdamW o)
        {
            var w = V([1, 2, 3, 4], [4]);
            for (int k = 1; k <= 3; k++) o.ApplyGradients([T([.. Enumerable.Range(0, 4).Select(i => (float)Math.Sin(i * k + 1))], [4])], [w]);
            return D(w);
        }
        Reference.AssertClose([0.7900000024956304, 1.9288269678805292, 2.9590496888924456, 4.06815766557089], Run(new(0.1)), 1e-5, 1e-5, "defaults");
        Reference.AssertClose([0.8390869852337363, 1.9768855716741909, 3.006049379026477, 4.014143010748336],
            Run(new(0.1, warmupSteps: 2, weightDecay: 0.01)), 1e-5, 1e-5, "warmup 2, weight decay 0.01");
    }

    private static Optimizers.Optimizer Make(string name) => name == "muon"
        ? new Optimizers.Muon(0.02, excludeLayers: ["last"], rmsRate: 0.2, clipNorm: 5)
        : new Optimizers.ScheduleFreeAdamW(0.02, beta2: 0.99, warmupSteps: 3, weightDecay: 0.001);

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(5);
        var x = NF.Random.Uniform([64, 4]);
        return (x, NF.ReduceSum(x * NF.Constant(new[] { 1f, -2f, 0.5f, 3f }), -1, keepDims: true));
    }

    private static Model MakeModel()
    {
        NF.Random.SetSeed(6);
        return new Sequential(new Layers.Dense(8, activation: "tanh"), new Layers.Dense(1, name: "last"));
    }

    [SkippableTheory]  // muon_test.py test_model_fit, schedule_free_adamw_test.py test_with_model, plus save/load/resume
    [InlineData("muon")]
    [InlineData("schedulefree")]
    public void Fit_learns_and_resumes_after_save_and_load(string name)
    {
        RequireBackend();
        var (x, y) = Data();
        var model = MakeModel();
        var opt = Make(name);
        model.Compile(opt, "mse");
        var h = model.Fit(x, y, batchSize: 16, epochs: 15, verbose: 0);
        Assert.True(h["loss"][^1] < 0.5 * h["loss"][0], $"{name}: loss {h["loss"][0]} -> {h["loss"][^1]}");
        Assert.True(double.IsFinite(model.Evaluate(x, y, verbose: 0).Loss));

        string path = Temp.File(name + ".nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.IsType(opt.GetType(), loaded.Optimizer);
        Assert.Equal(opt.Iterations, loaded.Optimizer!.Iterations);
        if (loaded.Optimizer is Optimizers.Muon mu)
            Assert.Equal((0.02, 0.004, 0.004, 0.2, 5.0, "last", 5, true, 0.95), (mu.CurrentLearningRate, mu.WeightDecay!.Value, mu.AdamWeightDecay!.Value,
                mu.RmsRate!.Value, mu.ClipNorm!.Value, mu.ExcludeLayers.Single(), mu.NsSteps, mu.Nesterov, mu.Momentum));
        if (loaded.Optimizer is Optimizers.ScheduleFreeAdamW sf)
            Assert.Equal((0.9, 0.99, 1e-8, 3, 0.001), (sf.Beta1, sf.Beta2, sf.Epsilon, sf.WarmupSteps, sf.WeightDecay!.Value));
        var h1 = model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        var h2 = loaded.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(h1["loss"], h2["loss"]);
        for (int i = 0; i < model.Variables.Count; i++)
            Assert.Equal(model.Variables[i].ToArray<float>(), loaded.Variables[i].ToArray<float>());

        using var zip = ZipFile.OpenRead(path);
        string config = JsonNode.Parse(zip.GetEntry("config.json")!.Open())!.ToJsonString();
        Assert.Contains($"\"class_name\":\"{opt.GetType().Name}\"", config);
        Assert.Contains(name == "muon" ? "\"exclude_layers\":[\"last\"]" : "\"warmup_steps\":3", config);
    }

    [SkippableTheory]
    [InlineData("muon")]
    [InlineData("schedulefree")]
    public void Fit_replays_the_step_and_matches_run_eagerly(string name)
    {
        RequireBackend();
        var (x, y) = Data();
        var runs = new[] { true, false }.Select(eager =>
        {
            var model = MakeModel();
            model.Compile(Make(name), "mse", runEagerly: eager);
            var history = model.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0, shuffle: false);
            if (!eager)
            {
                var fit = model.TrainFunction!;
                Assert.Null(fit.EagerReason);
                Assert.True(fit.ReplayCount >= 8, $"{name}: {fit.ReplayCount} replays in 12 steps");
            }
            return (model, history["loss"]);
        }).ToArray();
        Assert.Equal(runs[0].Item2, runs[1].Item2);
        for (int i = 0; i < runs[0].model.Variables.Count; i++)
            Assert.Equal(runs[0].model.Variables[i].ToArray<float>(), runs[1].model.Variables[i].ToArray<float>());
    }

    [SkippableFact]
    public void Names_defaults_and_bad_arguments()
    {
        RequireBackend();
        var mu = Assert.IsType<Optimizers.Muon>(Optimizers.Get("Muon"));
        Assert.Equal((0.001, 0.9, 0.999, 0.004, 1e-7, 0.004, true, 3.4445, -4.7750, 2.0315, 1.0, 0.95, 5, true, 0.2),
            (mu.CurrentLearningRate, mu.AdamBeta1, mu.AdamBeta2, mu.AdamWeightDecay!.Value, mu.Epsilon, mu.WeightDecay!.Value, mu.ExcludeEmbeddings,
             mu.MuonA, mu.MuonB, mu.MuonC, mu.AdamLrRatio, mu.Momentum, mu.NsSteps, mu.Nesterov, mu.RmsRate!.Value));
        var sf = Assert.IsType<Optimizers.ScheduleFreeAdamW>(Optimizers.Get("schedulefreeadamw"));
        Assert.Equal((0.0025, 0.9, 0.999, 1e-8, 0), (sf.CurrentLearningRate, sf.Beta1, sf.Beta2, sf.Epsilon, sf.WarmupSteps));
        Assert.Null(sf.WeightDecay);
        Assert.IsType<Optimizers.ScheduleFreeAdamW>(Optimizers.Get("schedule_free_adamw"));
        Assert.Contains("muon", Assert.Throws<ArgumentException>(() => Optimizers.Get("muon2")).Message);

        void Bad(string parameter, Func<object> make) => Assert.Contains(parameter, Assert.ThrowsAny<ArgumentException>(make).Message);
        Bad("adamBeta1", () => new Optimizers.Muon(adamBeta1: 1.0));
        Bad("adamBeta2", () => new Optimizers.Muon(adamBeta2: -0.1));
        Bad("adamWeightDecay", () => new Optimizers.Muon(adamWeightDecay: -1));
        Bad("weightDecay", () => new Optimizers.Muon(weightDecay: double.NaN));
        Bad("epsilon", () => new Optimizers.Muon(epsilon: -1));
        Bad("muonB", () => new Optimizers.Muon(muonB: double.NaN));
        Bad("adamLrRatio", () => new Optimizers.Muon(adamLrRatio: -1));
        Bad("momentum", () => new Optimizers.Muon(momentum: 1.5));
        Bad("nsSteps", () => new Optimizers.Muon(nsSteps: -1));
        Bad("rmsRate", () => new Optimizers.Muon(rmsRate: 0));
        Bad("excludeLayers", () => new Optimizers.Muon(excludeLayers: ["("]));
        Bad("excludeLayers", () => new Optimizers.Muon(excludeLayers: [""]));
        Bad("learningRate", () => new Optimizers.Muon(-0.1));
        Bad("rank 2", () => new Optimizers.Muon().ZeroPowerViaNewtonSchulz5(NF.Ones([4]), 5));
        Bad("beta1", () => new Optimizers.ScheduleFreeAdamW(beta1: 0));
        Bad("beta2", () => new Optimizers.ScheduleFreeAdamW(beta2: 1));
        Bad("epsilon", () => new Optimizers.ScheduleFreeAdamW(epsilon: double.PositiveInfinity));
        Bad("warmupSteps", () => new Optimizers.ScheduleFreeAdamW(warmupSteps: -1));
        Bad("clipNorm", () => new Optimizers.ScheduleFreeAdamW(clipNorm: 1, clipValue: 1));
    }
}

public sealed class ManagedMuonScheduleFreeTests() : MuonScheduleFreeTests("managed");
public sealed class NativeCpuMuonScheduleFreeTests() : MuonScheduleFreeTests("cpu");
public sealed class CudaMuonScheduleFreeTests() : MuonScheduleFreeTests("cuda");
