using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserProbe26.TutorialInputGradsModel;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// TensorFlow's adversarial example tutorial (generative/adversarial_fgsm.ipynb) in C#: the image preprocessed as for
/// MobileNetV2 (cast, tf.image.resize, mobilenet_v2.preprocess_input, a batch axis), the model's prediction, the
/// label one-hot from its argmax, create_adversarial_pattern (tape.watch on the image, CategoricalCrossentropy on the
/// softmax output, the gradient with respect to the image, tf.sign), and the predictions of image + eps * perturbations
/// clipped to [-1, 1] for the tutorial's four epsilons. The small CNN of TutorialInputGradsModel stands in for
/// MobileNetV2; every number is PyTorch's (inputgrads_references.py).
/// </summary>
public abstract class TutorialFgsmTests(string backend) : BackendTest(backend)
{
    // inputgrads_references.py: the preprocessed image's first values, its prediction, the loss and its gradient.
    private static readonly float[] ImageStart = [0.18553925f, 0.16151965f, -0.08431375f, 0.62598038f, 0.67916667f, -0.014460802f];
    private static readonly float[] ImageProbs = [0.97198629f, 0.026615918f, 0.00084964425f, 0.00015976909f, 0.00038836274f];
    private const float Loss = 0.028413575f;
    private static readonly float[] Gradient =
    [
        0f, 0f, 0f, 0f, 0f, 0f, -0.0041551753f, 0.0014630599f,
        0.001398119f, 0.0025184895f, -0.0028770403f, 0.0029031318f, -0.0025937539f, 0.0019846531f, -0.0011462132f, -0.0061724754f,
        0.00044574065f, 0.0053325025f, -0.016500566f, 0.023212068f, -0.027241291f, 0.028122639f, -0.025754267f, 0.020409852f,
        0.0073366812f, -0.0010997748f, -0.005264217f, 0.0029236693f, -0.0092004947f, 0.014414152f, -0.022599906f, 0.021451406f,
        -0.017824084f, 0.0096567636f, -0.011454437f, 0.011928489f, -0.0026800241f, 0.0021253712f, -0.0013251216f, 0.002241652f,
        0.0018794952f, -0.0057834554f, 0.0036504557f, -0.0029167272f, 0.0018459577f, -0.00056187622f, -0.00078713149f, 0.0020451844f,
        -0.0015745787f, 0.016101589f, -0.028767981f, 0.029765964f, -0.036327828f, 0.038691819f, -0.033028901f, 0.020775268f,
        -0.0061209463f, -0.0052337954f, 0.0019013784f, 0.0016507539f, -0.0075104432f, 0.0023421571f, 0.0030967789f, -0.015651748f,
        0.032835677f, -0.046225268f, 0.049566276f, -0.048263777f, 0.041384131f, -0.01693782f, 0.011068666f, -0.0039204657f,
        0.010351001f, 0.00083638448f, -0.011927125f, 0.013085355f, -0.021742575f, 0.027887326f, -0.022952624f, 0.018701255f,
        -0.012288854f, -0.0026869364f, 0.0044955201f, -0.0057846205f, 0.014259515f, -0.019387303f, 0.022274785f, -0.017322244f,
        0.03474338f, -0.048149735f, 0.049851477f, -0.055655695f, 0.055028606f, -0.045877606f, 0.039888356f, -0.029289791f,
        0.0087610846f, -0.0062526548f, 0.0030216966f, 0.00055843592f, -0.0040740352f, 0.0071188621f, 0.0082198214f, -0.015022887f,
        0.02008998f, -0.025837895f, 0.028048001f, -0.027017014f, 0.036457799f, -0.043846574f, 0.046168651f, -0.058368128f,
        0.065305002f, -0.064695537f, 0.049665377f, -0.039369397f, 0.024524074f, -0.017404612f, 0.013565728f, -0.0081592519f,
        0.013625447f, -0.020514224f, 0.025032472f, -0.034997053f, 0.041516725f, -0.043238916f, 0.049530484f, -0.046037391f,
        0.037224431f, -0.037272979f, 0.032604486f, -0.024168368f, 0.029506642f, -0.024372753f, 0.016422467f, -0.015125193f,
        0.009179635f, -0.0021733148f, -0.0047862157f, 0.0074304556f, -0.0092160664f, 0f, 0f, 0f,
        0.0056593642f, -0.0087450426f, 0.010820185f, -0.018268526f, 0.025989972f, -0.030708143f, 0.040428542f, -0.042576715f,
        0.039804921f, -0.045410771f, 0.037352428f, -0.024977816f, 0.011645243f, -0.0052413354f, -0.0017682388f, 0.0010765735f,
        -0.0019872189f, 0.0026682299f, 0.0049005197f, -0.0048786378f, 0.0042930031f, 0f, 0f, 0f,
        0f, 0f, 0f, -0.0048781401f, 0.013350881f, -0.020280857f, 0.024867274f, -0.026580144f,
        0.025221538f, -0.028889883f, 0.022195499f, -0.012936309f, -0.0082446812f, 0.017967189f, -0.025613494f, 0.030300023f,
        -0.031485226f, 0.029032141f, -0.015392691f, 0.0067175888f, 0.002733767f, 0f, 0f, 0f,
    ];

    // inputgrads_references.py: the predictions of the clipped image + eps * sign(gradient), and their classes.
    private static readonly float[] Epsilons = [0, 0.01f, 0.1f, 0.15f];
    private static readonly float[][] AdvProbs =
    [
        [0.97198629f, 0.026615918f, 0.00084964425f, 0.00015976909f, 0.00038836274f],
        [0.67101562f, 0.053149328f, 0.014861605f, 0.02671298f, 0.23426045f],
        [2.597169e-14f, 2.0580834e-10f, 2.2305319e-05f, 0.14168462f, 0.85829306f],
        [4.8546771e-18f, 7.0191811e-14f, 9.1934012e-08f, 0.014478248f, 0.98552173f],
    ];
    private static readonly long[] AdvClasses = [0, 0, 4, 4];

    /// <summary>The tutorial's preprocess: float32, resized to the model's size, scaled to [-1, 1], a batch of one.</summary>
    private static Tensor Preprocess(Tensor image)
    {
        image = NF.Cast(image, DType.Float32);
        image = NF.Image.Resize(image, Size, Size);
        image = Applications.MobileNetV2PreprocessInput(image);
        return image[NF.NewAxis, NF.Ellipsis];
    }

    /// <summary>The tutorial's create_adversarial_pattern, with the loss and raw gradient kept to check them.</summary>
    private static (Tensor SignedGrad, Tensor Gradient, Tensor Loss) CreateAdversarialPattern(Model model, Tensor inputImage, Tensor inputLabel)
    {
        var lossObject = new Losses.CategoricalCrossentropy();
        Tensor loss;
        Tensor gradient;
        using (var tape = new GradientTape())
        {
            tape.Watch(inputImage);
            var prediction = model.Call(inputImage);
            loss = lossObject.Call(inputLabel, prediction);
            gradient = tape.Gradient(loss, inputImage);
        }
        return (NF.Sign(gradient), gradient, loss);
    }

    [SkippableFact]
    public void The_adversarial_pattern_and_the_perturbed_predictions_are_PyTorchs()
    {
        RequireBackend();
        var model = Build(softmax: true);
        var image = Preprocess(ImageU8(10, 12, phase: 0));
        Assert.Equal(new Shape(1, Size, Size, 3), image.Shape);
        Close(ImageStart, NF.Reshape(image, [-1])[..6], 1e-6, 1e-6, "preprocessed image");

        var imageProbs = model.Predict(image);
        Close(ImageProbs, imageProbs[0], 1e-5, 1e-7, "image probabilities");

        // label = tf.one_hot(index, image_probs.shape[-1]), reshaped to (1, classes); the index is the predicted class.
        var index = NF.ArgMax(imageProbs, axis: -1)[0];
        Assert.Equal(0L, index.Item<long>());
        var label = NF.OneHot(index, imageProbs.Shape[-1]);
        label = NF.Reshape(label, [1, imageProbs.Shape[-1]]);

        var (perturbations, gradient, loss) = CreateAdversarialPattern(model, image, label);
        Assert.Equal(Loss, loss.Item<float>(), 1e-5f);
        Assert.Equal(image.Shape, gradient.Shape);
        Close(Gradient, NF.Reshape(gradient, [-1]), 1e-4, 1e-8, "gradient of the loss with respect to the image");
        // tf.sign: the pixels the model never reads (the 'valid' convolution and the pooling leave them out) have a
        // gradient of exactly 0, and their sign is 0; the smallest other |gradient| is 4.5e-4, far from rounding.
        Assert.Equal(Gradient.Select(g => (float)Math.Sign(g)).ToArray(), NF.Reshape(perturbations, [-1]).ToArray<float>());

        for (int i = 0; i < Epsilons.Length; i++)
        {
            var advX = image + Epsilons[i] * perturbations;
            advX = NF.ClipByValue(advX, -1, 1);
            Assert.True(NF.ReduceAll(NF.LessEqual(NF.Abs(advX), 1f)).Item<bool>());
            var probs = model.Predict(advX);
            Close(AdvProbs[i], probs[0], 1e-4, 1e-7, $"predictions at eps {Epsilons[i]}");
            Assert.Equal(AdvClasses[i], NF.ArgMax(probs, axis: -1)[0].Item<long>());
        }
    }

    [SkippableFact]
    public void The_pattern_is_the_same_when_the_image_is_a_variable_and_the_model_is_called_in_a_function()
    {
        RequireBackend();
        var model = Build(softmax: true);
        var image = Preprocess(ImageU8(10, 12, phase: 0));
        var label = NF.OneHot(NF.Constant(new[] { 0 }), Classes);
        var (eager, _, _) = CreateAdversarialPattern(model, image, label);

        // A variable is watched without tape.watch, as TensorFlow's trainable variables are.
        var variable = new Variable(image);
        Tensor fromVariable;
        using (var tape = new GradientTape())
        {
            var loss = new Losses.CategoricalCrossentropy().Call(label, model.Call(variable));
            fromVariable = NF.Sign(tape.Gradient(loss, variable));
        }
        Assert.Equal(eager.ToArray<float>(), fromVariable.ToArray<float>());

        // The pattern traced by NF.Function (the tutorial's code under @tf.function), called twice.
        var traced = NF.Function((Tensor x, Tensor y) => CreateAdversarialPattern(model, x, y).SignedGrad);
        Assert.Equal(eager.ToArray<float>(), traced(image, label).ToArray<float>());
        var shifted = image * 0.5f;
        Assert.Equal(CreateAdversarialPattern(model, shifted, label).SignedGrad.ToArray<float>(), traced(shifted, label).ToArray<float>());
    }
}

/// <summary>The FGSM tutorial, on the managed backend.</summary>
public sealed class ManagedTutorialFgsmTests() : TutorialFgsmTests("managed");

/// <summary>The FGSM tutorial, on the native CPU backend.</summary>
public sealed class NativeCpuTutorialFgsmTests() : TutorialFgsmTests("cpu");

/// <summary>The FGSM tutorial, on the CUDA backend.</summary>
public sealed class CudaTutorialFgsmTests() : TutorialFgsmTests("cuda");
