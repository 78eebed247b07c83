using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>
    /// The metric named <paramref name="name"/>, with its default arguments; "accuracy"/"acc"
    /// resolves to the accuracy that fits <paramref name="loss"/>, as Keras does. The metric is
    /// named by the string given ("mae" logs as "mae", "acc" as "acc"), as Keras 3's
    /// compile_utils.get_metric names every metric given by a string.
    /// </summary>
    public static PredictionMetric Get(string name, Losses.Loss? loss = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var metric = Scoped(name, []) ?? ByName(name, loss);
        metric.Name = name;
        return metric;
    }

    // The metric the open custom-object scopes give this name (Keras' custom_objects): a class's factory, or a function of (y_true, y_pred).
    private static PredictionMetric? Scoped(string name, JsonObject config) =>
        KerasSerialization.Scoped<Func<JsonObject, PredictionMetric>>(name) is { } factory ? factory(config)
        : KerasSerialization.Scoped<Func<Tensor, Tensor, Tensor>>(name) is { } function ? new MeanFunctionMetric(function, name)
        : null;

    private static PredictionMetric ByName(string name, Losses.Loss? loss)
    {
        // Keras' get takes class names too ("CategoricalCrossentropy", "TruePositives").
        var key = Losses.NameKey(name);
        return key switch
        {
            "accuracy" or "acc" => loss switch
            {
                Losses.SparseCategoricalCrossentropy => new SparseCategoricalAccuracy(),
                Losses.CategoricalCrossentropy => new CategoricalAccuracy(),
                Losses.BinaryCrossentropy or Losses.BinaryFocalCrossentropy => new BinaryAccuracy(),
                _ => new Accuracy(),
            },
            "sparse_categorical_accuracy" => new SparseCategoricalAccuracy(),
            "categorical_accuracy" => new CategoricalAccuracy(),
            "binary_accuracy" => new BinaryAccuracy(),
            "top_k_categorical_accuracy" => new TopKCategoricalAccuracy(),
            "sparse_top_k_categorical_accuracy" => new SparseTopKCategoricalAccuracy(),
            "precision" => new Precision(),
            "recall" => new Recall(),
            "auc" => new AUC(),
            "mse" or "mean_squared_error" => new MeanSquaredError(),
            "mae" or "mean_absolute_error" => new MeanAbsoluteError(),
            "rmse" or "root_mean_squared_error" => new RootMeanSquaredError(),
            "f1_score" => new F1Score(),
            "fbeta_score" => new FBetaScore(),
            "binary_crossentropy" or "bce" => new BinaryCrossentropy(),
            "categorical_crossentropy" => new CategoricalCrossentropy(),
            "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(),
            "kl_divergence" or "kld" or "kullback_leibler_divergence" => new KLDivergence(),
            "poisson" => new Poisson(),
            "mape" or "mean_absolute_percentage_error" => new MeanAbsolutePercentageError(),
            "msle" or "mean_squared_logarithmic_error" => new MeanSquaredLogarithmicError(),
            "hinge" => new Hinge(),
            "squared_hinge" => new SquaredHinge(),
            "categorical_hinge" => new CategoricalHinge(),
            "logcosh" or "log_cosh" => new LogCoshError(),
            "cosine_similarity" => new CosineSimilarity(),
            "r2_score" => new R2Score(),
            "true_positives" => new TruePositives(),
            "false_positives" => new FalsePositives(),
            "true_negatives" => new TrueNegatives(),
            "false_negatives" => new FalseNegatives(),
            "log_cosh_error" => new LogCoshError(),
            "f_beta_score" => new FBetaScore(),
            "binary_io_u" => new BinaryIoU(),
            "pearson_correlation" => new PearsonCorrelation(),
            "concordance_correlation" => new ConcordanceCorrelation(),
            // Keras resolves these names to classes whose target value has no default, so its
            // compile fails on them; say which argument is missing.
            "precision_at_recall" or "recall_at_precision" or "sensitivity_at_specificity" or "specificity_at_sensitivity" =>
                throw new ArgumentException(
                    $"The metric '{name}' needs its target value (Keras' {TargetArgument(key)} argument, which has no default): " +
                    $"pass an object, such as new Metrics.{ClassName(key)}(0.8).", nameof(name)),
            _ => throw new ArgumentException(
                $"Unknown metric '{name}'; use one of accuracy, sparse_categorical_accuracy, categorical_accuracy, binary_accuracy, " +
                "top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, precision, recall, auc, mse, mae, root_mean_squared_error, " +
                "f1_score, fbeta_score, true_positives, false_positives, true_negatives, false_negatives, binary_io_u, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, kl_divergence, " +
                "poisson, mape, msle, hinge, squared_hinge, categorical_hinge, logcosh, cosine_similarity, r2_score, pearson_correlation, concordance_correlation " +
                "(IoU, MeanIoU, OneHotIoU and OneHotMeanIoU need numClasses or target classes: pass an object, such as new Metrics.MeanIoU(3); " +
                "so do precision_at_recall, recall_at_precision, sensitivity_at_specificity and specificity_at_sensitivity their target value; " +
                "loading a model compiled with a metric of your own: pass it in customObjects, as Keras' custom_objects).", nameof(name)),
        };
    }

    // Keras' default metric names: the class name in snake_case, but for these two.
    private static string DefaultName(string className) => className switch
    {
        nameof(LogCoshError) => "logcosh",
        nameof(FBetaScore) => "fbeta_score",
        _ => Layer.ToSnakeCase(className),
    };

    // "precision_at_recall" -> "recall"; -> "PrecisionAtRecall".
    private static string TargetArgument(string key) => key[(key.LastIndexOf('_') + 1)..];

    private static string ClassName(string key) =>
        string.Concat(key.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>
    /// Rebuilds a metric from its class name and <see cref="PredictionMetric.GetConfig"/> (as a
    /// model file holds it).
    /// </summary>
    public static PredictionMetric FromConfig(string className, JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (Scoped(className, config) is { } custom) return custom;
        // Keras' {"class_name": ..., "config": ...} identifiers may leave the name out: the class's default then.
        string name = config["name"]?.GetValue<string>() ?? DefaultName(className);
        double D(string key, double fallback) => config[key]?.GetValue<double>() ?? fallback;
        int? I(string key) => config[key]?.GetValue<int>();
        bool B(string key, bool fallback = false) => config[key]?.GetValue<bool>() ?? fallback;
        double[]? A(string key) => config[key]?.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        int[]? Ids(string key) => config[key]?.AsArray().Select(v => v!.GetValue<int>()).ToArray();
        int Classes() => I("num_classes") ?? throw new FormatException($"{className}: no num_classes");
        double Target(string key) => config[key]?.GetValue<double>() ?? throw new FormatException($"{className}: no {key}");
        int[] TargetIds() => Ids("target_class_ids") ?? throw new FormatException($"{className}: no target_class_ids");
        return className switch
        {
            nameof(Accuracy) => new Accuracy(name),
            nameof(BinaryAccuracy) => new BinaryAccuracy(name, D("threshold", 0.5)),
            nameof(CategoricalAccuracy) => new CategoricalAccuracy(name),
            nameof(SparseCategoricalAccuracy) => new SparseCategoricalAccuracy(name),
            nameof(TopKCategoricalAccuracy) => new TopKCategoricalAccuracy(I("k") ?? 5, name),
            nameof(SparseTopKCategoricalAccuracy) => new SparseTopKCategoricalAccuracy(I("k") ?? 5, name, B("from_sorted_ids")),
            nameof(Precision) => new Precision(A("thresholds"), I("top_k"), I("class_id"), name),
            nameof(Recall) => new Recall(A("thresholds"), I("top_k"), I("class_id"), name),
            nameof(AUC) => new AUC(I("num_thresholds") ?? 200, config["curve"]?.GetValue<string>() ?? "ROC",
                config["summation_method"]?.GetValue<string>() ?? "interpolation", A("thresholds"),
                config["multi_label"]?.GetValue<bool>() ?? false, A("label_weights"), config["from_logits"]?.GetValue<bool>() ?? false, name),
            nameof(MeanSquaredError) => new MeanSquaredError(name),
            nameof(MeanAbsoluteError) => new MeanAbsoluteError(name),
            nameof(RootMeanSquaredError) => new RootMeanSquaredError(name),
            nameof(IoU) => new IoU(Classes(), TargetIds(), name, I("ignore_class"), B("sparse_y_true", true), B("sparse_y_pred", true), I("axis") ?? -1),
            nameof(MeanIoU) => new MeanIoU(Classes(), name, I("ignore_class"), B("sparse_y_true", true), B("sparse_y_pred", true), I("axis") ?? -1),
            nameof(BinaryIoU) => new BinaryIoU(Ids("target_class_ids"), D("threshold", 0.5), name),
            nameof(OneHotIoU) => new OneHotIoU(Classes(), TargetIds(), name, I("ignore_class"), B("sparse_y_pred", false), I("axis") ?? -1),
            nameof(OneHotMeanIoU) => new OneHotMeanIoU(Classes(), name, I("ignore_class"), B("sparse_y_pred", false), I("axis") ?? -1),
            nameof(R2Score) => new R2Score(config.ContainsKey("class_aggregation") ? config["class_aggregation"]?.GetValue<string>() : "uniform_average", I("num_regressors") ?? 0, name),
            nameof(F1Score) => new F1Score(config["average"]?.GetValue<string>(), config["threshold"]?.GetValue<double>(), name),
            nameof(FBetaScore) => new FBetaScore(config["average"]?.GetValue<string>(), D("beta", 1), config["threshold"]?.GetValue<double>(), name),
            nameof(BinaryCrossentropy) => new BinaryCrossentropy(B("from_logits"), D("label_smoothing", 0), name),
            nameof(CategoricalCrossentropy) => new CategoricalCrossentropy(B("from_logits"), D("label_smoothing", 0), name),
            nameof(SparseCategoricalCrossentropy) => new SparseCategoricalCrossentropy(B("from_logits"), name),
            nameof(KLDivergence) => new KLDivergence(name),
            nameof(Poisson) => new Poisson(name),
            nameof(MeanAbsolutePercentageError) => new MeanAbsolutePercentageError(name),
            nameof(MeanSquaredLogarithmicError) => new MeanSquaredLogarithmicError(name),
            nameof(Hinge) => new Hinge(name),
            nameof(SquaredHinge) => new SquaredHinge(name),
            nameof(CategoricalHinge) => new CategoricalHinge(name),
            nameof(LogCoshError) => new LogCoshError(name),
            nameof(CosineSimilarity) => new CosineSimilarity(I("axis") ?? -1, name),
            nameof(TruePositives) => new TruePositives(A("thresholds"), name),
            nameof(FalsePositives) => new FalsePositives(A("thresholds"), name),
            nameof(TrueNegatives) => new TrueNegatives(A("thresholds"), name),
            nameof(FalseNegatives) => new FalseNegatives(A("thresholds"), name),
            nameof(PearsonCorrelation) => new PearsonCorrelation(name, I("axis") ?? -1),
            nameof(ConcordanceCorrelation) => new ConcordanceCorrelation(name, I("axis") ?? -1),
            nameof(PrecisionAtRecall) => new PrecisionAtRecall(Target("recall"), I("num_thresholds") ?? 200, I("class_id"), name),
            nameof(RecallAtPrecision) => new RecallAtPrecision(Target("precision"), I("num_thresholds") ?? 200, I("class_id"), name),
            nameof(SensitivityAtSpecificity) => new SensitivityAtSpecificity(Target("specificity"), I("num_thresholds") ?? 200, I("class_id"), name),
            nameof(SpecificityAtSensitivity) => new SpecificityAtSensitivity(Target("sensitivity"), I("num_thresholds") ?? 200, I("class_id"), name),
            _ => throw new FormatException($"unknown metric class '{className}' (a metric of your own: pass its factory in customObjects, as Keras' custom_objects)"),
        };
    }
}
