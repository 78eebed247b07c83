using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe17;

/// <summary>The in-memory rebuilds of a functional model with operations, shared by the symbolic-ops suites.</summary>
internal static class SymbolicOps2Rebuilds
{
    /// <summary>
    /// FromConfig(GetConfig()) and FromJson(ToJson()), given the model's weights, predict
    /// <paramref name="expected"/> on <paramref name="x"/>, and the rebuilt config is the same text.
    /// </summary>
    public static void AssertConfigAndJsonRebuild(Model model, Tensor x, float[] expected)
    {
        var fromConfig = Model.FromConfig(model.GetConfig());
        fromConfig.SetWeights(model.GetWeights());
        Assert.Equal(expected, fromConfig.Predict(x).ToArray<float>());
        Assert.Equal(model.GetConfig().ToJsonString(), fromConfig.GetConfig().ToJsonString());

        var fromJson = Model.FromJson(model.ToJson());
        fromJson.SetWeights(model.GetWeights());
        Assert.Equal(expected, fromJson.Predict(x).ToArray<float>());
    }
}
