namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What Conv3D and Conv3DTranspose share: a convolution over volumes whose window, strides and
    /// dilation are (depth, height, width) triples, each given as one value (all three) or three.
    /// </summary>
    public abstract class Convolution3D : Convolution
    {
        private protected Convolution3D(string layer, int[] kernelSize, int[]? strides, string padding, int[]? dilationRate, string dataFormat,
                                        ActivationFunction? activation, bool useBias, Initializer? kernelInitializer, Initializer? biasInitializer,
                                        string? name)
            : base(PoolingArgs.Triple(layer, nameof(kernelSize), kernelSize), PoolingArgs.Triple(layer, nameof(strides), strides ?? [1]),
                   PoolingArgs.Padding(layer, padding), PoolingArgs.Triple(layer, nameof(dilationRate), dilationRate ?? [1]),
                   PoolingArgs.DataFormat(layer, dataFormat), activation, useBias, kernelInitializer, biasInitializer, name)
        {
        }
    }
}
