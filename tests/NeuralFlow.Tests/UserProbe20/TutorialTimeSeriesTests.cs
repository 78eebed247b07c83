using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe20;

/// <summary>
/// TensorFlow's "Time series forecasting" tutorial (site/en/tutorials/structured_data/time_series.ipynb)
/// on a synthetic weather table whose first column is the step number, so every window can be checked:
/// the WindowGenerator and split_window, its shuffled datasets, the Baseline models evaluated into
/// dictionaries (evaluate(return_dict=True)) with metrics derived here, Linear / Dense / multi-step Dense /
/// Conv1D / LSTM models with the tutorial's shapes and compile_and_fit with EarlyStopping, the residual
/// wrapper, the multi-step models, and the autoregressive FeedBack model on a shared LSTMCell.
/// </summary>
public abstract class TutorialTimeSeriesTests(string backend) : BackendTest(backend)
{
    private static readonly string[] Columns = ["step", "T (degC)", "p (mbar)"];
    private const int N = 200;
    private const int NumFeatures = 3;
    private const int OutSteps = 6;

    // The table the tutorial splits 70 / 20 / 10: the step, a temperature and a pressure of the step.
    private static float T(int step) => MathF.Sin(step / 5f);
    private static float P(int step) => MathF.Cos(step / 7f);

    private static (Tensor Train, Tensor Val, Tensor Test) Table()
    {
        var rows = Enumerable.Range(0, N).SelectMany(s => new[] { s, T(s), P(s) }).ToArray();
        var df = NF.Constant(rows, [N, NumFeatures]);
        return (df[..140], df[140..180], df[180..]);
    }

    private static TutorialWindowGenerator Window(int inputWidth, int labelWidth, int shift, string[]? labelColumns = null)
    {
        var (train, val, test) = Table();
        return new TutorialWindowGenerator(inputWidth, labelWidth, shift, train, val, test, Columns, labelColumns);
    }

    private static History CompileAndFit(Model model, TutorialWindowGenerator window, int patience = 2, int maxEpochs = 3)
    {
        var earlyStopping = new Callbacks.EarlyStopping(monitor: "val_loss", patience: patience, mode: "min");
        model.Compile(new Optimizers.Adam(), new Losses.MeanSquaredError(), metrics: [new Metrics.MeanAbsoluteError()]);
        return model.Fit(window.Train, epochs: maxEpochs, validationData: window.Val, callbacks: [earlyStopping], verbose: 0);
    }

    private sealed class Baseline(int? labelIndex = null) : Model
    {
        public override Tensor Call(Tensor inputs) =>
            labelIndex is not { } i ? inputs : inputs[.., .., i][.., .., NF.NewAxis];
    }

    private sealed class MultiStepLastBaseline : Model
    {
        public override Tensor Call(Tensor inputs) => NF.Tile(inputs[.., ^1.., ..], 1, OutSteps, 1);
    }

    private sealed class ResidualWrapper(Model model) : Model
    {
        private readonly Model _model = model;

        // The prediction for each step is the input of the step before plus the model's delta.
        public override Tensor Call(Tensor inputs) => inputs + _model.Call(inputs);
    }

    private sealed class FeedBack : Model
    {
        private readonly int _outSteps;
        public readonly Layers.LSTMCell LstmCell;
        public readonly Layers.RNN LstmRnn;
        public readonly Layers.Dense Dense = new(NumFeatures);

        public FeedBack(int units, int outSteps)
        {
            _outSteps = outSteps;
            LstmCell = new Layers.LSTMCell(units);
            // The cell wrapped in an RNN too, to read the inputs in the warmup.
            LstmRnn = new Layers.RNN(LstmCell, returnState: true);
        }

        public (Tensor Prediction, Tensor[] State) Warmup(Tensor inputs)
        {
            var outputs = LstmRnn.CallWithStates(inputs);    // x, *state
            return (Dense.Call(outputs[0]), [.. outputs.Skip(1)]);
        }

        public override Tensor Call(Tensor inputs)
        {
            var (prediction, state) = Warmup(inputs);
            var predictions = new List<Tensor> { prediction };
            for (int n = 1; n < _outSteps; n++)
            {
                (var x, state) = LstmCell.Call(prediction, state);
                prediction = Dense.Call(x);
                predictions.Add(prediction);
            }
            // (time, batch, features) -> (batch, time, features)
            return NF.Transpose(NF.Stack(predictions), [1, 0, 2]);
        }
    }

    [SkippableFact]
    public void Windows_print_their_indices_and_split_stacked_slices_into_inputs_and_labels()
    {
        RequireBackend();
        var w1 = Window(24, 1, 24, ["T (degC)"]);
        Assert.Equal("Total window size: 48\nInput indices: [" + string.Join(" ", Enumerable.Range(0, 24)) + "]\nLabel indices: [47]\nLabel column name(s): ['T (degC)']", w1.ToString());
        var w2 = Window(6, 1, 1, ["T (degC)"]);
        Assert.Equal(7, w2.TotalWindowSize);
        Assert.Equal(new[] { 6 }, w2.LabelIndices);

        var train = w2.TrainDf;
        var exampleWindow = NF.Stack([train[..7], train[100..107], train[120..127]]);
        var (exampleInputs, exampleLabels) = w2.SplitWindow(exampleWindow);
        Assert.Equal(new[] { 3, 7, NumFeatures }, exampleWindow.Shape.ToArray());
        Assert.Equal(new[] { 3, 6, NumFeatures }, exampleInputs.Shape.ToArray());
        Assert.Equal(new[] { 3, 1, 1 }, exampleLabels.Shape.ToArray());
        Assert.Equal(new[] { T(6), T(106), T(126) }, exampleLabels.ToArray<float>());
        Assert.Equal(Enumerable.Range(100, 6).Select(s => (float)s), exampleInputs[1, .., 0].ToArray<float>());
    }

    [SkippableFact]
    public void The_window_datasets_hold_every_window_once_in_shuffled_batches_of_32()
    {
        RequireBackend();
        NF.Random.SetSeed(41);
        var w2 = Window(6, 1, 1, ["T (degC)"]);
        var starts = new List<int>();
        foreach (var (inputs, labels) in w2.Train)
        {
            Assert.True(inputs.Shape[0] is 32 || starts.Count + inputs.Shape[0] == 134, $"a batch of {inputs.Shape[0]}");
            var steps = inputs[.., .., 0].ToArray<float>();
            var t = labels.ToArray<float>();
            for (int b = 0; b < inputs.Shape[0]; b++)
            {
                int start = (int)steps[b * 6];
                Assert.Equal(Enumerable.Range(start, 6).Select(s => (float)s), steps.Skip(b * 6).Take(6));
                Assert.Equal(T(start + 6), t[b]);
                starts.Add(start);
            }
        }
        // 140 rows give 140 - 7 + 1 windows, each once, not in order.
        Assert.Equal(Enumerable.Range(0, 134), starts.Order());
        Assert.NotEqual(Enumerable.Range(0, 134), starts);
        Assert.Equal(new[] { 32, 6, NumFeatures }, w2.Example.Inputs.Shape.ToArray());
        Assert.Same(w2.Example.Inputs, w2.Example.Inputs);   // kept for the next call
    }

    [SkippableFact]
    public void Baselines_evaluate_into_dictionaries_of_the_mean_squared_and_absolute_errors()
    {
        RequireBackend();
        var singleStep = Window(1, 1, 1, ["T (degC)"]);
        var baseline = new Baseline(labelIndex: singleStep.ColumnIndices["T (degC)"]);
        baseline.Compile(loss: new Losses.MeanSquaredError(), metrics: [new Metrics.MeanAbsoluteError()]);
        var valPerformance = new Dictionary<string, IReadOnlyDictionary<string, float>>();
        valPerformance["Baseline"] = baseline.Evaluate(singleStep.Val);
        // The validation rows are steps 140..179: the baseline predicts T(s) for T(s + 1).
        var errors = Enumerable.Range(140, 39).Select(s => (double)T(s + 1) - T(s)).ToArray();
        Assert.Equal(new[] { "loss", "mean_absolute_error" }, valPerformance["Baseline"].Keys);
        Assert.Equal(errors.Average(e => e * e), valPerformance["Baseline"]["loss"], 5);
        Assert.Equal(errors.Average(Math.Abs), valPerformance["Baseline"]["mean_absolute_error"], 5);
        Assert.True(valPerformance["Baseline"].ContainsKey("loss"));
        Assert.False(valPerformance["Baseline"].TryGetValue("mae", out _));
        // for name, value in performance.items(): print(f'{name:12s}: {value[metric_name]:0.4f}')
        var lines = valPerformance.Select(p => $"{p.Key,-12}: {p.Value["mean_absolute_error"]:0.0000}");
        Assert.Equal($"Baseline    : {errors.Average(Math.Abs):0.0000}", Assert.Single(lines));
        Assert.Equal(valPerformance["Baseline"].Values, baseline.Evaluate(singleStep.Val).Select(kv => kv.Value));

        var wide = Window(24, 24, 1, ["T (degC)"]);
        Assert.Equal(new[] { 32, 24, 1 }, baseline.Call(wide.Example.Inputs).Shape.ToArray());

        // Multi-step: the last input step repeated OUT_STEPS times, against every feature of the next OUT_STEPS steps.
        var multiWindow = Window(6, OutSteps, OutSteps);
        var lastBaseline = new MultiStepLastBaseline();
        lastBaseline.Compile(loss: new Losses.MeanSquaredError(), metrics: [new Metrics.MeanAbsoluteError()]);
        var last = lastBaseline.Evaluate(multiWindow.Val);
        double Row(int s, int f) => f == 0 ? s : f == 1 ? T(s) : P(s);
        var multiErrors = (from start in Enumerable.Range(140, 40 - 12 + 1)
                           from step in Enumerable.Range(6, OutSteps)
                           from f in Enumerable.Range(0, NumFeatures)
                           select Row(start + step, f) - Row(start + 5, f)).ToArray();
        Assert.Equal(multiErrors.Average(e => e * e), last["loss"], 3);
        Assert.Equal(multiErrors.Average(Math.Abs), last["mean_absolute_error"], 4);
    }

    [SkippableFact]
    public void Linear_dense_conv_and_lstm_models_take_the_tutorials_shapes_and_fit_with_early_stopping()
    {
        RequireBackend();
        NF.Random.SetSeed(42);
        var singleStep = Window(1, 1, 1, ["T (degC)"]);
        var wide = Window(24, 24, 1, ["T (degC)"]);
        var linear = new Sequential(new Layers.Dense(1));
        Assert.Equal(new[] { 32, 1, 1 }, linear.Call(singleStep.Example.Inputs).Shape.ToArray());
        var history = CompileAndFit(linear, singleStep);
        Assert.Equal(new[] { "loss", "mean_absolute_error", "val_loss", "val_mean_absolute_error" }, history.Keys);
        Assert.Equal(new[] { 32, 24, 1 }, linear.Call(wide.Example.Inputs).Shape.ToArray());
        // plt.bar(height=linear.layers[0].kernel[:, 0]): one weight per column.
        Assert.Equal(new[] { NumFeatures }, ((Layers.Dense)linear.Layers[0]).Kernel![.., 0].Shape.ToArray());

        const int convWidth = 3;
        var convWindow = Window(convWidth, 1, 1, ["T (degC)"]);
        var multiStepDense = new Sequential(new Layers.Flatten(), new Layers.Dense(8, activation: "relu"), new Layers.Dense(1), new Layers.Reshape([1, -1]));
        Assert.Equal(new[] { 32, 1, 1 }, multiStepDense.Call(convWindow.Example.Inputs).Shape.ToArray());
        // The tutorial prints the error of the flattened model on the wide window: it names the widths.
        var e = Assert.Throws<ArgumentException>(() => multiStepDense.Call(wide.Example.Inputs));
        Assert.Contains("9", e.Message);
        Assert.Contains("72", e.Message);

        var convModel = new Sequential(new Layers.Conv1D(8, [convWidth], activation: "relu"), new Layers.Dense(8, activation: "relu"), new Layers.Dense(1));
        Assert.Equal(new[] { 32, 1, 1 }, convModel.Call(convWindow.Example.Inputs).Shape.ToArray());
        Assert.Equal(new[] { 32, 22, 1 }, convModel.Call(wide.Example.Inputs).Shape.ToArray());
        var wideConv = Window(24 + convWidth - 1, 24, 1, ["T (degC)"]);
        Assert.Equal(wideConv.Example.Labels.Shape.ToArray(), convModel.Call(wideConv.Example.Inputs).Shape.ToArray());

        var lstmModel = new Sequential(new Layers.LSTM(8, returnSequences: true), new Layers.Dense(1));
        Assert.Equal(new[] { 32, 24, 1 }, lstmModel.Call(wide.Example.Inputs).Shape.ToArray());
        var lstmHistory = CompileAndFit(lstmModel, wide, maxEpochs: 2);
        Assert.All(lstmHistory["val_loss"], v => Assert.True(float.IsFinite(v)));
        Assert.Equal(new[] { "loss", "mean_absolute_error" }, lstmModel.Evaluate(wide.Val).Keys);
    }

    [SkippableFact]
    public void The_residual_wrapper_starts_as_the_identity_and_multi_step_models_predict_every_feature()
    {
        RequireBackend();
        NF.Random.SetSeed(43);
        var wide = Window(24, 24, 1);
        var residualLstm = new ResidualWrapper(new Sequential(
            new Layers.LSTM(8, returnSequences: true),
            new Layers.Dense(NumFeatures, kernelInitializer: Initializer.Zeros)));
        var x = wide.Example.Inputs;
        // The deltas start at zero: the first prediction of each step is its input.
        Assert.Equal(x.ToArray<float>(), residualLstm.Call(x).ToArray<float>());
        var history = CompileAndFit(residualLstm, wide, maxEpochs: 1);
        Assert.True(float.IsFinite(history["loss"][0]));

        var multiWindow = Window(6, OutSteps, OutSteps);
        var multiLinear = new Sequential(
            new Layers.Lambda(t => t[.., ^1.., ..]),
            new Layers.Dense(OutSteps * NumFeatures, kernelInitializer: Initializer.Zeros),
            new Layers.Reshape([OutSteps, NumFeatures]));
        Assert.Equal(new float[32 * OutSteps * NumFeatures], multiLinear.Call(multiWindow.Example.Inputs).ToArray<float>());
        var multiConv = new Sequential(
            new Layers.Lambda(t => t[.., ^3.., ..]),
            new Layers.Conv1D(8, 3, activation: "relu"),
            new Layers.Dense(OutSteps * NumFeatures, kernelInitializer: Initializer.Zeros),
            new Layers.Reshape([OutSteps, NumFeatures]));
        var multiLstm = new Sequential(
            new Layers.LSTM(8, returnSequences: false),
            new Layers.Dense(OutSteps * NumFeatures, kernelInitializer: Initializer.Zeros),
            new Layers.Reshape([OutSteps, NumFeatures]));
        foreach (var model in new[] { multiLinear, multiConv, multiLstm })
        {
            Assert.Equal(multiWindow.Example.Labels.Shape.ToArray(), model.Call(multiWindow.Example.Inputs).Shape.ToArray());
            Assert.True(float.IsFinite(CompileAndFit(model, multiWindow, maxEpochs: 1)["val_loss"][0]));
        }
    }

    [SkippableFact]
    public void The_feedback_model_warms_up_on_the_inputs_then_feeds_its_predictions_back_through_the_shared_cell()
    {
        RequireBackend();
        NF.Random.SetSeed(44);
        var multiWindow = Window(6, OutSteps, OutSteps);
        var feedback = new FeedBack(units: 8, outSteps: OutSteps);
        var inputs = multiWindow.Example.Inputs;
        var (prediction, state) = feedback.Warmup(inputs);
        Assert.Equal(new[] { 32, NumFeatures }, prediction.Shape.ToArray());
        Assert.Equal(2, state.Length);   // h and c

        var output = feedback.Call(inputs);
        Assert.Equal(new[] { 32, OutSteps, NumFeatures }, output.Shape.ToArray());
        Assert.Equal(prediction.ToArray<float>(), output[.., 0, ..].ToArray<float>());
        var (x, _) = feedback.LstmCell.Call(prediction, state);
        GuideClose(feedback.Dense.Call(x), output[.., 1, ..]);
        // One cell shared by the RNN and the loop: its kernel, recurrent kernel and bias once, then the Dense's two.
        Assert.Equal(5, feedback.TrainableVariables.Count);
        Assert.Equal(4 * 8 * (NumFeatures + 8 + 1) + (8 + 1) * NumFeatures, feedback.CountParams());

        var history = CompileAndFit(feedback, multiWindow, maxEpochs: 2);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
    }

    private static void GuideClose(Tensor want, Tensor got)
    {
        var a = want.ToArray<float>();
        var b = got.ToArray<float>();
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 5);
    }
}

/// <summary>The time series tutorial on the managed backend.</summary>
public sealed class ManagedTutorialTimeSeriesTests() : TutorialTimeSeriesTests("managed");

/// <summary>The time series tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialTimeSeriesTests() : TutorialTimeSeriesTests("cpu");

/// <summary>The time series tutorial on CUDA.</summary>
public sealed class CudaTutorialTimeSeriesTests() : TutorialTimeSeriesTests("cuda");
