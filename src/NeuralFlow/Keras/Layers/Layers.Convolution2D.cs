namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What Conv2D, DepthwiseConv2D and Conv2DTranspose share: a convolution over images whose
    /// window, strides and dilation are (height, width) pairs, each given as one value (both) or two.
    /// </summary>
    public abstract class Convolution2D : Convolution
    {
        private protected Convolution2D(string layer, int[] kernelSize, int[]? strides, string padding, int[]? dilationRate, string dataFormat,
                                        ActivationFunction? activation, bool useBias, Initializer? kernelInitializer, Initializer? biasInitializer,
                                        string? name)
            : base(PoolingArgs.Pair(layer, nameof(kernelSize), kernelSize), PoolingArgs.Pair(layer, nameof(strides), strides ?? [1]),
                   PoolingArgs.Padding(layer, padding), PoolingArgs.Pair(layer, nameof(dilationRate), dilationRate ?? [1]),
                   PoolingArgs.DataFormat(layer, dataFormat), activation, useBias, kernelInitializer, biasInitializer, name)
        {
        }
    }
}
