using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Group normalization (<c>keras.layers.GroupNormalization</c>): the channels of <see cref="Axis"/>
    /// are cut into <see cref="Groups"/> consecutive groups, each normalized per sample over its channels
    /// and the other non-batch axes (<see cref="NF.GroupNormalization"/>), then scaled by gamma and shifted
    /// by beta per channel. The same in training and inference (no moving statistics), so it suits small
    /// batches. groups: -1 is one group per channel (instance normalization), 1 is layer normalization
    /// over all non-batch axes.
    /// </summary>
    public sealed class GroupNormalization : AffineNormalization
    {
        /// <summary>False, as Keras' (<c>self.autocast = False</c>): it normalizes its input in float32 and gives the result in the computation's type.</summary>
        private protected override bool AutocastsInputs => false;

        /// <summary>Keras' defaults: 32 groups of the last axis, epsilon 1e-3, gamma and beta.</summary>
        public GroupNormalization(int groups = 32, int axis = -1, double epsilon = 1e-3, bool center = true, bool scale = true,
                                  Initializer? betaInitializer = null, Initializer? gammaInitializer = null, string? name = null,
                                  Regularizers.Regularizer? betaRegularizer = null, Regularizers.Regularizer? gammaRegularizer = null)
            : base(nameof(GroupNormalization), epsilon, center, scale, betaInitializer, gammaInitializer, name, betaRegularizer, gammaRegularizer)
        {
            Groups = groups >= 1 || groups == -1 ? groups
                : throw new ArgumentOutOfRangeException(nameof(groups), groups, "GroupNormalization: groups must be at least 1, or -1 for one group per channel.");
            Axis = axis;
        }

        /// <summary>The number of groups as given (-1: one per channel; see <see cref="GroupCount"/> once built).</summary>
        public int Groups { get; }

        /// <summary>The groups in use once built (the channel count for -1).</summary>
        public int GroupCount { get; private set; }

        /// <summary>The channel axis whose channels are grouped.</summary>
        public int Axis { get; }

        private int _axis, _channels;

        /// <summary>The channel axis, non-negative (after Build).</summary>
        internal int ChannelAxis => _axis;

        private protected override void WriteAxisConfig(JsonObject c)
        {
            c["groups"] = Groups;
            c["axis"] = Axis;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            _axis = FeatureAxis(Name, inputShape, Axis);
            if (_axis == 0)
                throw new ArgumentException($"{Name}: axis {Axis} is the batch axis of inputs of shape {inputShape}; name the channel axis.");
            _channels = inputShape[_axis];
            int groups = Groups == -1 ? _channels : Groups;
            // Keras' two messages: more groups than channels, or channels that do not split evenly.
            if (groups > _channels)
                throw new ArgumentException($"{Name}: number of groups ({groups}) cannot be more than the number of channels ({_channels}) of inputs of shape {inputShape}.");
            if (_channels % groups != 0)
                throw new ArgumentException($"{Name}: the {_channels} channels of inputs of shape {inputShape} do not split into {groups} groups of equal size.");
            GroupCount = groups;
            AddGammaBeta([_channels]);
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            if (x.Rank != BuildInputShape!.Rank || x.Shape[_axis] != _channels)
                throw new ArgumentException($"{Name}: was built for inputs of shape {BuildInputShape} ({_channels} channels on axis {_axis}), got shape {x.Shape}.", nameof(x));
            return NF.GroupNormalization(InComputeType(x), GroupCount, Gamma, Beta, _axis, Epsilon);
        }
    }
}
