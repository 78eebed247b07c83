using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // The preprocessing and training-only layers in ONNX, as Predict runs them (inference):
    // the random augmentation and noise layers are identities there (RandomCrop resizes its
    // centred window); Rescaling and Normalization are one Mul and one Add (Sub, Div) with
    // constants; Resizing, CenterCrop and RandomCrop resample with the very tables Predict uses
    // (ImageResampling): every method but "nearest" is two MatMuls with the [out, in] weight
    // matrices of the image's fixed size (so area, bicubic and antialias export exactly, which
    // ONNX's Resize op would not), "nearest" two Gathers of the source indices.
    private sealed partial class OnnxGraph
    {
        private string InferenceIdentity(Layer layer, string x, List<long> shape) =>
            layer is IResizingLayer resizing ? Resampling(layer, resizing, x, shape) : Node("Identity", layer.Name, [x]);

        private string Rescaling(Layers.Rescaling layer, string x)
        {
            string y = Node("Mul", $"{layer.Name}/Scale", [x, Scalar(layer.Name, "scale", layer.Scale)]);
            return layer.Offset == 0 ? y : Node("Add", layer.Name, [y, Scalar(layer.Name, "offset", layer.Offset)]);
        }

        private string Standardization(Layers.Normalization layer, string x)
        {
            var (broadcast, mean, std) = layer.InferenceStatistics();
            long[] dims = broadcast.Select(d => (long)d).ToArray();
            string m = Constant($"{layer.Name}/mean", dims, mean), s = Constant($"{layer.Name}/std", dims, std);
            return layer.Invert
                ? Node("Add", layer.Name, [Node("Mul", $"{layer.Name}/Scale", [x, s]), m])
                : Node("Div", layer.Name, [Node("Sub", $"{layer.Name}/Center", [x, m]), s]);
        }

        // AutoContrast as its Apply: each image's channels stretched from their [min, max] over the
        // pixels to the value range and clipped there; a flat channel (max == min) kept as it is.
        private string AutoContrast(Layers.AutoContrast layer, string x, List<long> shape)
        {
            RequireImage(layer, shape);
            var (pixels, keep) = (OnnxWriter.IntsAttribute("axes", [1, 2]), OnnxWriter.IntAttribute("keepdims", 1));
            var (low, high) = layer.ValueRange;
            string least = Node("ReduceMin", $"{layer.Name}/Min", [x], pixels, keep);
            string spread = Node("Sub", $"{layer.Name}/Spread", [Node("ReduceMax", $"{layer.Name}/Max", [x], pixels, keep), least]);
            string flat = Node("LessOrEqual", $"{layer.Name}/Flat", [spread, Scalar(layer.Name, "zero", 0)]);
            string divisor = Node("Where", $"{layer.Name}/Divisor", [flat, Scalar(layer.Name, "one", 1), spread]);
            string unit = Node("Div", $"{layer.Name}/Unit", [Node("Sub", $"{layer.Name}/Shift", [x, least]), divisor]);
            string lowest = Scalar(layer.Name, "low", low);
            string stretched = Node("Add", $"{layer.Name}/Stretch", [Node("Mul", $"{layer.Name}/Scale", [unit, Scalar(layer.Name, "range", high - low)]), lowest]);
            string clipped = Node("Clip", $"{layer.Name}/Clip", [stretched, lowest, Scalar(layer.Name, "high", high)]);
            return Node("Where", layer.Name, [flat, x, clipped]);
        }

        private string Resampling(Layer layer, IResizingLayer resizing, string x, List<long> shape)
        {
            RequireImage(layer, shape);
            int h = checked((int)shape[0]), w = checked((int)shape[1]);
            var (method, antialias, (top, left, rows, columns)) = resizing.InferenceResize(h, w);
            int height = resizing.Height, width = resizing.Width;
            (shape[0], shape[1]) = (height, width);
            if (rows == height && columns == width)
                return rows == h && columns == w ? Node("Identity", layer.Name, [x])
                    : Node("Slice", layer.Name, [x, Ints($"{layer.Name}/starts", [top, left]), Ints($"{layer.Name}/ends", [top + rows, left + columns]), Ints($"{layer.Name}/axes", [1, 2])]);
            if (method == "nearest")
            {
                string byRow = Node("Gather", $"{layer.Name}/Rows", [x, Ints($"{layer.Name}/rows", ToLongs(ImageResampling.NearestIndices(top, rows, height)))], OnnxWriter.IntAttribute("axis", 1));
                return Node("Gather", layer.Name, [byRow, Ints($"{layer.Name}/columns", ToLongs(ImageResampling.NearestIndices(left, columns, width)))], OnnxWriter.IntAttribute("axis", 2));
            }
            return Separable(layer, x, ImageResampling.Weights(method, h, top, rows, height, antialias),
                ImageResampling.Weights(method, w, left, columns, width, antialias), channelsFirst: false);
        }

        // UpSampling2D's "bilinear": the products with the tables the layer's Forward uses.
        private string BilinearUpSampling(Layers.UpSampling2D up, string x, List<long> shape)
        {
            int first = up.DataFormat == "channels_first" ? 1 : 0;
            int h = checked((int)shape[first]), w = checked((int)shape[first + 1]);
            (shape[first], shape[first + 1]) = ((long)h * up.Size[0], (long)w * up.Size[1]);
            return Separable(up, x, ImageResampling.Weights("bilinear", h, 0, h, h * up.Size[0], antialias: false),
                ImageResampling.Weights("bilinear", w, 0, w, w * up.Size[1], antialias: false), up.DataFormat == "channels_first");
        }

        // A separable resampling of images: rows [height, H] @ [N, C, H, W] -> [N, C, height, W], then
        // @ columns^T [W, width]; NHWC images go to NCHW and back around the products.
        private string Separable(Layer layer, string x, double[,] rowWeights, double[,] columnWeights, bool channelsFirst)
        {
            var (height, h) = (rowWeights.GetLength(0), rowWeights.GetLength(1));
            var (width, w) = (columnWeights.GetLength(0), columnWeights.GetLength(1));
            string planar = channelsFirst ? x : Node("Transpose", $"{layer.Name}/ToNCHW", [x], OnnxWriter.IntsAttribute("perm", [0, 3, 1, 2]));
            string r = Node("MatMul", $"{layer.Name}/Rows", [Constant($"{layer.Name}/row_weights", [height, h], Flat(rowWeights, transpose: false)), planar]);
            string columns = $"{layer.Name}/Columns";
            string c = Node("MatMul", channelsFirst ? layer.Name : columns, [r, Constant($"{layer.Name}/column_weights", [w, width], Flat(columnWeights, transpose: true))]);
            return channelsFirst ? c : Node("Transpose", layer.Name, [c], OnnxWriter.IntsAttribute("perm", [0, 2, 3, 1]));
        }

        private static long[] ToLongs(int[] values) => values.Select(v => (long)v).ToArray();

        // A [rows, columns] table's values row by row, or its transpose's.
        private static double[] Flat(double[,] table, bool transpose)
        {
            int rows = table.GetLength(0), columns = table.GetLength(1);
            var flat = new double[rows * columns];
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < columns; j++)
                    flat[transpose ? j * rows + i : i * columns + j] = table[i, j];
            return flat;
        }
    }
}
