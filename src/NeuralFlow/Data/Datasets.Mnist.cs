using NeuralFlow.Data.Sources;

namespace NeuralFlow.Data;

public static partial class Datasets
{
    /// <summary>
    /// MNIST handwritten digits (LeCun, Cortes and Burges, CC BY-SA 3.0): 60,000 training and
    /// 10,000 test images of 28x28 uint8 pixels with labels 0-9 (<c>tf.keras.datasets.mnist</c>).
    /// </summary>
    public static class Mnist
    {
        /// <summary>
        /// Base URLs tried in order for the four files (from <c>NEURALFLOW_MNIST_MIRRORS</c> when
        /// set). Replace the list to use your own mirror.
        /// </summary>
        public static IList<string> Mirrors { get; set; } = MirrorsFrom("NEURALFLOW_MNIST_MIRRORS",
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/");

        // SHA-256 of the original gzip files: the same values appear (in Nix base-32) in nixpkgs'
        // pkgs/data/machine-learning/mnist/default.nix.
        internal static IdxSource Source => new("mnist", "MNIST", Mirrors, [],
            new("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            new("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            new("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            new("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"))
        {
            // Keras keeps MNIST as one archive (keras.datasets.mnist.load_data's mnist.npz), not the four IDX files.
            KerasNpz = "mnist.npz",
        };

        /// <summary>
        /// The full MNIST: <c>((xTrain (60000, 28, 28), yTrain (60000)), (xTest (10000, 28, 28), yTest (10000)))</c>,
        /// uint8. Read from the cache folder (<see cref="CacheFolder"/>("mnist")), else from Keras'
        /// <c>mnist.npz</c> (in <c>~/.keras/datasets</c> or <c>$KERAS_HOME/datasets</c>), else downloaded
        /// into the cache folder from <see cref="Mirrors"/> with SHA-256 checks. Offline, a
        /// <see cref="DatasetUnavailableException"/> says where to put the files; <see cref="LoadSample"/>
        /// needs no files at all.
        /// </summary>
        public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) LoadData() => Source.Load();

        /// <summary>
        /// The 10,000-digit sample embedded in the library (real MNIST digits, about 1,000 per
        /// class): <c>((xTrain (8000, 28, 28), yTrain (8000)), (xTest (2000, 28, 28), yTest (2000)))</c>, uint8.
        /// </summary>
        public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) LoadSample() => IdxSource.LoadEmbedded("mnist-sample");
    }
}
