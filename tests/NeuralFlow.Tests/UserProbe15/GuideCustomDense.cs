using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// The functional-API guide's CustomDense as a C# user writes it: weights made in Build
/// ("random_normal"), x @ w + b, and a config of its units so that a model holding it can be
/// rebuilt from <c>GetConfig</c> (registered under "GuideCustomDense", as
/// <c>register_keras_serializable</c> would).
/// </summary>
internal sealed class GuideCustomDense(int units = 32, string? name = null) : Layer(name)
{
    public const string ClassName = "GuideCustomDense";

    public int Units { get; } = units;

    public Variable? W { get; private set; }

    public Variable? B { get; private set; }

    protected override void Build(Shape inputShape)
    {
        W = AddWeight("w", [inputShape[-1], Units], Initializer.Get("random_normal"));
        B = AddWeight("b", [Units], Initializer.Get("random_normal"));
    }

    protected override Tensor Forward(Tensor x) => NF.MatMul(x, W!) + B!;

    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["units"] = Units;
        return config;
    }

    /// <summary>The factory that rebuilds one from its config (Keras' default <c>cls(**config)</c>).</summary>
    public static GuideCustomDense FromConfig(JsonObject c) => new((int)c["units"]!, (string?)c["name"]);

    public static void Register() => KerasSerialization.Register(ClassName, FromConfig);
}
