namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// <see cref="Module"/>, TensorFlow's tf.Module that every Core API guide subclasses (Normalize, LogisticRegression,
/// DenseLayer, MLP, ExportModule): variables found in fields, collections, submodules and Keras layers without
/// registration, in tf.Module's order, and a checkpoint of a module restored into another instance.
/// </summary>
public abstract class ModuleTests(string backend) : BackendFileTest(backend)
{
    private sealed class Dense(int units) : Module
    {
        private Variable? _w, _b;

        public Tensor Call(Tensor x)
        {
            if (_w is null)
            {
                _w = new Variable(NF.Ones([x.Shape[^1], units]));
                _b = new Variable(NF.Zeros([units]));
            }
            return NF.MatMul(x, _w) + _b!;
        }
    }

    private sealed class MLP(string? name = null) : Module(name)
    {
        public List<Dense> Layers { get; } = [new Dense(2), new Dense(1)];
        public Variable Scale { get; } = new(2f);
        public Variable Steps { get; } = new(0, trainable: false);
        public Dictionary<string, Variable> Extra { get; } = new() { ["z"] = new Variable(3f), ["a"] = new Variable(4f) };
        public Func<Tensor, Tensor> Activation { get; } = NF.Relu;   // not a variable holder: skipped
        public Tensor Constant { get; } = NF.Ones([2]);               // a plain tensor is not a variable
        public MLP? Self { get; set; }                                // a cycle ends

        public Tensor Call(Tensor x)
        {
            foreach (var layer in Layers) x = Activation(layer.Call(x));
            return x * Scale;
        }
    }

    private sealed class HTTPServerModule : Module;

    [SkippableFact]
    public void Variables_come_from_fields_collections_and_submodules_in_tf_modules_order()
    {
        RequireBackend();
        var mlp = new MLP();
        mlp.Self = mlp;
        Assert.Equal(4, mlp.Variables.Count);   // before the first call: Extra's two, Scale, Steps
        Assert.Equal(new[] { 4f, 3f, 2f }, mlp.Variables.Take(3).Select(v => v.Item<float>()));   // Extra by key (a, z), then Scale
        mlp.Call(NF.Ones([1, 3]));
        // The module's own fields by name (Extra, Layers' modules queued, Scale, Steps), then each layer's b and w.
        Assert.Equal([new Shape(), new Shape(), new Shape(), new Shape(), new Shape(2), new Shape(3, 2), new Shape(1), new Shape(2, 1)],
                     mlp.Variables.Select(v => v.Shape));
        Assert.Equal(7, mlp.TrainableVariables.Count);
        Assert.DoesNotContain(mlp.Steps, mlp.TrainableVariables);
        Assert.Equal(mlp.Layers, mlp.Submodules);
        Assert.Equal("mlp", mlp.Name);
        Assert.Equal("http_server_module", new HTTPServerModule().Name);
        Assert.Equal("dense", mlp.Layers[0].Name);
        Assert.Equal("custom", new MLP("custom").Name);

        // A Keras layer held by a module counts with its weights; a variable held twice counts once.
        var holder = new Holder();
        holder.Call(NF.Ones([1, 2]));
        Assert.Equal(3, holder.Variables.Count);   // the dense layer's kernel and bias, the shared variable once
    }

    private sealed class Holder : Module
    {
        private readonly Keras.Layers.Dense _dense = new(2);
        private readonly Variable _shared = new(1f);
        private readonly Variable[] _again;

        public Holder() => _again = [_shared, _shared];

        public Tensor Call(Tensor x) => _dense.Call(x) * _again[0];
    }

    private sealed class ScaledDense : Keras.Layer
    {
        private readonly Keras.Layers.Dense _dense = new(1, kernelInitializer: Keras.Initializer.Constant(1));
        private readonly ScaleModule _scale = new();

        protected override Tensor Forward(Tensor x) => _dense.Call(x) * _scale.Factor;
    }

    private sealed class ScaleModule : Module
    {
        public Variable Factor { get; } = new(3f);
    }

    [SkippableFact]
    public void A_keras_layer_holding_a_module_trains_the_modules_variables()
    {
        RequireBackend();
        // Keras tracks a tf.Module held by a layer: its variables are the layer's (they were left out, so never trained).
        var layer = new ScaledDense();
        var x = NF.Ones([1, 2]);
        layer.Call(x);
        Assert.Equal(3, layer.Variables.Count);
        Assert.Equal(3, layer.TrainableVariables.Count);
        using var tape = new GradientTape();
        var grads = tape.Gradient(NF.ReduceSum(layer.Call(x)), layer.TrainableVariables);
        int factor = layer.TrainableVariables.ToList().FindIndex(v => v.Shape.Rank == 0);
        Assert.Equal(2f, grads[factor].Item<float>());   // d(2 * factor)/d factor: the dense output is 1 + 1
    }

    [SkippableFact]
    public void A_checkpoint_saves_a_module_by_its_fields_names_and_restores_another_instance()
    {
        RequireBackend();
        var trained = new MLP();
        trained.Call(NF.Ones([1, 3]));
        trained.Layers[1].Variables[1].Assign(NF.Constant(new float[,] { { 0.5f }, { -1.5f } }));
        trained.Scale.Assign(7f);
        string path = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = trained }).Write(Temp.File("module"));
        using (var reader = new Train.CheckpointReader(path))
            Assert.Equal(["model/Extra/a/value", "model/Extra/z/value", "model/Layers/0/b/value", "model/Layers/0/w/value",
                          "model/Layers/1/b/value", "model/Layers/1/w/value", "model/Scale/value", "model/Steps/value"],
                         reader.VariableToShapeMap().Keys.Where(k => k.StartsWith("model/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

        // Before its first call the module's layers have no w and b: restoring would skip them, and the call would then make
        // them untrained. TensorFlow waits for them; here the restore is refused, naming the variable, and changes nothing.
        var fresh = new MLP();
        var e = Assert.Throws<InvalidOperationException>(() => new Train.Checkpoint(new Dictionary<string, object> { ["model"] = fresh }).Restore(path));
        Assert.Contains("'model/Layers/0/b' of the module 'model/Layers/0' (dense) is null", e.Message);
        Assert.Contains("call the module once", e.Message);
        Assert.Equal(2f, fresh.Scale.Item<float>());
        fresh.Call(NF.Ones([1, 3]));
        new Train.Checkpoint(new Dictionary<string, object> { ["model"] = fresh }).Restore(path).AssertConsumed();
        Assert.Equal(trained.Call(NF.Ones([2, 3])).ToArray<float>(), fresh.Call(NF.Ones([2, 3])).ToArray<float>());
        Assert.Equal(7f, fresh.Scale.Item<float>());
    }
}

/// <summary>tf.Module, on the managed backend.</summary>
public sealed class ManagedModuleTests() : ModuleTests("managed");

/// <summary>tf.Module, on the native CPU backend.</summary>
public sealed class NativeCpuModuleTests() : ModuleTests("cpu");

/// <summary>tf.Module, on the CUDA backend.</summary>
public sealed class CudaModuleTests() : ModuleTests("cuda");
