using System.IO.Compression;
using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Functional;

/// <summary>
/// model.Save / Model.Load of functional models on every backend: Keras' Functional config,
/// shared layers and nested models rebuilt without user code, predictions identical bit for bit,
/// also when loaded on another backend.
/// </summary>
public abstract class FunctionalSaveTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Data(int[] shape, int seed) => NF.Constant(RandomValues((int)new Shape(shape).Count, seed, -1, 1).Select(v => (float)v).ToArray(), shape);

    // Two inputs, a shared layer, a nested functional model, a merge and a Concatenate.
    private static Model Build()
    {
        var innerIn = Layers.Input([6], name: "inner_in");
        var inner = new Model(innerIn, new Layers.Dense(4, activation: "tanh", name: "inner_dense").Call(innerIn), name: "inner_block");
        var a = Layers.Input([5], name: "in_a");
        var b = Layers.Input([5], name: "in_b");
        var shared = new Layers.Dense(6, activation: "relu", name: "shared");
        var sa = shared.Call(a);
        var sb = shared.Call(b);
        var merged = new Layers.Subtract(name: "diff").Call([sa, sb]);
        var nested = inner.Call(merged);
        var joined = new Layers.Concatenate(name: "cat").Call([nested, sb]);
        var head = new Layers.Dense(3, activation: "softmax", name: "head").Call(joined);
        var aux = new Layers.Dense(1, name: "aux").Call(nested);
        return new Model([a, b], [head, aux], name: "two_towers");
    }

    [SkippableFact]
    public void A_functional_model_round_trips_bit_for_bit()
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        var model = Build();
        using var xa = Data([7, 5], 1);
        using var xb = Data([7, 5], 2);
        var before = model.CallOutputs([xa, xb]).Select(t => t.ToArray<float>()).ToArray();
        string path = Temp.File("functional.nfmodel");
        model.Save(path);

        using (var zip = ZipFile.OpenRead(path))
        using (var s = zip.GetEntry("config.json")!.Open())
        {
            var config = JsonNode.Parse(s)!;
            Assert.Equal("Functional", config["class_name"]!.GetValue<string>());
            var layers = config["config"]!["layers"]!.AsArray();
            Assert.Equal(["in_a", "in_b", "shared", "diff", "inner_block", "cat", "head", "aux"], layers.Select(l => l!["name"]!.GetValue<string>()));
            var sharedEntry = layers[2]!;
            Assert.Equal(2, sharedEntry["inbound_nodes"]!.AsArray().Count);
            Assert.Equal("[[[\"shared\",0,0,{}],[\"shared\",1,0,{}]]]", layers[3]!["inbound_nodes"]!.ToJsonString());
            Assert.Equal("Functional", layers[4]!["class_name"]!.GetValue<string>());
            Assert.Equal("[[\"in_a\",0,0],[\"in_b\",0,0]]", config["config"]!["input_layers"]!.ToJsonString());
            Assert.Equal("[[\"head\",0,0],[\"aux\",0,0]]", config["config"]!["output_layers"]!.ToJsonString());
        }

        var loaded = Model.Load(path);
        Assert.True(loaded.IsFunctional);
        Assert.Equal("two_towers", loaded.Name);
        Assert.Equal(model.Variables.Count, loaded.Variables.Count);
        Assert.Equal(model.Variables.Select(v => v.Name), loaded.Variables.Select(v => v.Name));
        var after = loaded.CallOutputs([xa, xb]).Select(t => t.ToArray<float>()).ToArray();
        Assert.Equal(before, after);
        Assert.Equal(model.SummaryText(), loaded.SummaryText());
        // The shared layer came back shared: one kernel, two calls.
        var sharedLayer = loaded.SubLayers.Single(l => l.Name == "shared");
        Assert.Equal(2, sharedLayer.InboundNodes.Count);
    }

    [SkippableFact]
    public void A_model_saved_here_loads_on_the_managed_engine_with_the_same_predictions()
    {
        RequireBackend();
        NF.Random.SetSeed(22);
        var inputs = Layers.Input([6, 6, 2], name: "img");
        var c = new Layers.Conv2D(3, 3, padding: "same", activation: "relu", name: "c1").Call(inputs);
        var r = new Layers.Add(name: "res").Call([new Layers.Conv2D(3, 3, padding: "same", name: "c2").Call(c), c]);
        var model = new Model(inputs, new Layers.Dense(2, name: "out").Call(new Layers.GlobalAveragePooling2D(name: "gap").Call(r)));
        using var x = Data([3, 6, 6, 2], 3);
        var expected = model.Predict(x).ToArray<float>();
        string path = Temp.File("cross.nfmodel");
        model.Save(path);
        using (NF.UseBackend("managed"))
        {
            var loaded = Model.Load(path);
            using var xm = x.To(NF.Backend);
            var got = loaded.Predict(xm).ToArray<float>();
            // Another engine's convolution sums in another order: equal to float rounding.
            for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - got[i]) <= 1e-5f, $"[{i}] {expected[i]} vs {got[i]}");
        }
    }

    [SkippableFact]
    public void A_compiled_functional_model_keeps_its_compile_config()
    {
        RequireBackend();
        var inputs = Layers.Input([4], name: "feat");
        var model = new Model(inputs, new Layers.Dense(2, activation: "softmax", name: "probs").Call(inputs));
        model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]);
        using var x = Data([8, 4], 4);
        using var y = NF.Constant(new long[] { 0, 1, 1, 0, 1, 0, 0, 1 });
        model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0);
        string path = Temp.File("compiled.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.NotNull(loaded.Optimizer);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        Assert.Equal(model.Evaluate(x, y)["loss"], loaded.Evaluate(x, y)["loss"]);
    }
}

public sealed class ManagedFunctionalSaveTests() : FunctionalSaveTests("managed");

public sealed class NativeCpuFunctionalSaveTests() : FunctionalSaveTests("cpu");

public sealed class CudaFunctionalSaveTests() : FunctionalSaveTests("cuda");
