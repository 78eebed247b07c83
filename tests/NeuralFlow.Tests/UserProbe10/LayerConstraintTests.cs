using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe10;

/// <summary>
/// Keras' *_constraint arguments on the layers that lacked them: Embedding (embeddings_constraint),
/// SimpleRNN/LSTM/GRU and their cells and Bidirectional (kernel/recurrent/bias_constraint),
/// ConvLSTM1D/2D/3D (whose saved constraints were refused), BatchNormalization, LayerNormalization and GroupNormalization (beta/gamma_constraint), PReLU
/// (alpha_constraint), SeparableConv (pointwise_constraint), EinsumDense and the attention layers
/// (kernel/bias_constraint). Each is applied after the optimizer's step (Keras 3's order) and saved
/// under Keras' key. Values from a PyTorch SGD loop with the projection (layer_api_references.py),
/// or a zero learning rate, which leaves only the projection of the starting weights.
/// </summary>
public abstract class LayerConstraintTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Embedding_max_norm_per_row_matches_pytorch_sgd_with_projection()
    {
        RequireBackend();
        var embedding = new Layers.Embedding(5, 2) { EmbeddingsConstraint = new Constraints.MaxNorm(1, axis: 1) };
        var m = new Sequential(Layers.Input([1]), embedding, new Layers.Flatten());
        m.Compile(new Optimizers.SGD(0.5), "mse");
        embedding.Embeddings!.Assign(NF.Constant(new[] { 0.5f, -0.5f, 0.9f, 0.6f, 0.1f, 0.2f, -0.7f, 0.4f, 0.3f, -0.8f }, [5, 2]));
        m.Fit(NF.Constant(new[] { 1f, 3f, 1f, 4f }, [4, 1]), NF.Constant(new[] { 2f, 1f, -1.5f, 0.5f, 1.5f, 1.5f, 0.5f, -2f }, [4, 2]),
              batchSize: 4, epochs: 3, verbose: 0);
        Near.Values([0.49999979f, -0.49999979f, 0.81754011f, 0.57587153f, 0.099999866f, 0.19999973f, -0.91221166f, 0.40971905f, 0.29122084f, -0.95665576f],
             embedding.Embeddings!);
    }

    // Trains one step at learning rate 0 and returns each listed weight's value before it.
    private static Tensor[] StepAtRateZero(Model m, Tensor x, Tensor y, params Variable[] weights)
    {
        var before = weights.Select(w => NF.Constant(w.ToArray<float>(), w.Shape)).ToArray();
        m.Compile(new Optimizers.SGD(0.0), "mse");
        m.TrainOnBatch(x, y);
        return before;
    }

    [SkippableFact]
    public void Recurrent_layers_project_kernel_recurrent_kernel_and_bias_after_the_step()
    {
        RequireBackend();
        NF.Random.SetSeed(10);
        var maxNorm = new Constraints.MaxNorm(0.2);
        foreach (var rnn in new Layers.Recurrent[] { new Layers.SimpleRNN(3), new Layers.LSTM(3), new Layers.GRU(3) })
        {
            rnn.KernelConstraint = maxNorm;
            rnn.RecurrentConstraint = "unit_norm";
            rnn.BiasConstraint = new Constraints.MinMaxNorm(0.5, 0.5);
            var m = new Sequential(Layers.Input([4, 2]), rnn);
            m.Compile(new Optimizers.SGD(0.0), "mse");
            var before = StepAtRateZero(m, NF.Random.Normal([2, 4, 2]), NF.Random.Normal([2, 3]), rnn.Kernel!, rnn.RecurrentKernel!, rnn.Bias!);
            Near.Values(maxNorm.Call(before[0]).ToArray<float>(), rnn.Kernel!);
            Near.Values(new Constraints.UnitNorm().Call(before[1]).ToArray<float>(), rnn.RecurrentKernel!);
            // MinMaxNorm(0.5, 0.5) over the whole bias: its norm becomes 0.5 (the zero start stays zero).
            Near.Values(new Constraints.MinMaxNorm(0.5, 0.5).Call(before[2]).ToArray<float>(), rnn.Bias!);
        }
    }

    [SkippableFact]
    public void A_conv_lstm_projects_its_weights_and_saves_them_where_it_refused_them()
    {
        RequireBackend();
        NF.Random.SetSeed(13);
        var conv = new Layers.ConvLSTM1D(2, 3) { KernelConstraint = new Constraints.MaxNorm(0.1, axis: [0, 1]), RecurrentConstraint = "non_neg" };
        var m = new Sequential(Layers.Input([4, 6, 2]), conv);
        var before = StepAtRateZero(m, NF.Random.Normal([2, 4, 6, 2]), NF.Random.Normal([2, 4, 2]), conv.Kernel!, conv.RecurrentKernel!);
        Near.Values(new Constraints.MaxNorm(0.1, axis: [0, 1]).Call(before[0]).ToArray<float>(), conv.Kernel!);
        Near.Values(new Constraints.NonNeg().Call(before[1]).ToArray<float>(), conv.RecurrentKernel!);
        string path = Temp.File("conv_lstm.keras");
        m.Save(path);
        var loaded = Assert.IsType<Layers.ConvLSTM1D>(Model.Load(path).GetLayer(0));
        Assert.Equal([0, 1], Assert.IsType<Constraints.MaxNorm>(loaded.Kernel!.Constraint).Axis);
        Assert.IsType<Constraints.NonNeg>(loaded.RecurrentKernel!.Constraint);
        Assert.Null(loaded.BiasConstraint);
    }

    [SkippableFact]
    public void A_bidirectional_layer_projects_both_directions_and_a_cell_its_own_weights()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        var bi = new Layers.Bidirectional(new Layers.LSTM(2) { KernelConstraint = new Constraints.MaxNorm(0.1) });
        var cell = new Layers.GRUCell(2) { RecurrentConstraint = "non_neg" };
        var viaCell = new Layers.RNN(cell);
        var input = Layers.Input([3, 2]);
        var m = new Model(input, new Layers.Concatenate().Call([bi.Call(input), viaCell.Call(input)]));
        var forward = ((Layers.LSTM)bi.ForwardLayer).Kernel!;
        var backward = ((Layers.LSTM)bi.BackwardLayer).Kernel!;
        var before = StepAtRateZero(m, NF.Random.Normal([2, 3, 2]), NF.Random.Normal([2, 6]), forward, backward, cell.RecurrentKernel!);
        Near.Values(new Constraints.MaxNorm(0.1).Call(before[0]).ToArray<float>(), forward);
        Near.Values(new Constraints.MaxNorm(0.1).Call(before[1]).ToArray<float>(), backward);
        Near.Values(new Constraints.NonNeg().Call(before[2]).ToArray<float>(), cell.RecurrentKernel!);
    }

    [SkippableFact]
    public void Normalizations_prelu_separable_einsum_and_attention_project_their_weights()
    {
        RequireBackend();
        NF.Random.SetSeed(12);
        var bn = new Layers.BatchNormalization { GammaConstraint = new Constraints.MaxNorm(0.5, axis: [0]), BetaConstraint = "non_neg" };
        var ln = new Layers.LayerNormalization { GammaConstraint = new Constraints.MaxNorm(0.5, axis: [0]) };
        var gn = new Layers.GroupNormalization(2) { GammaConstraint = new Constraints.MaxNorm(0.5, axis: [0]) };
        var prelu = new Layers.PReLU(Initializer.Get("ones")) { AlphaConstraint = new Constraints.MaxNorm(0.5, axis: [0, 1]) };
        var separable = new Layers.SeparableConv1D(4, [2]) { PointwiseConstraint = new Constraints.MaxNorm(0.1, axis: [0, 1]) };
        var einsum = new Layers.EinsumDense("abc,cd->abd", [null, 4], biasAxes: "d") { KernelConstraint = new Constraints.MaxNorm(0.1) };
        var x = Layers.Input([5, 4]);
        var attention = new Layers.MultiHeadAttention(2, 2) { KernelConstraint = new Constraints.MaxNorm(0.1, axis: [0, 1]) };
        var h = gn.Call(ln.Call(bn.Call(x)));
        h = einsum.Call(separable.Call(prelu.Call(h)));
        var m = new Model(x, attention.Call([h, h]));
        var weights = new[] { bn.Gamma!, ln.Gamma!, gn.Gamma!, prelu.Alpha!, separable.PointwiseKernel!, einsum.Kernel!, attention.QueryKernel! };
        var before = StepAtRateZero(m, NF.Random.Normal([2, 5, 4]), NF.Random.Normal([2, 4, 4]), weights);
        var gamma = new Constraints.MaxNorm(0.5, axis: [0]);
        Near.Values(gamma.Call(before[0]).ToArray<float>(), bn.Gamma!);
        Near.Values([0f, 0f, 0f, 0f], bn.Beta!);
        Near.Values(gamma.Call(before[1]).ToArray<float>(), ln.Gamma!);
        Near.Values(gamma.Call(before[2]).ToArray<float>(), gn.Gamma!);
        Near.Values(new Constraints.MaxNorm(0.5, axis: [0, 1]).Call(before[3]).ToArray<float>(), prelu.Alpha!);
        Near.Values(new Constraints.MaxNorm(0.1, axis: [0, 1]).Call(before[4]).ToArray<float>(), separable.PointwiseKernel!);
        Near.Values(new Constraints.MaxNorm(0.1).Call(before[5]).ToArray<float>(), einsum.Kernel!);
        Near.Values(new Constraints.MaxNorm(0.1, axis: [0, 1]).Call(before[6]).ToArray<float>(), attention.QueryKernel!);
    }

    [SkippableFact]
    public void Save_and_load_keep_every_new_constraint_under_keras_keys()
    {
        RequireBackend();
        var input = Layers.Input([4]);
        var embedding = new Layers.Embedding(10, 3) { EmbeddingsConstraint = "unit_norm" };
        var lstm = new Layers.LSTM(2, returnSequences: true) { KernelConstraint = new Constraints.MaxNorm(2), RecurrentConstraint = "non_neg", BiasConstraint = "unit_norm" };
        var gru = new Layers.Bidirectional(new Layers.GRU(2) { RecurrentConstraint = new Constraints.MaxNorm(1.5) });
        var bn = new Layers.BatchNormalization { BetaConstraint = "non_neg", GammaConstraint = new Constraints.MaxNorm(3) };
        var ln = new Layers.LayerNormalization { BetaConstraint = "unit_norm" };
        var m = new Model(input, new Layers.Dense(1).Call(ln.Call(bn.Call(gru.Call(lstm.Call(embedding.Call(input)))))));
        var config = lstm.GetConfig();
        Assert.Equal("MaxNorm", config["kernel_constraint"]!["class_name"]!.GetValue<string>());
        Assert.Equal("NonNeg", config["recurrent_constraint"]!["class_name"]!.GetValue<string>());
        Assert.Equal("UnitNorm", config["bias_constraint"]!["class_name"]!.GetValue<string>());
        Assert.Equal("UnitNorm", embedding.GetConfig()["embeddings_constraint"]!["class_name"]!.GetValue<string>());
        string path = Temp.File("constrained_layers.keras");
        m.Save(path);
        var loaded = Model.Load(path);
        var e = Assert.IsType<Layers.Embedding>(loaded.GetLayer(embedding.Name));
        Assert.IsType<Constraints.UnitNorm>(e.Embeddings!.Constraint);
        var l = Assert.IsType<Layers.LSTM>(loaded.GetLayer(lstm.Name));
        Assert.Equal(2, Assert.IsType<Constraints.MaxNorm>(l.Kernel!.Constraint).MaxValue);
        Assert.IsType<Constraints.NonNeg>(l.RecurrentKernel!.Constraint);
        Assert.IsType<Constraints.UnitNorm>(l.Bias!.Constraint);
        var g = Assert.IsType<Layers.Bidirectional>(loaded.GetLayer(gru.Name));
        Assert.Equal(1.5, Assert.IsType<Constraints.MaxNorm>(((Layers.GRU)g.ForwardLayer).RecurrentKernel!.Constraint).MaxValue);
        Assert.Equal(1.5, Assert.IsType<Constraints.MaxNorm>(((Layers.GRU)g.BackwardLayer).RecurrentKernel!.Constraint).MaxValue);
        var b = Assert.IsType<Layers.BatchNormalization>(loaded.GetLayer(bn.Name));
        Assert.IsType<Constraints.NonNeg>(b.Beta!.Constraint);
        Assert.Equal(3, Assert.IsType<Constraints.MaxNorm>(b.Gamma!.Constraint).MaxValue);
        Assert.IsType<Constraints.UnitNorm>(Assert.IsType<Layers.LayerNormalization>(loaded.GetLayer(ln.Name)).Beta!.Constraint);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedLayerConstraintTests() : LayerConstraintTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuLayerConstraintTests() : LayerConstraintTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaLayerConstraintTests() : LayerConstraintTests("cuda");
