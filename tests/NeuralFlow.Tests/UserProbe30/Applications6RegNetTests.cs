using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// keras.applications.RegNetX002 ... RegNetY320 in C# (Applications.RegNetX002 ...), from tf.keras' regnet.py (Keras 3
/// no longer ships RegNet): parameter counts from its config table, layer names, X and Y blocks, the in-model
/// Rescaling, heads, imagenet_utils' input rules, and the smallest variants computing what PyTorch computes with the
/// same weights (applications6_references.py builds them by hand).
/// </summary>
public abstract class Applications6RegNetTests(string backend) : BackendFileTest(backend)
{
    // applications6_references.py "regnetx002 logits" / "regnety002 logits": five classes, two 32x32 images of raw pixels.
    private static readonly float[] X002Logits =
        [-3.30616692f, -6.12955513f, 6.51036052f, -1.71646314f, -17.5895174f, -3.17885206f, -5.87901929f, 2.42059555f, -0.705911586f, -12.2141141f];
    private static readonly float[] Y002Logits =
        [-1.98430721f, -2.42586197f, 5.5408637f, -4.57791736f, -1.70718667f, -0.984132498f, -3.24174504f, 3.89451845f, -4.13877343f, -0.0927937592f];

    // applications6_references.py's regnet_params (arithmetic over regnet.py's MODEL_CONFIGS, 1000 classes): total,
    // trainable, without the top. Keras' table rounds them (2.7M for X002 ... 145.0M for Y320).
    internal static readonly (Func<bool, Model> Make, string Name, long Params, long Trainable, long NoTop)[] Variants =
    [
        (t => Applications.RegNetX002(includeTop: t, weights: null), "regnetx002", 2_705_640, 2_684_792, 2_336_640),
        (t => Applications.RegNetX004(includeTop: t, weights: null), "regnetx004", 5_194_184, 5_157_512, 4_809_184),
        (t => Applications.RegNetX006(includeTop: t, weights: null), "regnetx006", 6_229_320, 6_196_040, 5_700_320),
        (t => Applications.RegNetX008(includeTop: t, weights: null), "regnetx008", 7_296_968, 7_259_656, 6_623_968),
        (t => Applications.RegNetX016(includeTop: t, weights: null), "regnetx016", 9_233_640, 9_190_136, 8_320_640),
        (t => Applications.RegNetX032(includeTop: t, weights: null), "regnetx032", 15_359_112, 15_296_552, 14_350_112),
        (t => Applications.RegNetX040(includeTop: t, weights: null), "regnetx040", 22_194_312, 22_118_248, 20_833_312),
        (t => Applications.RegNetX064(includeTop: t, weights: null), "regnetx064", 26_283_464, 26_209_256, 24_658_464),
        (t => Applications.RegNetX080(includeTop: t, weights: null), "regnetx080", 39_663_112, 39_572_648, 37_742_112),
        (t => Applications.RegNetX120(includeTop: t, weights: null), "regnetx120", 46_202_440, 46_106_056, 43_961_440),
        (t => Applications.RegNetX160(includeTop: t, weights: null), "regnetx160", 54_389_704, 54_278_536, 52_340_704),
        (t => Applications.RegNetX320(includeTop: t, weights: null), "regnetx320", 107_973_576, 107_811_560, 105_452_576),
        (t => Applications.RegNetY002(includeTop: t, weights: null), "regnety002", 3_183_844, 3_162_996, 2_814_844),
        (t => Applications.RegNetY004(includeTop: t, weights: null), "regnety004", 4_371_296, 4_344_144, 3_930_296),
        (t => Applications.RegNetY006(includeTop: t, weights: null), "regnety006", 6_084_920, 6_055_160, 5_475_920),
        (t => Applications.RegNetY008(includeTop: t, weights: null), "regnety008", 6_293_056, 6_263_168, 5_524_056),
        (t => Applications.RegNetY016(includeTop: t, weights: null), "regnety016", 11_255_102, 11_202_430, 10_366_102),
        (t => Applications.RegNetY032(includeTop: t, weights: null), "regnety032", 19_502_498, 19_436_338, 17_989_498),
        (t => Applications.RegNetY040(includeTop: t, weights: null), "regnety040", 20_708_928, 20_646_656, 19_619_928),
        (t => Applications.RegNetY064(includeTop: t, weights: null), "regnety064", 30_665_684, 30_583_252, 29_368_684),
        (t => Applications.RegNetY080(includeTop: t, weights: null), "regnety080", 39_265_812, 39_180_068, 37_248_812),
        (t => Applications.RegNetY120(includeTop: t, weights: null), "regnety120", 51_918_928, 51_822_544, 49_677_928),
        (t => Applications.RegNetY160(includeTop: t, weights: null), "regnety160", 83_712_956, 83_590_140, 80_687_956),
        (t => Applications.RegNetY320(includeTop: t, weights: null), "regnety320", 145_205_058, 145_046_770, 141_492_058),
    ];

    [SkippableFact]
    public void The_smallest_variants_have_kerass_parameter_counts_and_layer_names()
    {
        RequireBackend();
        foreach (var (make, name, parameters, trainable, noTop) in Variants.Where(v => v.Name.EndsWith("002")))
        {
            var model = make(true);
            Assert.Equal((name, parameters, trainable), (model.Name, model.CountParams(), model.TrainableVariables.Sum(v => (long)v.Shape.Count)));
            Assert.Equal(new int?[] { null, 224, 224, 3 }, model.Input.Shape);
            Assert.Equal(noTop, make(false).CountParams());
        }
        var x = Applications.RegNetX002(weights: null);
        Assert.Equal(["regnetx002_prestem_rescaling", "regnetx002_stem_conv", "regnetx002_stem_bn", "regnetx002_stem_relu"],
                     x.Layers.Skip(1).Take(4).Select(l => l.Name));
        Assert.Equal(1 / 255.0, Assert.IsType<Layers.Rescaling>(x.Layers[1]).Scale, 12);
        var stemBn = Assert.IsType<Layers.BatchNormalization>(x.GetLayer("regnetx002_stem_bn"));
        Assert.Equal((0.9, 1e-5), (stemBn.Momentum, stemBn.Epsilon));
        // X002's first stage: 24 filters in groups of 8 (3 groups), its first block strided with a 1x1 projection.
        var grouped = Assert.IsType<Layers.Conv2D>(x.GetLayer("regnetx002_Stage_0_XBlock_0_conv_3x3"));
        Assert.Equal((3, 2), (grouped.Groups, grouped.Strides[0]));
        Assert.Equal(new int?[] { null, 56, 56, 24 }, x.GetLayer("regnetx002_Stage_0_XBlock_0_skip_1x1").Output.Shape);
        Assert.Equal(new int?[] { null, 7, 7, 368 }, x.GetLayer("regnetx002_Stage_3_XBlock_6_exit_relu").Output.Shape);
        Assert.Throws<ArgumentException>(() => x.GetLayer("regnetx002_Stage_3_XBlock_1_skip_1x1"));   // no projection after the first block
        Assert.Equal(["regnetx002_Stage_3_XBlock_6_exit_relu", "1_head_gap", "1head_dense"], x.Layers.TakeLast(3).Select(l => l.Name));
        // Y blocks squeeze to a quarter of the block's input width (the stage's input for its first block).
        var y = Applications.RegNetY002(weights: null);
        Assert.Equal(new int?[] { null, 1, 1, 8 }, y.GetLayer("regnety002_Stage_0_YBlock_0_squeeze_and_excite_squeeze").Output.Shape);
        Assert.Equal(new int?[] { null, 1, 1, 6 }, y.GetLayer("regnety002_Stage_1_YBlock_0_squeeze_and_excite_squeeze").Output.Shape);
        Assert.Equal(new int?[] { null, 1, 1, 56 }, y.GetLayer("regnety002_Stage_1_YBlock_0_squeeze_and_excite_excite").Output.Shape);
        Assert.IsType<Layers.GlobalAveragePooling2D>(y.GetLayer("regnety002_Stage_2_YBlock_3_squeeze_and_excite_gap"));
        // RegNetX080's first stage is narrower (80) than its group width (120): tf-keras' Conv2D takes groups 0 as 1.
        Assert.Equal(1, Assert.IsType<Layers.Conv2D>(Applications.RegNetX080(includeTop: false, weights: null, inputShape: [32, 32, 3])
                                                        .GetLayer("regnetx080_Stage_0_XBlock_0_conv_3x3")).Groups);
        Assert.NotEmpty(y.SummaryText());
    }

    [SkippableFact]
    public void RegNetX002_and_Y002_compute_as_pytorch_with_the_same_weights()
    {
        RequireBackend();
        var pixels = ApplicationsWeightsFile.Images(2, 32, 32, 3);
        Assert.Same(pixels, Applications.RegNetPreprocessInput(pixels));
        foreach (var (make, expected) in new (Func<Model>, float[])[]
                 {
                     (() => Applications.RegNetX002(weights: null, inputShape: [32, 32, 3], classes: 5, classifierActivation: null), X002Logits),
                     (() => Applications.RegNetY002(weights: null, inputShape: [32, 32, 3], classes: 5, classifierActivation: null), Y002Logits),
                 })
        {
            var logits = Applications6Weights.Fill(make()).Predict(pixels).ToArray<float>();
            Assert.Equal(expected.Length, logits.Length);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], logits[i], 2e-4f);
        }
        // The classifier's activation is applied (Keras documents it; tf.keras' Head leaves it out): a softmax by default.
        var probabilities = Applications6Weights.Fill(Applications.RegNetX002(weights: null, inputShape: [32, 32, 3], classes: 5)).Predict(pixels);
        Assert.Equal(2.0, probabilities.ToArray<float>().Sum(), 4);
    }

    [SkippableFact]
    public void Without_the_top_they_give_the_map_or_its_pooling()
    {
        RequireBackend();
        var open = Applications.RegNetY002(includeTop: false, weights: null);
        Assert.Equal(new int?[] { null, null, null, 3 }, open.Input.Shape);
        Assert.Equal(new int?[] { null, null, null, 368 }, open.Output.Shape);
        var avg = Applications.RegNetX002(includeTop: false, weights: null, inputShape: [64, 96, 3], pooling: "avg");
        Assert.IsType<Layers.GlobalAveragePooling2D>(avg.Layers[^1]);
        Assert.Equal(new int?[] { null, 368 }, avg.Output.Shape);
        var max = Applications.RegNetY004(includeTop: false, weights: null, inputShape: [64, 64, 3], pooling: "max");
        Assert.IsType<Layers.GlobalMaxPooling2D>(max.Layers[^1]);
        Assert.Equal(new int?[] { null, 440 }, max.Output.Shape);
        Assert.Equal(new Shape(2, 440), max.Predict(ApplicationsWeightsFile.Images(2, 64, 64, 3)).Shape);
        Assert.Equal(new int?[] { null, 2, 3, 368 }, Applications.RegNetX002(includeTop: false, weights: null, inputShape: [64, 96, 3]).Output.Shape);
        var bare = Applications.RegNetX002(includeTop: false, weights: null, includePreprocessing: false);
        Assert.Equal("regnetx002_stem_conv", bare.Layers[1].Name);
        var renamed = Applications.RegNetX004(includeTop: false, weights: null, name: "backbone");
        Assert.Equal("backbone_stem_conv", renamed.Layers[2].Name);
        var images = Layers.Input([48, 48, 3]);
        var built = Applications.RegNetY002(includeTop: false, weights: null, inputTensor: images, pooling: "avg");
        Assert.Same(images, built.Input);
    }

    [SkippableFact]
    public void Refusals_name_the_argument_and_the_file_to_fetch()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => Applications.RegNetX002());
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/regnet/regnetx002.h5", e.Message);
        Assert.Contains("regnety320_notop.h5", Assert.Throws<ArgumentException>(() => Applications.RegNetY320(includeTop: false)).Message);
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.RegNetX002(weights: null, inputShape: [31, 64, 3])).Message);
        Assert.Contains("fully known", Assert.Throws<ArgumentException>(() => Applications.RegNetY002(weights: null, inputShape: [null, 64, 3])).Message);
        Assert.Equal("pooling", Assert.Throws<ArgumentException>(() => Applications.RegNetX002(includeTop: false, weights: null, pooling: "mean")).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.RegNetY002(weights: null, classes: 0)).ParamName);
        Assert.Contains("no file is at", Assert.Throws<ArgumentException>(() => Applications.RegNetX002(weights: Temp.File("absent.h5"))).Message);
    }
}

/// <summary>Applications.RegNetX002 ... RegNetY320, on the managed backend.</summary>
public sealed class ManagedApplications6RegNetTests() : Applications6RegNetTests("managed");

/// <summary>Applications.RegNetX002 ... RegNetY320, on the native CPU backend.</summary>
public sealed class NativeCpuApplications6RegNetTests() : Applications6RegNetTests("cpu");

/// <summary>Applications.RegNetX002 ... RegNetY320, on the CUDA backend.</summary>
public sealed class CudaApplications6RegNetTests() : Applications6RegNetTests("cuda");
