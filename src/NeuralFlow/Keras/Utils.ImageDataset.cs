using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public static partial class Utils
{
    // Keras' list; NeuralFlow's Resize has the first six.
    private static readonly string[] KerasInterpolations = ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic"];

    private static readonly string[] ImageFormats = [".bmp", ".gif", ".jpeg", ".jpg", ".png"];

    /// <summary>
    /// The images of <paramref name="directory"/> as batches of (images, labels) (Keras'
    /// <c>image_dataset_from_directory</c>): each sub-directory a class (sorted by name, or as
    /// <paramref name="classNames"/> orders and restricts them), images float32
    /// [batch, height, width, channels] (channels first with <paramref name="dataFormat"/>
    /// "channels_first") of values 0..255, resized to <paramref name="imageSize"/> (default 256 x 256)
    /// with <paramref name="interpolation"/> (tf.image.resize's rules), or without distortion with
    /// <paramref name="cropToAspectRatio"/> (the largest centred window of the target's shape) or
    /// <paramref name="padToAspectRatio"/> (tf.image.resize_with_pad: fitted inside, zeros around).
    /// <paramref name="colorMode"/> "rgb", "rgba" or "grayscale" converts as TensorFlow's decoder.
    /// Labels are int32 [batch] ("int"), one-hot float32 ("categorical") or float32 [batch, 1]
    /// ("binary", two classes); <paramref name="labels"/> may give them per file instead
    /// (<see cref="DirectoryLabels.Of(IEnumerable{int})"/>, in the sorted walk order). The file list
    /// is shuffled once with <paramref name="seed"/> exactly as Keras does (numpy's generator), so
    /// <paramref name="validationSplit"/> with <paramref name="subset"/> "training" / "validation"
    /// picks the files Keras picks with that seed, never the same file twice; each pass then
    /// reshuffles within 8 batches. Files are read and decoded batch by batch on a prefetch thread;
    /// a file that does not decode fails the pass with its path. Prints Keras' "Found N files
    /// belonging to C classes." unless <paramref name="verbose"/> is false. The result's
    /// <see cref="DirectoryDataset{T}.ClassNames"/> is Keras' <c>class_names</c>. Without labels call
    /// <see cref="UnlabeledImageDatasetFromDirectory"/>; for both subsets,
    /// <see cref="ImageDatasetsFromDirectory"/>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="ArgumentException">An argument Keras refuses (with its message), or no image was found.</exception>
    public static DirectoryDataset<(Tensor, Tensor)> ImageDatasetFromDirectory(
        string directory, DirectoryLabels labels = default, string? labelMode = "int", IReadOnlyList<string>? classNames = null,
        string colorMode = "rgb", int? batchSize = 32, (int Height, int Width)? imageSize = null, bool shuffle = true, int? seed = null,
        double? validationSplit = null, string? subset = null, string interpolation = "bilinear", bool followLinks = false,
        bool cropToAspectRatio = false, bool padToAspectRatio = false, string dataFormat = "channels_last", bool verbose = true)
    {
        const string op = "ImageDatasetFromDirectory";
        RequireLabels(op, labels, labelMode, "UnlabeledImageDatasetFromDirectory");
        var load = ImageLoader(op, colorMode, imageSize, interpolation, cropToAspectRatio, padToAspectRatio, dataFormat);
        var contents = DirectoryIndex.Read(ImageOptions(op, directory, labels, labelMode, classNames, batchSize, shuffle, seed, validationSplit, subset, followLinks, verbose), both: false);
        return DirectoryPipeline.Labeled(contents.Splits[0], contents, batchSize, load);
    }

    /// <summary>
    /// <see cref="ImageDatasetFromDirectory"/> with Keras' <c>subset="both"</c>:
    /// <c>var (train, val) = Utils.ImageDatasetsFromDirectory("flower_photos", 0.2, seed: 123, imageSize: (180, 180))</c>,
    /// the training and validation datasets of one shuffled list (disjoint; validation not reshuffled per pass).
    /// </summary>
    public static (DirectoryDataset<(Tensor, Tensor)> Training, DirectoryDataset<(Tensor, Tensor)> Validation) ImageDatasetsFromDirectory(
        string directory, double validationSplit, int? seed, DirectoryLabels labels = default, string? labelMode = "int",
        IReadOnlyList<string>? classNames = null, string colorMode = "rgb", int? batchSize = 32, (int Height, int Width)? imageSize = null,
        bool shuffle = true, string interpolation = "bilinear", bool followLinks = false, bool cropToAspectRatio = false,
        bool padToAspectRatio = false, string dataFormat = "channels_last", bool verbose = true)
    {
        const string op = "ImageDatasetsFromDirectory";
        RequireLabels(op, labels, labelMode, "UnlabeledImageDatasetFromDirectory");
        var load = ImageLoader(op, colorMode, imageSize, interpolation, cropToAspectRatio, padToAspectRatio, dataFormat);
        var contents = DirectoryIndex.Read(ImageOptions(op, directory, labels, labelMode, classNames, batchSize, shuffle, seed, validationSplit, null, followLinks, verbose), both: true);
        return (DirectoryPipeline.Labeled(contents.Splits[0], contents, batchSize, load), DirectoryPipeline.Labeled(contents.Splits[1], contents, batchSize, load));
    }

    /// <summary>
    /// <see cref="ImageDatasetFromDirectory"/> without labels (Keras' <c>labels=None</c>): batches of
    /// images alone from every image under <paramref name="directory"/>, e.g. to <c>Predict</c> on.
    /// </summary>
    public static DirectoryDataset<Tensor> UnlabeledImageDatasetFromDirectory(
        string directory, string colorMode = "rgb", int? batchSize = 32, (int Height, int Width)? imageSize = null, bool shuffle = true,
        int? seed = null, double? validationSplit = null, string? subset = null, string interpolation = "bilinear", bool followLinks = false,
        bool cropToAspectRatio = false, bool padToAspectRatio = false, string dataFormat = "channels_last", bool verbose = true)
    {
        const string op = "UnlabeledImageDatasetFromDirectory";
        var load = ImageLoader(op, colorMode, imageSize, interpolation, cropToAspectRatio, padToAspectRatio, dataFormat);
        var contents = DirectoryIndex.Read(ImageOptions(op, directory, DirectoryLabels.None, null, null, batchSize, shuffle, seed, validationSplit, subset, followLinks, verbose), both: false);
        return DirectoryPipeline.Unlabeled(contents.Splits[0], contents, batchSize, load);
    }

    private static DirectoryOptions ImageOptions(string op, string directory, DirectoryLabels labels, string? labelMode, IReadOnlyList<string>? classNames,
        int? batchSize, bool shuffle, int? seed, double? validationSplit, string? subset, bool followLinks, bool verbose) =>
        new(op, "images", ImageFormats, directory, labels, labelMode, classNames, batchSize, shuffle, seed, validationSplit, subset, followLinks, verbose);

    // Keras' argument checks for images, then the batch loader: decode, resize, stack, lay out.
    private static Func<string[], Tensor> ImageLoader(string op, string colorMode, (int Height, int Width)? imageSize, string interpolation,
                                                      bool crop, bool pad, string dataFormat)
    {
        int channels = ColorChannels(op, colorMode);
        var (height, width) = imageSize ?? (256, 256);
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(imageSize), $"{op}: Invalid `image_size` value. Expected a tuple of 2 positive integers. Received: image_size=({height}, {width})");
        string method = interpolation?.ToLowerInvariant() ?? "";
        if (!KerasInterpolations.Contains(method))
            throw new ArgumentException($"{op}: Argument `interpolation` should be one of ({string.Join(", ", KerasInterpolations.Select(m => $"'{m}'"))}). Received: interpolation={interpolation}", nameof(interpolation));
        if (!ImageResampling.Methods.Contains(method))
            throw new NotSupportedException($"{op}: interpolation \"{method}\" is not available in NeuralFlow's resize; use one of {string.Join(", ", ImageResampling.Methods.Select(m => $"\"{m}\""))}.");
        if (crop && pad)
            throw new ArgumentException($"{op}: Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set to `True`.", "padToAspectRatio");
        if (dataFormat is not ("channels_last" or "channels_first"))
            throw new ArgumentException($"{op}: data_format must be \"channels_last\" or \"channels_first\", got \"{dataFormat}\".", nameof(dataFormat));
        return paths =>
        {
            var images = new Tensor[paths.Length];
            for (int i = 0; i < paths.Length; i++)
            {
                using var decoded = DecodeImageFile(op, paths[i], channels);
                var resized = crop ? NF.Image.ResizeCropped(decoded, height, width, method)
                    : pad ? NF.Image.ResizeWithPad(decoded, height, width, method)
                    : NF.Image.Resize(decoded, height, width, method);
                // Keras' images are float32 for every method (TF's nearest would keep uint8).
                images[i] = resized.DType == DType.Float32 ? resized : NF.Cast(resized, DType.Float32);
            }
            var batch = NF.Stack(images);
            return dataFormat == "channels_first" ? NF.Transpose(batch, [0, 3, 1, 2]) : batch;
        };
    }
}
