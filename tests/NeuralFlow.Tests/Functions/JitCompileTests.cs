using System.IO.Compression;
using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras' <c>compile(jit_compile=...)</c> and tf.function's <c>jit_compile</c>: true or "auto"
/// (null) replays the traced step fused, false replays its kernels as recorded, with the same
/// numbers; with runEagerly it is turned off with Keras' warning; saved in the compile config and
/// restored with run_eagerly on load (both were written as false whatever the model did).
/// </summary>
public abstract class JitCompileTests(string backend) : BackendTest(backend)
{
    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(11);
        var x = NF.Random.Normal([64, 6]);
        var y = NF.Cast(NF.Random.Uniform([64], 0, 3), DType.Int64);
        return (x, y);
    }

    private static Sequential Make(bool? jitCompile, bool runEagerly = false)
    {
        NF.Random.SetSeed(3);
        var model = new Sequential(new Layers.Dense(12, activation: "tanh"), new Layers.Dense(3, activation: "softmax"));
        model.Compile(new Optimizers.Adam(0.01), "sparse_categorical_crossentropy", ["accuracy"], runEagerly: runEagerly, jitCompile: jitCompile);
        return model;
    }

    [SkippableFact]
    public void A_model_compiled_without_jit_replays_unfused_with_the_same_numbers()
    {
        RequireBackend();
        var (x, y) = Data();
        var runs = new bool?[] { null, true, false }.Select(jit =>
        {
            var model = Make(jit);
            Assert.Equal(jit ?? true, model.JitCompile);
            var history = model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, shuffle: false);
            var step = model.LastStepFunction!;
            Assert.True(step.ReplayCount > 0, $"no replay ({step.EagerReason})");
            Assert.Equal(jit ?? true, step.JitCompile);
            return (Loss: history["loss"].ToArray(), Ops: step.OpCount, Plan: step.LatestPlan!.Describe(),
                    Weights: model.Variables.Select(v => v.ToArray<float>()).ToArray());
        }).ToArray();
        Assert.Contains("FusedElementwise[", runs[0].Plan);
        Assert.DoesNotContain("FusedElementwise[", runs[2].Plan);
        Assert.True(runs[2].Ops > runs[0].Ops, $"unfused plan has {runs[2].Ops} calls, fused {runs[0].Ops}");
        Assert.Equal(runs[0].Loss, runs[1].Loss);
        Assert.Equal(runs[0].Loss, runs[2].Loss);
        for (int i = 0; i < runs[0].Weights.Length; i++)
            Assert.True(runs[0].Weights[i].AsSpan().SequenceEqual(runs[2].Weights[i]), $"variable {i} differs between fused and unfused Fit");
    }

    [SkippableFact]
    public void Setting_JitCompile_after_a_fit_plans_the_next_one_the_other_way()
    {
        RequireBackend();
        var (x, y) = Data();
        var model = Make(null);
        model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0);
        Assert.True(model.LastStepFunction!.JitCompile);
        model.JitCompile = false;
        model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0);
        Assert.False(model.LastStepFunction!.JitCompile);
        Assert.DoesNotContain("FusedElementwise[", model.LastStepFunction.LatestPlan!.Describe());
    }

    [SkippableFact]
    public void Run_eagerly_turns_jit_off_and_warns_when_both_are_asked_for()
    {
        RequireBackend();
        Assert.False(Make(null, runEagerly: true).JitCompile); // "auto" resolves off when eager
        var saved = Console.Error;
        var captured = new StringWriter();
        Console.SetError(captured);
        try { Assert.False(Make(true, runEagerly: true).JitCompile); }
        finally { Console.SetError(saved); }
        Assert.Contains("If runEagerly is true, then jitCompile cannot also be true. Disabling jitCompile.", captured.ToString());
    }

    [SkippableFact]
    public void NF_Function_without_jit_replays_the_kernels_as_recorded()
    {
        RequireBackend();
        var w = new Variable(NF.Random.Normal([6, 4]));
        Tensor Body(Tensor x) => NF.Sigmoid(NF.Tanh(NF.MatMul(x, w)) * 2f + 1f);
        var fused = NF.Function(Body);
        var plain = NF.Function(Body, jitCompile: false);
        var (x, _) = Data();
        Tensor a = fused(x), b = plain(x);
        a = fused(x);
        b = plain(x);
        Assert.True(TracedFunction.Of(plain).ReplayCount > 0);
        Assert.False(TracedFunction.Of(plain).JitCompile);
        Assert.True(TracedFunction.Of(plain).OpCount > TracedFunction.Of(fused).OpCount);
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
    }

    [SkippableFact]
    public void Save_and_load_keep_run_eagerly_and_jit_compile()
    {
        RequireBackend();
        var (x, y) = Data();
        var dir = Directory.CreateTempSubdirectory("nf-jit-").FullName;
        try
        {
            foreach (var (eager, jit) in new[] { (false, false), (true, false), (false, true) })
            {
                var model = Make(jit, runEagerly: eager);
                model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0);
                var path = Path.Combine(dir, $"m-{eager}-{jit}.keras");
                model.Save(path);
                JsonObject compile;
                using (var zip = ZipFile.OpenRead(path))
                using (var reader = new StreamReader(zip.GetEntry("config.json")!.Open()))
                    compile = JsonNode.Parse(reader.ReadToEnd())!["compile_config"]!.AsObject();
                Assert.Equal(eager, compile["run_eagerly"]!.GetValue<bool>());
                Assert.Equal(jit, compile["jit_compile"]!.GetValue<bool>());
                var loaded = Model.Load(path);
                Assert.Equal(eager, loaded.RunEagerly);
                Assert.Equal(jit, loaded.JitCompile);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

public sealed class ManagedJitCompileTests() : JitCompileTests("managed");

public sealed class NativeCpuJitCompileTests() : JitCompileTests("cpu");

public sealed class CudaJitCompileTests() : JitCompileTests("cuda");
