// Workshop sections 2 and 3: a linear regression fitted in closed form, then by gradient descent
// with a GradientTape, then as a Linear class trained by an optimizer.
//   dotnet run --project samples/LinearRegression -- [--steps 100] [--backend cpu|managed] [--plot fit.png]
using NeuralFlow;
using NeuralFlow.Keras;
using NeuralFlow.Plotting;

int steps = 100;
string? plotFile = null;
if (SampleOptions.Parse(args, "LinearRegression [--steps N] [--backend cpu|managed] [--plot FILE.png]", new()
{
    ["--steps"] = v => steps = int.Parse(v),
    ["--epochs"] = v => steps = int.Parse(v),
    ["--plot"] = v => plotFile = v,
}) is int exit) return exit;

Console.WriteLine($"Backend: {NF.Backend.Name} - {NF.Backend.Description}");
NF.Random.SetSeed(42);
var xs = NF.Range(1f, 5f, 0.1f);                                   // 40 float32 values
var ys = 3.5f * xs - 1 + NF.Random.Uniform([40], minval: -1, maxval: 1);
Console.WriteLine($"{xs.Shape[0]} points, y = 3.5 x - 1 + noise");

var m = new Variable(1f);
var b = new Variable(0f);
static Tensor Mse(Tensor yTrue, Tensor yPred) => NF.ReduceMean(NF.Square(yTrue - yPred));

Console.WriteLine("\n# Closed form");
var sxx = NF.ReduceMean(NF.Square(xs - NF.ReduceMean(xs)));
var sxy = NF.ReduceMean((xs - NF.ReduceMean(xs)) * (ys - NF.ReduceMean(ys)));
m.Assign(sxy / sxx);
b.Assign(NF.ReduceMean(ys) - m * NF.ReduceMean(xs));
Console.WriteLine($"m = {m.Item<float>():F4}, b = {b.Item<float>():F4}, loss = {Mse(ys, xs * m + b).Item<float>():F4}");

Console.WriteLine("\n# Gradient descent with a tape");
m.Assign(NF.Constant(1f));
b.Assign(NF.Constant(0f));
const float lr = 0.05f;
for (int step = 0; step < steps; step++)
{
    using var tape = new GradientTape();
    var loss = Mse(ys, xs * m + b);
    var grads = tape.Gradient(loss, [m, b]);                       // one gradient per source, in order
    m.AssignSub(lr * grads[0]!);
    b.AssignSub(lr * grads[1]!);
    if (step % 10 == 0) Console.WriteLine($"Loss: {loss.Item<float>():F4}");
}
Console.WriteLine($"Tape: m = {m.Item<float>():F4}, b = {b.Item<float>():F4}, loss = {Mse(ys, xs * m + b).Item<float>():F4}");

Console.WriteLine("\n# A Linear class and an optimizer");
var model = new Linear(1, 1);
var x2 = NF.Reshape(xs, [-1, 1]);
var y2 = NF.Reshape(ys, [-1, 1]);
var optimizer = new Optimizers.SGD(learningRate: 0.05f);
for (int step = 0; step < steps; step++)
{
    using var tape = new GradientTape();
    var loss = Mse(y2, model.Call(x2));
    optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
    if (step % 10 == 0) Console.WriteLine($"Loss: {loss.Item<float>():F4}");
}
float slope = model.W.ToArray<float>()[0], intercept = model.B.ToArray<float>()[0];
Console.WriteLine($"Linear: W = {slope:F4}, B = {intercept:F4}, loss = {Mse(y2, model.Call(x2)).Item<float>():F4}");

if (plotFile is not null)
    Console.WriteLine($"Plot: {Plots.ScatterWithLine(xs, ys, slope, intercept, plotFile)}");
return 0;

/// <summary>The workshop's hand-written dense layer: y = x W + B.</summary>
class Linear
{
    public Variable W { get; }
    public Variable B { get; }
    public Linear(int inputs, int outputs)
    {
        W = new Variable(NF.Random.Normal([inputs, outputs]));
        B = new Variable(NF.Zeros([outputs]));
    }
    public Tensor Call(Tensor x) => NF.MatMul(x, W) + B;
    public IReadOnlyList<Variable> TrainableVariables => [W, B];
}
