using System.Globalization;

namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>
    /// What a metric's <c>Call</c> returns (Keras' <c>metric(...)</c>): the result so far, a number. Eagerly it is read at
    /// the call. Inside a compiled step (<c>NF.Function</c>) it is read only where it is used as a number, so a step that
    /// calls a metric for its update alone (the quickstart's <c>train_loss(loss)</c> in a tf.function) keeps replaying;
    /// a step that uses the number runs eagerly instead (a replay could not give it back), its reason naming the metric.
    /// </summary>
    public readonly struct CallResult : IEquatable<CallResult>, IFormattable
    {
        private readonly float _value;
        private readonly Metric? _unread;

        private CallResult(float value, Metric? unread)
        {
            _value = value;
            _unread = unread;
        }

        // Read now, unless a trace records: then at the first use as a number.
        internal static CallResult Of(Metric metric) =>
            FunctionTrace.Current is null ? new(metric.Result(), null) : new(0f, metric);

        /// <summary>The number (in a compiled step: the metric's result when it is read).</summary>
        public float Value
        {
            get
            {
                if (_unread is null) return _value;
                FunctionTrace.Current?.Fail(
                    $"Metrics.{_unread.GetType().Name} '{_unread.Name}': the number Call returned was used in the step; a replay cannot give " +
                    "a host number back. Call the metric (or UpdateState) for its update alone, and read Result() outside the step");
                return _unread.Result();
            }
        }

        /// <summary>The number (see <see cref="Value"/>).</summary>
        public static implicit operator float(CallResult result) => result.Value;

        /// <inheritdoc/>
        public bool Equals(CallResult other) => Value.Equals(other.Value);

        /// <inheritdoc/>
        public override bool Equals(object? obj) => obj is CallResult other && Equals(other);

        /// <inheritdoc/>
        public override int GetHashCode() => Value.GetHashCode();

        /// <summary>The number, as a float prints.</summary>
        public override string ToString() => Value.ToString(CultureInfo.CurrentCulture);

        /// <inheritdoc/>
        public string ToString(string? format, IFormatProvider? formatProvider) => Value.ToString(format, formatProvider);

        /// <summary>Equal numbers.</summary>
        public static bool operator ==(CallResult a, CallResult b) => a.Equals(b);

        /// <summary>Different numbers.</summary>
        public static bool operator !=(CallResult a, CallResult b) => !a.Equals(b);
    }
}
