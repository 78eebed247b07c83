using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// The debugging tips' MyAntirectifier (no centring), with the concatenation axis as an argument:
/// axis 0, the example's bug, stacks the batch and must fail in the product with both shapes named;
/// axis 1 is the fix.
/// </summary>
internal sealed class MyAntirectifier(int concatAxis) : Layer
{
    private Variable? _kernel;

    protected override void Build(Shape inputShape)
    {
        int outputDim = inputShape[-1];
        _kernel = AddWeight("kernel", [outputDim * 2, outputDim], Initializer.Get("he_normal"));
    }

    protected override Tensor Forward(Tensor inputs)
    {
        var pos = NF.Relu(inputs);
        var neg = NF.Relu(-inputs);
        var concatenated = NF.Concat([pos, neg], axis: concatAxis);
        return NF.MatMul(concatenated, _kernel!);
    }
}
