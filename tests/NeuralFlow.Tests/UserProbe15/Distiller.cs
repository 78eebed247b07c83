using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's Distiller (examples/vision/knowledge_distillation.py, Keras 3): a Model whose call is
/// the student's and whose ComputeLoss mixes the student's loss on the labels with the
/// KL divergence of the temperature-softened teacher and student distributions (times T^2), so
/// that Keras' default train and test steps train the student on it.
/// </summary>
internal sealed class Distiller(Model student, Model teacher) : Model
{
    private readonly Model _teacher = teacher;
    private readonly Model _student = student;
    private Losses.Loss? _studentLossFn, _distillationLossFn;
    private double _alpha, _temperature;

    /// <summary>The example's compile: super().compile(optimizer, metrics), then the distillation settings.</summary>
    public void Compile(Optimizers.Optimizer optimizer, IEnumerable<object> metrics, Losses.Loss studentLossFn, Losses.Loss distillationLossFn,
                        double alpha = 0.1, double temperature = 3)
    {
        Compile(optimizer, metrics: metrics);
        (_studentLossFn, _distillationLossFn, _alpha, _temperature) = (studentLossFn, distillationLossFn, alpha, temperature);
    }

    public override Tensor ComputeLoss(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, IReadOnlyList<Tensor> yPred, Tensor? sampleWeight = null, bool training = true)
    {
        var teacherPred = _teacher.Call(x[0], training: false);
        var studentLoss = _studentLossFn!.Call(y[0], yPred[0]);
        var distillationLoss = _distillationLossFn!.Call(
            NF.Softmax(teacherPred / _temperature, axis: 1),
            NF.Softmax(yPred[0] / _temperature, axis: 1)) * (_temperature * _temperature);
        return _alpha * studentLoss + (1 - _alpha) * distillationLoss;
    }

    public override Tensor Call(Tensor x) => _student.Call(x);
}
