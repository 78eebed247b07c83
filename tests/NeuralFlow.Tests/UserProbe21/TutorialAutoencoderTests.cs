using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// TensorFlow's "Intro to Autoencoders" tutorial (site/en/tutorials/generative/autoencoder.ipynb) cell by cell at
/// small sizes: the subclassed Autoencoder of an encoder and a decoder Sequential, fitted as model.fit(x, x,
/// validation_data=...) and called part by part; the denoising Conv2D / Conv2DTranspose autoencoder on images noised
/// with tf.random.normal and tf.clip_by_value; and anomaly detection on ECG-like rows with a reconstruction-MAE
/// threshold of mean + std, tf.math.less, and accuracy / precision / recall. The training numbers of both models with
/// the same weights come from PyTorch (autoencoder_references.py).
/// </summary>
public abstract class TutorialAutoencoderTests(string backend) : BackendTest(backend)
{
    private sealed class Autoencoder : Model
    {
        public readonly Sequential Encoder, Decoder;

        public Autoencoder(int latentDim, int[] shape)
        {
            Encoder = new Sequential(new Layers.Flatten(), new Layers.Dense(latentDim, activation: "relu"));
            Decoder = new Sequential(new Layers.Dense(NF.ReduceProd(NF.Constant(shape)).Item<int>(), activation: "sigmoid"), new Layers.Reshape(shape));
        }

        public override Tensor Call(Tensor x) => Decoder.Call(Encoder.Call(x));
    }

    [SkippableFact]
    public void The_subclassed_autoencoder_trains_as_pytorch_and_its_halves_reconstruct_apart()
    {
        RequireBackend();
        var xTrain = Images(16, (n, i, j) => 0.5 + 0.4 * Math.Sin(0.7 * n + 1.3 * i - 0.9 * j));
        var xTest = Images(8, (n, i, j) => 0.5 + 0.4 * Math.Cos(0.5 * n - 0.8 * i + 1.1 * j));
        int[] shape = xTest.Shape.ToArray()[1..];
        var autoencoder = new Autoencoder(3, shape);
        autoencoder.Call(xTrain[..1]);   // builds the layers, to write the script's weights into
        SineWeights.Write([.. autoencoder.Encoder.Layers, .. autoencoder.Decoder.Layers]);
        autoencoder.Compile("adam", new Losses.MeanSquaredError());
        var history = autoencoder.Fit(xTrain, xTrain, batchSize: 8, epochs: 3, shuffle: false, validationData: (xTest, xTest), verbose: 0);
        // autoencoder_references.py "dense loss" / "dense val_loss".
        double[] loss = [0.08302811083282452, 0.08261436407028931, 0.0822189570918052];
        double[] valLoss = [0.08334095052213378, 0.08305026923917458, 0.08277428845589813];
        for (int e = 0; e < 3; e++)
        {
            Assert.Equal(loss[e], history["loss"][e], 6);
            Assert.Equal(valLoss[e], history["val_loss"][e], 6);
        }

        // encoded_imgs = autoencoder.encoder(x_test); decoded_imgs = autoencoder.decoder(encoded_imgs).
        var encodedImgs = autoencoder.Encoder.Call(xTest);
        Assert.Equal(new[] { 8, 3 }, encodedImgs.Shape.ToArray());
        var decodedImgs = autoencoder.Decoder.Call(encodedImgs);
        Assert.Equal(new[] { 8, 4, 4 }, decodedImgs.Shape.ToArray());
        double[] decoded0 = [0.49668092761311394, 0.4922918236606629, 0.4890525162215588, 0.486700712279362, 0.4885063600865491, 0.49016886187673275,
                             0.49285667330047955, 0.49668425004517613, 0.501187436322113, 0.5056992469801915, 0.5096708944790692, 0.5125536191984488,
                             0.5110965983304326, 0.5105936490433058, 0.5086428140899638, 0.5053577293412027];
        var got = decodedImgs[0].ToArray<float>();
        for (int k = 0; k < 16; k++) Assert.Equal(decoded0[k], got[k], 5);
        Assert.Equal(got, autoencoder.Predict(xTest)[0].ToArray<float>());
    }

    private static Tensor Images(int count, Func<int, int, int, double> pixel)
    {
        var values = new float[count, 4, 4];
        for (int n = 0; n < count; n++)
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    values[n, i, j] = (float)pixel(n, i, j);
        return NF.Constant(values);
    }

    private sealed class Denoise : Model
    {
        public readonly Sequential Encoder = new(
            Layers.Input([8, 8, 1]),
            new Layers.Conv2D(4, 3, activation: "relu", padding: "same", strides: 2),
            new Layers.Conv2D(2, 3, activation: "relu", padding: "same", strides: 2));

        public readonly Sequential Decoder = new(
            new Layers.Conv2DTranspose(2, kernelSize: 3, strides: 2, activation: "relu", padding: "same"),
            new Layers.Conv2DTranspose(4, kernelSize: 3, strides: 2, activation: "relu", padding: "same"),
            new Layers.Conv2D(1, kernelSize: 3, activation: "sigmoid", padding: "same"));

        public override Tensor Call(Tensor x) => Decoder.Call(Encoder.Call(x));
    }

    [SkippableFact]
    public void The_denoising_conv_autoencoder_matches_pytorch_with_kerass_same_padding()
    {
        RequireBackend();
        var clean = new float[4, 8, 8, 1];
        var noisy = new float[4, 8, 8, 1];
        for (int n = 0; n < 4; n++)
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++)
                {
                    double c = 0.5 + 0.45 * Math.Sin(0.9 * n + 0.6 * i) * Math.Cos(0.4 * j - 0.3 * n);
                    clean[n, i, j, 0] = (float)c;
                    noisy[n, i, j, 0] = (float)Math.Clamp(c + 0.2 * Math.Sin(3.7 * n + 2.3 * i + 1.9 * j + 0.5), 0, 1);
                }
        var xTrain = NF.Constant(clean);
        var xTrainNoisy = NF.Constant(noisy);

        var autoencoder = new Denoise();
        autoencoder.Call(xTrainNoisy[..1]);
        SineWeights.Write([.. autoencoder.Encoder.Layers, .. autoencoder.Decoder.Layers]);
        // "denoise output[0] before training": the first eight pixels.
        double[] before = [0.5076157467725624, 0.5108241299738416, 0.5108241299738416, 0.5105017653703207, 0.5110637327666059, 0.5109246167027053,
                           0.5104342286772398, 0.5117695131640326];
        var output = autoencoder.Call(xTrainNoisy[..1]).ToArray<float>();
        for (int k = 0; k < 8; k++) Assert.Equal(before[k], output[k], 5);

        autoencoder.Compile("adam", new Losses.MeanSquaredError());
        var history = autoencoder.Fit(xTrainNoisy, xTrain, batchSize: 2, epochs: 2, shuffle: false, validationData: (xTrainNoisy, xTrain), verbose: 0);
        Assert.Equal(0.04906983955781355, history["loss"][0], 6);
        Assert.Equal(0.04901776619793256, history["loss"][1], 6);
        Assert.Equal(0.04903244610480652, history["val_loss"][0], 6);
        Assert.Equal(0.04898845225431563, history["val_loss"][1], 6);

        // autoencoder.encoder.summary() / decoder.summary(): 8x8 -> 4x4 -> 2x2, and back.
        var encoderSummary = new StringWriter();
        autoencoder.Encoder.Summary(encoderSummary);
        Assert.Contains("(None, 2, 2, 2)", encoderSummary.ToString());
        var decoderSummary = new StringWriter();
        autoencoder.Decoder.Summary(decoderSummary);
        Assert.Contains("(None, 8, 8, 1)", decoderSummary.ToString());
        Assert.Equal(new[] { 4, 2, 2, 2 }, autoencoder.Encoder.Call(xTrainNoisy).Shape.ToArray());
    }

    [SkippableFact]
    public void Noise_added_with_random_normal_is_clipped_into_the_unit_range()
    {
        RequireBackend();
        NF.Random.SetSeed(2121);
        var xTrain = NF.Random.Uniform([64, 8, 8, 1]);
        const float noiseFactor = 0.2f;
        var xTrainNoisy = xTrain + noiseFactor * NF.Random.Normal(xTrain.Shape);
        var unclipped = xTrainNoisy.ToArray<float>();
        Assert.Contains(unclipped, v => v < 0 || v > 1);
        xTrainNoisy = NF.Clip(xTrainNoisy, 0f, 1f);   // tf.clip_by_value(x, clip_value_min=0., clip_value_max=1.)
        var clipped = xTrainNoisy.ToArray<float>();
        Assert.All(clipped, v => Assert.InRange(v, 0f, 1f));
        for (int k = 0; k < clipped.Length; k++) Assert.Equal(Math.Clamp(unclipped[k], 0f, 1f), clipped[k]);
        // The noise has the asked spread: std(noisy - clean) before clipping is about 0.2.
        Assert.InRange(NF.ReduceStd(NF.Constant(unclipped, xTrain.Shape) - xTrain).Item<float>(), 0.18f, 0.22f);
    }

    private sealed class AnomalyDetector : Model
    {
        public readonly Sequential Encoder = new(
            new Layers.Dense(32, activation: "relu"), new Layers.Dense(16, activation: "relu"), new Layers.Dense(8, activation: "relu"));

        public readonly Sequential Decoder;

        public AnomalyDetector(int length) =>
            Decoder = new Sequential(new Layers.Dense(16, activation: "relu"), new Layers.Dense(32, activation: "relu"), new Layers.Dense(length, activation: "sigmoid"));

        public override Tensor Call(Tensor x) => Decoder.Call(Encoder.Call(x));
    }

    // ECG-like rows of 40 readings then the label: 1 (normal) a beat at a fixed place, 0 (anomalous) a flat, shifted one.
    private static Tensor EcgRows(int rows, Random random)
    {
        const int length = 40;
        var raw = new float[rows, length + 1];
        for (int r = 0; r < rows; r++)
        {
            bool normal = r % 3 != 0;
            double peak = normal ? 10 : 25 + random.Next(8);
            for (int t = 0; t < length; t++)
            {
                double beat = (normal ? 3.0 : 1.2) * Math.Exp(-(t - peak) * (t - peak) / 6.0) + Math.Sin(2 * Math.PI * t / length) * (normal ? 0.8 : -0.6);
                raw[r, t] = (float)(beat + 0.1 * (random.NextDouble() - 0.5));
            }
            raw[r, length] = normal ? 1 : 0;
        }
        return NF.Constant(raw);
    }

    [SkippableFact]
    public void Anomalies_are_detected_by_a_reconstruction_mae_threshold_of_mean_plus_std()
    {
        RequireBackend();
        NF.Random.SetSeed(2122);
        var rawData = EcgRows(240, new Random(21));
        var labels = rawData[.., ^1];   // the last element contains the labels
        var data = rawData[.., ..^1];   // the other data points are the electrocardiogram data
        Assert.Equal(new[] { 240, 40 }, data.Shape.ToArray());
        var (trainData, testData) = (data[..192], data[192..]);
        var (trainLabels, testLabels) = (labels[..192], labels[192..]);

        var minVal = NF.ReduceMin(trainData);
        var maxVal = NF.ReduceMax(trainData);
        trainData = NF.Cast((trainData - minVal) / (maxVal - minVal), DType.Float32);
        testData = NF.Cast((testData - minVal) / (maxVal - minVal), DType.Float32);
        Assert.Equal(0f, NF.ReduceMin(trainData).Item<float>());
        Assert.Equal(1f, NF.ReduceMax(trainData).Item<float>());

        var trainMask = NF.Cast(trainLabels, DType.Bool);
        var testMask = NF.Cast(testLabels, DType.Bool);
        var normalTrainData = NF.BooleanMask(trainData, trainMask);
        var normalTestData = NF.BooleanMask(testData, testMask);
        var anomalousTrainData = NF.BooleanMask(trainData, ~trainMask);   // train_data[~train_labels]
        var anomalousTestData = NF.BooleanMask(testData, ~testMask);
        Assert.Equal(192, normalTrainData.Shape[0] + anomalousTrainData.Shape[0]);
        Assert.Equal(128, normalTrainData.Shape[0]);

        var autoencoder = new AnomalyDetector(40);
        autoencoder.Compile("adam", "mae");
        var history = autoencoder.Fit(normalTrainData, normalTrainData, epochs: 40, batchSize: 16, validationData: (testData, testData), shuffle: true, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0] * 0.7, string.Join(", ", history["loss"]));

        // train_loss = tf.keras.losses.mae(reconstructions, normal_train_data); threshold = mean + std.
        var reconstructions = autoencoder.Predict(normalTrainData);
        var trainLoss = Losses.MeanAbsoluteError.PerExample(reconstructions, normalTrainData);
        Assert.Equal(new[] { 128 }, trainLoss.Shape.ToArray());
        var losses = trainLoss.ToArray<float>();
        double mean = losses.Average(), std = Math.Sqrt(losses.Average(l => (l - mean) * (l - mean)));   // np.std: population
        var threshold = NF.ReduceMean(trainLoss) + NF.ReduceStd(trainLoss);
        Assert.Equal(mean + std, threshold.Item<float>(), 5);
        var testLoss = Losses.MeanAbsoluteError.PerExample(autoencoder.Predict(anomalousTestData), anomalousTestData);
        Assert.True(NF.ReduceMean(testLoss).Item<float>() > threshold.Item<float>());

        // predict(model, data, threshold) and print_stats(preds, test_labels), sklearn's formulas with True (normal) positive.
        Tensor Predict(Model model, Tensor x, Tensor limit) => NF.Less(Losses.MeanAbsoluteError.PerExample(model.Call(x), x), limit);
        var preds = Predict(autoencoder, testData, threshold);
        Assert.Equal(DType.Bool, preds.DType);
        var p = preds.ToArray<bool>();
        var t = testMask.ToArray<bool>();
        int tp = p.Zip(t).Count(z => z.First && z.Second), fp = p.Zip(t).Count(z => z.First && !z.Second), fn = p.Zip(t).Count(z => !z.First && z.Second);
        double accuracy = p.Zip(t).Count(z => z.First == z.Second) / (double)p.Length;
        double precision = tp / (double)(tp + fp), recall = tp / (double)(tp + fn);
        Assert.True(accuracy > 0.8, $"accuracy {accuracy}");
        Assert.True(precision > 0.8, $"precision {precision}");

        // Keras' metrics on the same bools give the same numbers.
        var kerasPrecision = new Metrics.Precision();
        kerasPrecision.UpdateState(testMask, preds);
        Assert.Equal(precision, kerasPrecision.Result(), 6);
        var kerasRecall = new Metrics.Recall();
        kerasRecall.UpdateState(testMask, preds);
        Assert.Equal(recall, kerasRecall.Result(), 6);
        var kerasAccuracy = new Metrics.BinaryAccuracy();
        kerasAccuracy.UpdateState(NF.Cast(testMask, DType.Float32), NF.Cast(preds, DType.Float32));
        Assert.Equal(accuracy, kerasAccuracy.Result(), 6);
    }
}

/// <summary>The autoencoder tutorial on the managed backend.</summary>
public sealed class ManagedTutorialAutoencoderTests() : TutorialAutoencoderTests("managed");

/// <summary>The autoencoder tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialAutoencoderTests() : TutorialAutoencoderTests("cpu");

/// <summary>The autoencoder tutorial on CUDA.</summary>
public sealed class CudaTutorialAutoencoderTests() : TutorialAutoencoderTests("cuda");
