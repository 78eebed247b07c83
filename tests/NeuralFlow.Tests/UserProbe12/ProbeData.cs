using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe12;

/// <summary>The data and model the checkpoint probes train: small, seeded, the same in every test.</summary>
internal static class ProbeData
{
    /// <summary><paramref name="rows"/> rows of 4 normal features, labelled 1 where their sum is positive ([rows, 1] floats).</summary>
    public static (Tensor X, Tensor Y) SignOfSum(int rows)
    {
        NF.Random.SetSeed(1);
        var x = NF.Random.Normal([rows, 4]);
        return (x, NF.Reshape(NF.Cast(NF.Greater(NF.ReduceSum(x, [1]), NF.Constant(0f)), DType.Float32), [rows, 1]));
    }

    /// <summary>A seeded 4-3-1 binary classifier compiled with Adam, binary cross-entropy and accuracy.</summary>
    public static Sequential SmallClassifier()
    {
        NF.Random.SetSeed(7);
        var m = new Sequential(Layers.Input([4]), new Layers.Dense(3, activation: "relu"), new Layers.Dense(1, activation: "sigmoid"));
        m.Compile("adam", "binary_crossentropy", ["accuracy"]);
        return m;
    }
}
