using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// TensorFlow's actor-critic tutorial (tutorials/reinforcement_learning/actor_critic.ipynb) in C#, cell by cell:
/// the ActorCritic model (a shared Dense and two heads), run_episode collecting action probabilities, values and
/// rewards in TensorArrays (tf.TensorArray, which did not exist), get_expected_return, compute_loss (Huber with
/// reduction "sum") and the Adam train step. CartPole is not here: a fixed 5-step episode with the actions given
/// instead of drawn, so that every number is PyTorch's on the same weights (actor_critic_references.py).
/// </summary>
public abstract class TutorialActorCriticTests(string backend) : BackendTest(backend)
{
    private const int Hidden = 8, Actions = 2, Steps = 5;
    private const float Gamma = 0.99f;
    private const float Eps = 1.1920929e-07f;   // np.finfo(np.float32).eps
    private static readonly int[] TakenActions = [0, 1, 1, 0, 1];

    /// <summary>The tutorial's ActorCritic(tf.keras.Model): common, actor and critic layers; call returns both heads.</summary>
    private sealed class ActorCritic : Model
    {
        public readonly Layers.Dense Common = new(Hidden, activation: "relu");
        public readonly Layers.Dense Actor = new(Actions);
        public readonly Layers.Dense Critic = new(1);

        public (Tensor Logits, Tensor Value) Both(Tensor inputs)
        {
            var x = Common.Call(inputs);
            return (Actor.Call(x), Critic.Call(x));
        }

        public override Tensor Call(Tensor inputs) => Actor.Call(Common.Call(inputs));
    }

    private static ActorCritic FixedModel()
    {
        var model = new ActorCritic();
        model.Both(NF.Zeros([1, 4]));
        Fix(model.Common, 4, Hidden);
        Fix(model.Actor, Hidden, Actions);
        Fix(model.Critic, Hidden, 1);
        return model;
    }

    // kernel[i, j] = 0.3 sin(i * out + j + 1), bias[j] = 0.1 cos(j), as the reference script.
    private static void Fix(Layers.Dense layer, int inputs, int outputs)
    {
        var k = new float[inputs, outputs];
        for (int i = 0; i < inputs; i++)
            for (int j = 0; j < outputs; j++) k[i, j] = (float)(0.3 * Math.Sin(i * outputs + j + 1));
        layer.Kernel!.Assign(k);
        layer.Bias!.Assign(Enumerable.Range(0, outputs).Select(j => (float)(0.1 * Math.Cos(j))).ToArray());
    }

    private static Tensor State(int t) =>
        NF.Constant(Enumerable.Range(0, 4).Select(k => (float)(0.5 * Math.Sin(0.7 * t + k))).ToArray());

    // The tutorial's env step: (state, reward, done); done after the fifth step.
    private static (Tensor State, float Reward, bool Done) EnvStep(int t) => (State(t + 1), 1f, t + 1 == Steps);

    private static (Tensor ActionProbs, Tensor Values, Tensor Rewards) RunEpisode(Tensor initialState, ActorCritic model, int maxSteps)
    {
        var actionProbs = new TensorArray(DType.Float32, size: 0, dynamicSize: true);
        var values = new TensorArray(DType.Float32, size: 0, dynamicSize: true);
        var rewards = new TensorArray(DType.Int32, size: 0, dynamicSize: true);
        var state = initialState;
        for (int t = 0; t < maxSteps; t++)
        {
            state = NF.ExpandDims(state, 0);
            var (actionLogits, value) = model.Both(state);
            int action = TakenActions[t];   // tf.random.categorical(action_logits_t, 1)[0, 0] in the tutorial
            var probs = NF.Softmax(actionLogits);
            values = values.Write(t, NF.Squeeze(value));
            actionProbs = actionProbs.Write(t, probs[0, action]);
            (state, float reward, bool done) = EnvStep(t);
            rewards = rewards.Write(t, NF.Constant((int)reward));
            if (done) break;
        }
        return (actionProbs.Stack(), values.Stack(), rewards.Stack());
    }

    private static Tensor GetExpectedReturn(Tensor rewards, float gamma, bool standardize = true)
    {
        int n = rewards.Shape[0];
        var returns = new TensorArray(DType.Float32, size: n);
        rewards = NF.Cast(NF.Reverse(rewards, [0]), DType.Float32);
        Tensor discountedSum = NF.Constant(0.0f);
        for (int i = 0; i < n; i++)
        {
            discountedSum = rewards[i] + gamma * discountedSum;
            returns = returns.Write(i, discountedSum);
        }
        var stacked = NF.Reverse(returns.Stack(), [0]);
        if (standardize)
            stacked = (stacked - NF.ReduceMean(stacked)) / (NF.ReduceStd(stacked) + Eps);
        return stacked;
    }

    private static readonly Losses.Huber HuberLoss = new(reduction: "sum");

    private static Tensor ComputeLoss(Tensor actionProbs, Tensor values, Tensor returns)
    {
        var advantage = returns - values;
        var actionLogProbs = NF.Log(actionProbs);
        var actorLoss = -NF.ReduceSum(actionLogProbs * advantage);
        var criticLoss = HuberLoss.Call(values, returns);
        return actorLoss + criticLoss;
    }

    [SkippableFact]
    public void Expected_returns_and_the_episode_match_pytorch()
    {
        RequireBackend();
        var ones = NF.Ones([Steps], DType.Int32);
        Near([4.900995254516602f, 3.940398931503296f, 2.970099925994873f, 1.9900000095367432f, 1.0f], GetExpectedReturn(ones, Gamma, standardize: false), 1e-6f);
        Near([1.407096266746521f, 0.7106186747550964f, 0.007106122560799122f, -0.7035125494003296f, -1.421309232711792f], GetExpectedReturn(ones, Gamma), 1e-5f);

        var model = FixedModel();
        var (probs, values, rewards) = RunEpisode(State(0), model, maxSteps: 500);
        Assert.Equal(new Shape(Steps), probs.Shape);
        Assert.Equal(DType.Int32, rewards.DType);
        Assert.Equal(Steps, NF.ReduceSum(rewards).Item<int>());
        Near([0.510811984539032f, 0.5047473311424255f, 0.4990006387233734f, 0.5172409415245056f, 0.4679063558578491f], probs, 1e-6f);
        Near([0.07898915559053421f, 0.1801633983850479f, 0.28948289155960083f, 0.3567070960998535f, 0.3397713005542755f], values, 1e-6f);
    }

    [SkippableFact]
    public void The_train_step_matches_pytorch()
    {
        RequireBackend();
        var model = FixedModel();
        var optimizer = new Optimizers.Adam(learningRate: 0.01);
        Tensor TrainStep(out Tensor criticBiasGrad)
        {
            using var tape = new GradientTape();
            var (actionProbs, values, rewards) = RunEpisode(State(0), model, 500);
            var returns = GetExpectedReturn(rewards, Gamma);
            (actionProbs, values, returns) = (NF.ExpandDims(actionProbs, 1), NF.ExpandDims(values, 1), NF.ExpandDims(returns, 1));
            var loss = ComputeLoss(actionProbs, values, returns);
            var grads = tape.Gradient(loss, model.TrainableVariables);
            criticBiasGrad = grads[model.TrainableVariables.ToList().IndexOf(model.Critic.Bias!)];
            optimizer.ApplyGradients(grads.Zip(model.TrainableVariables));
            return loss;
        }
        Assert.Equal(1.8520411252975464f, TrainStep(out var biasGrad).Item<float>(), 5);
        Near([-2.7174110412597656f], biasGrad, 1e-5f);
        Assert.Equal(1.7318795919418335f, TrainStep(out _).Item<float>(), 4);
    }

    [SkippableFact]
    public void The_train_step_compiled_as_the_tutorial_does_replays_with_the_eager_numbers()
    {
        RequireBackend();
        // @tf.function def train_step(initial_state, ...): the episode loop unrolls at the trace (its length is C#'s).
        Func<Tensor, Tensor> Step(ActorCritic model, Optimizers.Optimizer optimizer) => initialState =>
        {
            using var tape = new GradientTape();
            var (actionProbs, values, rewards) = RunEpisode(initialState, model, 500);
            var returns = GetExpectedReturn(rewards, Gamma);
            var loss = ComputeLoss(NF.ExpandDims(actionProbs, 1), NF.ExpandDims(values, 1), NF.ExpandDims(returns, 1));
            optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables).Zip(model.TrainableVariables));
            return NF.ReduceSum(rewards);
        };
        var eagerModel = FixedModel();
        var eager = Step(eagerModel, new Optimizers.Adam(learningRate: 0.01));
        var compiledModel = FixedModel();
        var compiled = NF.Function(Step(compiledModel, new Optimizers.Adam(learningRate: 0.01)));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(eager(State(0)).Item<int>(), compiled(State(0)).Item<int>());
            Assert.Equal(eagerModel.Critic.Bias!.ToArray<float>(), compiledModel.Critic.Bias!.ToArray<float>());
        }
        Assert.True(TracedFunction.Of(compiled).LastCallReplayed, TracedFunction.Of(compiled).EagerReason);
    }

    [SkippableFact]
    public void Tensor_arrays_check_what_tensorflow_checks()
    {
        RequireBackend();
        var fixedSize = new TensorArray(DType.Float32, size: 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => fixedSize.Write(2, NF.Constant(1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => fixedSize.Write(-1, NF.Constant(1f)));
        Assert.Throws<ArgumentException>(() => fixedSize.Write(0, NF.Constant(1.0)));   // float64 into float32
        fixedSize.Write(1, NF.Constant(new[] { 1f, 2f }));
        Assert.Throws<ArgumentException>(() => fixedSize.Write(0, NF.Constant(new[] { 1f, 2f, 3f })));
        // An element never written reads as zeros of the element shape, as TF's eager TensorArray.
        Near([0f, 0f, 1f, 2f], NF.Reshape(fixedSize.Stack(), [4]), 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => fixedSize.Read(2));
        var unknown = new TensorArray(DType.Float32, size: 1);
        Assert.Throws<InvalidOperationException>(() => unknown.Stack());
        Assert.Equal(new Shape(0, 3), new TensorArray(DType.Float32, elementShape: new Shape(3)).Stack().Shape);

        var grown = new TensorArray(DType.Float32, dynamicSize: true).Unstack(NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f }, { 5f, 6f } }));
        Assert.Equal(3, grown.Size);
        Near([5f, 6f, 1f, 2f], NF.Reshape(grown.Gather([2, 0]), [4]), 0);
        var ragged = new TensorArray(DType.Float32, dynamicSize: true, inferShape: false)
            .Write(0, NF.Constant(new[] { 1f })).Write(1, NF.Constant(new[] { 2f, 3f }));
        Near([1f, 2f, 3f], ragged.Concat(), 0);
        Assert.Throws<InvalidOperationException>(() => ragged.Stack());

        // Gradients reach the tensors written.
        var w = new Variable(NF.Constant(new[] { 1f, 2f }));
        using var tape = new GradientTape();
        var ta = new TensorArray(DType.Float32, size: 3);
        for (int i = 0; i < 3; i++) ta = ta.Write(i, w * (i + 1));
        var g = tape.Gradient(NF.ReduceSum(ta.Stack()), w);
        Near([6f, 6f], g, 0);
    }

    private static void Near(float[] want, Tensor got, float tolerance)
    {
        var values = got.ToArray<float>();
        Assert.Equal(want.Length, values.Length);
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(values[i] - want[i]) <= tolerance * Math.Max(1, Math.Abs(want[i])), $"[{i}]: {values[i]:R}, want {want[i]:R}");
    }
}

/// <summary>The actor-critic tutorial on the managed backend.</summary>
public sealed class ManagedTutorialActorCriticTests() : TutorialActorCriticTests("managed");

/// <summary>The actor-critic tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialActorCriticTests() : TutorialActorCriticTests("cpu");

/// <summary>The actor-critic tutorial on CUDA.</summary>
public sealed class CudaTutorialActorCriticTests() : TutorialActorCriticTests("cuda");
