namespace NeuralFlow.Data.Sources;

/// <summary>One file of a data set and the SHA-256 of the file as published (lower-case hex).</summary>
internal sealed record RemoteFile(string Name, string Sha256);

/// <summary>
/// A data set of four IDX files (train images, train labels, test images, test labels) in the
/// MNIST layout: where to look for them, where to download them from, and how to read them into
/// <c>((xTrain, yTrain), (xTest, yTest))</c> with the shapes checked.
/// </summary>
internal sealed class IdxSource(string name, string displayName, IList<string> mirrors, string[] extraFolders, params RemoteFile[] files)
{
    public string CacheFolder => Datasets.CacheFolder(name);

    public IReadOnlyList<RemoteFile> Files => files;

    /// <summary>The name of the archive Keras caches this data set as, when it keeps one (mnist.npz), else null.</summary>
    public string? KerasNpz { get; init; }

    /// <summary>
    /// The cache folder's files, else those of an extra folder, else Keras' cached archive, else a
    /// download into the cache folder.
    /// </summary>
    public ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) Load()
    {
        var folder = extraFolders.Prepend(CacheFolder).FirstOrDefault(f => files.All(file => Find(f, file.Name) is not null));
        if (folder is null && KerasNpz is not null && KerasNpzSource.Find(KerasNpz) is { } archive)
            return KerasNpzSource.Read(archive);
        folder ??= Download();
        return Read(file =>
        {
            var path = Find(folder, file)!;
            return (File.OpenRead(path), path);
        });
    }

    /// <summary>Reads the four files of the embedded resource folder <paramref name="resourceFolder"/>.</summary>
    public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) LoadEmbedded(string resourceFolder)
    {
        var assembly = typeof(IdxSource).Assembly;
        return Read(file =>
        {
            var resource = $"NeuralFlow.Data.Resources.{resourceFolder}.{file}";
            return (assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"The embedded resource {resource} is missing from {assembly.GetName().Name}."), resource);
        });
    }

    /// <summary><paramref name="file"/> in <paramref name="folder"/>, gzip or uncompressed (name without .gz), or null.</summary>
    private static string? Find(string folder, string file)
    {
        var gz = Path.Combine(folder, file);
        var raw = Path.Combine(folder, Path.GetFileNameWithoutExtension(file));
        // A directory in a file's place would otherwise look like a missing file, then fail the download's rename.
        Idx.NotADirectory("Datasets.LoadData", gz);
        Idx.NotADirectory("Datasets.LoadData", raw);
        if (File.Exists(gz)) return gz;
        return File.Exists(raw) ? raw : null;
    }

    private static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) Read(Func<string, (Stream Stream, string Name)> open)
    {
        var train = ReadPair(open, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");
        var test = ReadPair(open, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
        return (train, test);
    }

    private static (Tensor X, Tensor Y) ReadPair(Func<string, (Stream Stream, string Name)> open, string imagesFile, string labelsFile)
    {
        var (images, imagesShape, labels, labelsShape) = ReadPairBytes(open, imagesFile, labelsFile);
        return (NF.Constant(images, imagesShape), NF.Constant(labels, labelsShape));
    }

    /// <summary>
    /// The values and shapes of one images/labels pair, checked to belong together (for the
    /// tensors above, and for the fuzz harness in tests/fuzz, which feeds it untrusted bytes).
    /// </summary>
    internal static (byte[] Images, Shape ImagesShape, byte[] Labels, Shape LabelsShape) ReadPairBytes(
        Func<string, (Stream Stream, string Name)> open, string imagesFile, string labelsFile)
    {
        var (images, imagesShape, imagesName) = ReadBytes(open, imagesFile);
        var (labels, labelsShape, labelsName) = ReadBytes(open, labelsFile);
        if (imagesShape.Rank != 3)
            throw new InvalidDataException($"{imagesName} should hold images of shape (N, rows, columns), but its IDX header gives shape {imagesShape}.");
        if (labelsShape.Rank != 1)
            throw new InvalidDataException($"{labelsName} should hold labels of shape (N), but its IDX header gives shape {labelsShape}.");
        if (labelsShape[0] != imagesShape[0])
            throw new InvalidDataException(
                $"{labelsName} has {labelsShape[0]:N0} labels but {imagesName} has {imagesShape[0]:N0} images; the files do not belong together (mixed train/test or a damaged file?).");
        return (images, imagesShape, labels, labelsShape);
    }

    private static (byte[] Data, Shape Shape, string Name) ReadBytes(Func<string, (Stream Stream, string Name)> open, string file)
    {
        var (stream, streamName) = open(file);
        using (stream)
        {
            var (data, shape) = Idx.ReadBytes(stream, streamName);
            return (data, shape, streamName);
        }
    }

    /// <summary>Downloads the missing files into the cache folder and returns it, or throws one clear error.</summary>
    private string Download()
    {
        var folder = CacheFolder;
        EnsureWritable(folder);
        var failures = new List<string>();
        foreach (var file in files.Where(f => Find(folder, f.Name) is null))
        {
            if (!TryMirrors(file, Path.Combine(folder, file.Name), failures))
                throw Unavailable($"{displayName} is not in {folder} and could not be downloaded:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
        }
        return folder;
    }

    private bool TryMirrors(RemoteFile file, string destination, List<string> failures)
    {
        if (mirrors.Count == 0) failures.Add($"  {file.Name}: no mirrors configured");
        foreach (var mirror in mirrors)
        {
            var url = mirror.TrimEnd('/') + "/" + file.Name;
            try
            {
                Downloader.Fetch(url, destination, file.Sha256, Datasets.Progress);
                return true;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or TimeoutException or UnauthorizedAccessException or UriFormatException or InvalidOperationException)
            {
                failures.Add($"  {url}: {e.Message}");
            }
        }
        return false;
    }

    /// <summary>Creates the cache folder and proves a file can be created in it, before any download.</summary>
    private void EnsureWritable(string folder)
    {
        var probe = Path.Combine(folder, $".write-test-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable($"{displayName} is not in {folder}, and that cache folder cannot be written, so it cannot be downloaded there ({e.GetType().Name}: {e.Message}). " +
                "Point NEURALFLOW_DATA at a writable folder.", e);
        }
    }

    private DatasetUnavailableException Unavailable(string problem, Exception? inner = null)
    {
        var names = string.Join(", ", files.Select(f => f.Name));
        var places = extraFolders.Length == 0 ? CacheFolder : $"{CacheFolder} (or {string.Join(", ", extraFolders)})";
        var archive = KerasNpz is null ? "" : $" Keras' {KerasNpz} is read too, at {Path.Combine(Datasets.KerasDatasetFolders()[0], KerasNpz)}.";
        var sample = name == "mnist"
            ? "Datasets.Mnist.LoadSample() needs no files: it returns the embedded 10,000-digit sample."
            : "For a start without any files, Datasets.Mnist.LoadSample() returns an embedded 10,000-digit MNIST sample.";
        return new DatasetUnavailableException(
            $"{problem}{Environment.NewLine}To use {displayName} offline, put the four files {names} (gzip or uncompressed) in {places}; " +
            $"NEURALFLOW_DATA=<folder> makes the cache folder <folder>/{name}.{archive} {sample}", inner);
    }
}
