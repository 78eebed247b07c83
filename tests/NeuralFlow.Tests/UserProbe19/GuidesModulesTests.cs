using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// TensorFlow's "Introduction to modules, layers, and models" guide (guide/intro_to_modules.ipynb)
/// in C#, with Keras' Layer as the module (NeuralFlow.Module, tf.Module itself, came later: UserProbe25's ModuleTests):
/// variables held in fields are tracked (trainable ones apart), layers nest, weights made at the first call, and a
/// Model subclass checkpoints its weights and loads them into a fresh instance.
/// </summary>
public abstract class GuidesModulesTests(string backend) : BackendTest(backend)
{
    private sealed class SimpleModule : Layer
    {
        private readonly Variable _aVariable = new(5f, name: "train_me");
        private readonly Variable _nonTrainable = new(5f, trainable: false, name: "do_not_train_me");

        protected override Tensor Forward(Tensor x) => _aVariable * x + _nonTrainable;
    }

    private sealed class FixedDense(int inFeatures, int outFeatures) : Layer
    {
        private readonly Variable _w = new(NF.Random.Normal([inFeatures, outFeatures]), name: "w");
        private readonly Variable _b = new(NF.Zeros([outFeatures]), name: "b");

        protected override Tensor Forward(Tensor x) => NF.Relu(NF.MatMul(x, _w) + _b);
    }

    private sealed class SequentialModule : Layer
    {
        private readonly FixedDense _dense1 = new(3, 3);
        private readonly FixedDense _dense2 = new(3, 2);

        protected override Tensor Forward(Tensor x) => _dense2.Call(_dense1.Call(x));
    }

    private sealed class FlexibleDense(int outFeatures) : Layer
    {
        private Variable? _w, _b;

        protected override void Build(Shape inputShape)
        {
            _w = new Variable(NF.Random.Normal([inputShape[-1], outFeatures]), name: "w");
            _b = new Variable(NF.Zeros([outFeatures]), name: "b");
        }

        protected override Tensor Forward(Tensor x) => NF.MatMul(x, _w!) + _b!;
    }

    private sealed class MySequentialModel : Model
    {
        private readonly FlexibleDense _dense1 = new(3);
        private readonly FlexibleDense _dense2 = new(2);

        public override Tensor Call(Tensor x) => _dense2.Call(_dense1.Call(x));
    }

    [SkippableFact]
    public void A_layer_tracks_the_variables_in_its_fields()
    {
        RequireBackend();
        var simple = new SimpleModule();
        Assert.Equal(30f, simple.Call(NF.Constant(5f)).Item<float>());
        Assert.Equal(new[] { "train_me" }, simple.TrainableVariables.Select(v => v.Name));
        Assert.Equal(new[] { "train_me", "do_not_train_me" }, simple.Variables.Select(v => v.Name));
        Assert.Equal(new[] { "do_not_train_me" }, simple.NonTrainableVariables.Select(v => v.Name));

        NF.Random.SetSeed(8);
        var model = new SequentialModule();
        var y = model.Call(NF.Constant(new[,] { { 2f, 2f, 2f } }));
        Assert.Equal(new Shape(1, 2), y.Shape);
        Assert.Equal(2, model.SubLayers.Count);
        Assert.Equal(new[] { "w", "b", "w", "b" }, model.Variables.Select(v => v.Name));
        Assert.Equal(new[] { new Shape(3, 3), new Shape(3), new Shape(3, 2), new Shape(2) }, model.Variables.Select(v => v.Shape));
    }

    [SkippableFact]
    public void Weights_made_at_the_first_call_and_a_checkpoint_loaded_into_a_new_model()
    {
        RequireBackend();
        NF.Random.SetSeed(9);
        var flexible = new FlexibleDense(3);
        Assert.Empty(flexible.Variables);
        var r = flexible.Call(NF.Constant(new[,] { { 2f, 2f, 2f }, { 3f, 3f, 3f } }));
        Assert.Equal(new Shape(2, 3), r.Shape);
        Assert.Equal(2, flexible.Variables.Count);
        // TensorFlow: InvalidArgumentError "Matrix size-incompatible: In[0]: [1,4], In[1]: [3,3]".
        var e = Assert.ThrowsAny<ArgumentException>(() => flexible.Call(NF.Constant(new[,] { { 2f, 2f, 2f, 2f } })));
        Assert.Contains("4", e.Message);

        var model = new MySequentialModel();
        var x = NF.Constant(new[,] { { 2f, 2f, 2f } });
        var expected = model.Call(x);
        Assert.Equal(4, model.Variables.Count);
        var dir = Directory.CreateTempSubdirectory("nf-guides-");
        try
        {
            var path = Path.Combine(dir.FullName, "my_checkpoint.safetensors");
            model.SaveWeights(path);
            var names = NF.Safetensors.Load(path).Keys.Order().ToArray();
            Assert.Equal(4, names.Length);
            var restored = new MySequentialModel();
            restored.Call(x);
            restored.LoadWeights(path);
            Assert.Equal(expected.ToArray<float>(), restored.Call(x).ToArray<float>());

            // The whole model: saved, loaded with its class, and the same answer.
            var h5 = Path.Combine(dir.FullName, "my_weights.weights.h5");
            model.SaveWeights(h5);
            var again = new MySequentialModel();
            again.Call(x);
            again.LoadWeights(h5);
            Assert.Equal(expected.ToArray<float>(), again.Call(x).ToArray<float>());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public void A_custom_layer_in_a_functional_model_and_a_clipped_custom_gradient_in_a_traced_call()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        var inputs = Layers.Input([3]);
        var first = new FlexibleDense(3);
        var second = new FlexibleDense(2);
        var functional = new Model(inputs, second.Call(first.Call(inputs)));
        var x = NF.Constant(new[,] { { 2f, 2f, 2f } });
        var y = functional.Call(x);
        Assert.Equal(new Shape(1, 2), y.Shape);
        Assert.Equal(second.Call(first.Call(x)).ToArray<float>(), y.ToArray<float>());
        Assert.Equal(4, functional.TrainableVariables.Count);
        var summary = new StringWriter();
        functional.Summary(summary);
        Assert.Contains("Total params: 20", summary.ToString().Replace(",", ""));

        // The autodiff guide's MyModule: a traced function whose custom gradient clips by norm.
        var clip = NF.CustomGradient((Tensor t) => (NF.Identity(t), dy => NF.ClipByNorm(dy, 0.5)));
        var call = NF.Function((Tensor t) => clip(t));
        var v = new Variable(2f);
        for (int i = 0; i < 2; i++)
        {
            using var tape = new GradientTape();
            var output = call(v * v);
            Assert.Equal(2f, tape.Gradient(output, v).Item<float>(), 6);
        }
    }

    [SkippableFact]
    public void A_traced_call_retraces_for_a_new_rank()
    {
        RequireBackend();
        NF.Random.SetSeed(10);
        var model = new SequentialModule();
        var call = NF.Function((Tensor x) => model.Call(x));
        var two = NF.Constant(new[,] { { 2f, 2f, 2f } });
        var three = NF.Constant(new[, ,] { { { 2f, 2f, 2f }, { 2f, 2f, 2f } } });
        Assert.Equal(model.Call(two).ToArray<float>(), call(two).ToArray<float>());
        var y3 = call(three);
        Assert.Equal(new Shape(1, 2, 2), y3.Shape);
        Assert.Equal(model.Call(three).ToArray<float>(), y3.ToArray<float>());
    }
}

/// <summary>The modules guide, on the managed backend.</summary>
public sealed class ManagedGuidesModulesTests() : GuidesModulesTests("managed");

/// <summary>The modules guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuidesModulesTests() : GuidesModulesTests("cpu");

/// <summary>The modules guide, on the CUDA backend.</summary>
public sealed class CudaGuidesModulesTests() : GuidesModulesTests("cuda");
