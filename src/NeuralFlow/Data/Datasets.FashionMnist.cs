using NeuralFlow.Data.Sources;

namespace NeuralFlow.Data;

public static partial class Datasets
{
    /// <summary>
    /// Fashion-MNIST (Xiao, Rasul and Vollgraf, Zalando Research, MIT licence): 60,000 training and
    /// 10,000 test images of clothing, 28x28 uint8, in 10 classes
    /// (<c>tf.keras.datasets.fashion_mnist</c>). A drop-in replacement for MNIST.
    /// </summary>
    public static class FashionMnist
    {
        /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
        public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

        /// <summary>
        /// Base URLs tried in order for the four files (from <c>NEURALFLOW_FASHION_MNIST_MIRRORS</c>
        /// when set): the copy Keras downloads, then Zalando Research's own bucket.
        /// </summary>
        public static IList<string> Mirrors { get; set; } = MirrorsFrom("NEURALFLOW_FASHION_MNIST_MIRRORS",
            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
            "https://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

        // SHA-256 of Zalando's gzip files (as TensorFlow Datasets records them). Debian re-packs the
        // same deflate streams with another gzip header; putting the original header back
        // (mtime 2017-08-31, file name, OS Unix) reproduces exactly these four hashes.
        internal static IdxSource Source => new("fashion-mnist", "Fashion-MNIST", Mirrors,
            [.. KerasDatasetFolders().Select(f => Path.Combine(f, "fashion-mnist")), DebianFolder],
            new("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            new("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            new("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            new("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"));

        /// <summary>
        /// The full Fashion-MNIST: <c>((xTrain (60000, 28, 28), yTrain (60000)), (xTest (10000, 28, 28), yTest (10000)))</c>,
        /// uint8. Read from the cache folder (<see cref="CacheFolder"/>("fashion-mnist")), else from Keras'
        /// cache (<c>~/.keras/datasets/fashion-mnist</c>, or <c>$KERAS_HOME/datasets/fashion-mnist</c>, the
        /// same four files), else from <see cref="DebianFolder"/>, else downloaded into the cache folder
        /// with SHA-256 checks.
        /// There is no embedded sample; offline and absent, a <see cref="DatasetUnavailableException"/>
        /// says where to put the files.
        /// </summary>
        public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) LoadData() => Source.Load();
    }
}
