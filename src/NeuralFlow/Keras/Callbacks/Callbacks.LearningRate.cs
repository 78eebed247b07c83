using System.Globalization;

namespace NeuralFlow.Keras;

public static partial class Callbacks
{
    /// <summary>
    /// Sets the optimizer's learning rate at the start of each epoch to
    /// <c>schedule(epoch, currentRate)</c> (<c>tf.keras.callbacks.LearningRateScheduler</c>);
    /// epochs count from 0. A rate that is not a positive finite number is an error naming the epoch.
    /// </summary>
    public sealed class LearningRateScheduler(Func<int, double, double> schedule, int verbose = 0) : Callback
    {
        private readonly Func<int, double, double> _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

        /// <summary>A schedule of the epoch alone (Keras accepts <c>schedule(epoch)</c> too).</summary>
        public LearningRateScheduler(Func<int, double> schedule, int verbose = 0)
            : this(schedule is null ? throw new ArgumentNullException(nameof(schedule)) : (epoch, _) => schedule(epoch), verbose) { }

        /// <inheritdoc/>
        public override void OnEpochBegin(int epoch)
        {
            var optimizer = OptimizerOf(Model, nameof(LearningRateScheduler));
            double rate = _schedule(epoch, optimizer.CurrentLearningRate);
            if (!double.IsFinite(rate) || rate < 0)
                throw new InvalidOperationException($"LearningRateScheduler: the schedule returned {rate} for epoch {epoch}; a learning rate must be a finite number >= 0.");
            optimizer.LearningRate = rate;
            if (verbose > 0)
                Console.WriteLine($"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {rate.ToString("R", CultureInfo.InvariantCulture)}.");
        }

        /// <inheritdoc/>
        internal override void AddEpochLogs(Dictionary<string, float> logs) => LogLearningRate(Model, logs, nameof(LearningRateScheduler));
    }

    /// <summary>
    /// Multiplies the learning rate by <c>factor</c> when <c>monitor</c>
    /// has not improved by more than <c>minDelta</c> for <c>patience</c>
    /// epochs, then waits <c>cooldown</c> epochs before counting again, never going
    /// below <c>minLr</c> (<c>tf.keras.callbacks.ReduceLROnPlateau</c>, Keras 3's rule).
    /// An epoch without the monitored log changes nothing, with a warning to <see cref="NF.WarningLog"/>
    /// (once per run), as Keras 3.
    /// </summary>
    public sealed class ReduceLROnPlateau : Callback
    {
        private readonly Improvement _best;
        private readonly double _factor, _minLr;
        private readonly int _patience, _cooldown, _verbose;
        private int _wait, _cooldownCounter;

        /// <summary>A callback with Keras' arguments and defaults.</summary>
        public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, int verbose = 0,
                                 string mode = "auto", double minDelta = 1e-4, int cooldown = 0, double minLr = 0)
        {
            if (!(factor < 1.0) || !(factor >= 0))
                throw new ArgumentOutOfRangeException(nameof(factor), factor, "ReduceLROnPlateau: factor must be in [0, 1): it multiplies the learning rate.");
            ArgumentOutOfRangeException.ThrowIfNegative(patience);
            ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
            if (!(minLr >= 0)) throw new ArgumentOutOfRangeException(nameof(minLr), minLr, "ReduceLROnPlateau: minLr must be >= 0.");
            _best = new Improvement(monitor, mode, nameof(ReduceLROnPlateau), Math.Abs(minDelta));
            (_factor, _patience, _verbose, _cooldown, _minLr) = (factor, patience, verbose, cooldown, minLr);
        }

        /// <inheritdoc/>
        public override void OnTrainBegin()
        {
            _best.Reset();
            _wait = 0;
            _cooldownCounter = 0;
        }

        /// <inheritdoc/>
        internal override void AddEpochLogs(Dictionary<string, float> logs) => LogLearningRate(Model, logs, nameof(ReduceLROnPlateau));

        /// <inheritdoc/>
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            // A missing log (Keras 3: a warning) changes nothing, not even the cooldown count.
            if (_best.Current(logs, available =>
                    $"Learning rate reduction is conditioned on metric `{_best.Monitor}` which is not available. Available metrics are: {available}.") is not { } current)
                return;
            if (_cooldownCounter > 0)
            {
                _cooldownCounter--;
                _wait = 0;
            }
            if (_best.Improved(current))
            {
                _wait = 0;
                return;
            }
            // Keras asks in_cooldown() again after the decrement: the last cooldown epoch already counts.
            if (_cooldownCounter > 0 || ++_wait < _patience) return;
            var optimizer = OptimizerOf(Model, nameof(ReduceLROnPlateau));
            double old = optimizer.CurrentLearningRate;
            if (old > (float)_minLr)
            {
                double rate = Math.Max(old * _factor, _minLr);
                optimizer.LearningRate = rate;
                if (_verbose > 0)
                    Console.WriteLine($"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {rate.ToString("R", CultureInfo.InvariantCulture)}.");
                _cooldownCounter = _cooldown;
                _wait = 0;
            }
        }
    }

    // Keras 3's LearningRateScheduler and ReduceLROnPlateau put the rate the epoch ran with into
    // its logs as "learning_rate" (before any reduction), so history.history has it.
    private static void LogLearningRate(Model? model, Dictionary<string, float> logs, string owner) =>
        logs["learning_rate"] = (float)OptimizerOf(model, owner).CurrentLearningRate;

    private static Optimizers.Optimizer OptimizerOf(Model? model, string owner) =>
        model?.Optimizer ?? throw new InvalidOperationException($"{owner} changes the optimizer's learning rate: use it in Fit of a compiled model.");
}
