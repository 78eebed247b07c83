using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's RecommenderNet (examples/structured_data/collaborative_filtering_movielens.py): user
/// and movie embeddings (he_normal, L2 1e-6) and biases; the rating is the sigmoid of
/// tensordot(user, movie, 2) plus both biases. As written in the example, tensordot over both axes
/// of [batch, size] vectors is one scalar for the whole batch, which this port keeps.
/// </summary>
internal sealed class RecommenderNet(int numUsers, int numMovies, int embeddingSize) : Model
{
    private readonly Layers.Embedding _userEmbedding = new(numUsers, embeddingSize, embeddingsInitializer: "he_normal", embeddingsRegularizer: new Regularizers.L2(1e-6));
    private readonly Layers.Embedding _userBias = new(numUsers, 1);
    private readonly Layers.Embedding _movieEmbedding = new(numMovies, embeddingSize, embeddingsInitializer: "he_normal", embeddingsRegularizer: new Regularizers.L2(1e-6));
    private readonly Layers.Embedding _movieBias = new(numMovies, 1);

    public override Tensor Call(Tensor inputs)
    {
        var userVector = _userEmbedding.Call(inputs[.., 0]);
        var userBias = _userBias.Call(inputs[.., 0]);
        var movieVector = _movieEmbedding.Call(inputs[.., 1]);
        var movieBias = _movieBias.Call(inputs[.., 1]);
        var dotUserMovie = NF.Tensordot(userVector, movieVector, 2);
        var x = dotUserMovie + userBias + movieBias;
        return NF.Sigmoid(x);
    }
}
