using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // SeparableConv1D and SeparableConv2D in ONNX: the two steps the layer runs, each a standard
    // Conv. The depthwise step is Conv with one group per channel (as DepthwiseConv1D/2D export),
    // windowed by the layer's strides, padding and dilation, without the bias; the pointwise step
    // is a 1x1 (or 1-step) Conv to the filters that adds the bias. Spatial and Sequence wrap both in
    // the layout Transposes and apply the activation.
    private sealed partial class OnnxGraph
    {
        private (string Y, long OH, long OW, long Channels) SeparableConv(Layers.SeparableConv2D sep, string nchw, Shape input)
        {
            var (depthwise, oh, ow, _) = Conv(sep, $"{sep.Name}/depthwise", nchw, input, input[3], DepthwiseWeight(sep.Kernel!),
                                                 input[3] * sep.DepthMultiplier, bias: null);
            return (Pointwise(sep, depthwise, spatialRank: 2), oh, ow, sep.Filters);
        }

        private (string Y, long Steps, long Channels) SeparableSteps(Layers.SeparableConv1D sep, string ncl, int length, int channels)
        {
            var (depthwise, steps) = WindowedSteps(sep, $"{sep.Name}/depthwise", ncl, length, DepthwiseWeight(sep.Kernel!), channels, bias: null);
            return (Pointwise(sep, depthwise, spatialRank: 1), steps, sep.Filters);
        }

        /// <summary>The pointwise step: the [1.., C * M, filters] kernel as ONNX's [filters, C * M, 1..], and the bias.</summary>
        private string Pointwise(Layers.SeparableConvolution sep, string depthwise, int spatialRank)
        {
            string kernel = OihwWeight(sep.PointwiseKernel!, sep.PointwiseKernel!);
            return Node("Conv", sep.Name, ConvInputs(depthwise, kernel, sep.Bias), OnnxWriter.IntsAttribute("kernel_shape", Enumerable.Repeat(1L, spatialRank)));
        }
    }
}
