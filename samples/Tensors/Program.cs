// Workshop sections 1 and 2, forward computations: tensors, broadcasting, variables, and a
// linear regression fitted in closed form. Run: dotnet run --project samples/Tensors [-- --backend managed]
using NeuralFlow;

if (args.Length >= 2 && args[0] == "--backend") NF.UseBackend(args[1]);
Console.WriteLine($"Backend: {NF.Backend.Name} - {NF.Backend.Description}");

Console.WriteLine("\n# 1. Tensors");
var x = NF.Constant(new[] { 1, 2, 3, 4 });
Console.WriteLine(x);
var y = 2 * x + 1;
Console.WriteLine($"2 * x + 1 = {y}");

var vec = NF.Constant(new[] { 1, 2, 3, 4 });
var matrix = NF.Constant(new[,] { { 1, 1, 1, 1 }, { 4, 4, 4, 4 }, { 5, 5, 5, 5 } });
Console.WriteLine($"matrix = {matrix}");
Console.WriteLine($"matrix[1, ..] = {matrix[1, ..]}");
var v = new Variable(matrix);
Console.WriteLine($"v + vec (broadcast) = {v + vec}");
v.Assign(v + vec);
Console.WriteLine($"after v.Assign(v + vec): {v}");
var s = new Variable(0) + NF.Constant(1);
Console.WriteLine($"scalar: {s}");
Console.WriteLine($"x.ToArray<int>() = [{string.Join(", ", x.ToArray<int>())}]");
try { s.Item<float>(); }
catch (InvalidCastException e) { Console.WriteLine($"s.Item<float>() throws: {e.Message}"); }

Console.WriteLine("\n# 2. Linear regression, closed form");
NF.Random.SetSeed(42);
var xs = NF.Range(1f, 5f, 0.1f);
var ys = 3.5f * xs - 1 + NF.Random.Uniform([40], minval: -1, maxval: 1);
Console.WriteLine($"xs = {xs}");
var m = new Variable(1f);
var b = new Variable(0f);
static Tensor Mse(Tensor yTrue, Tensor yPred) => NF.ReduceMean(NF.Square(yTrue - yPred));
Console.WriteLine($"Loss before: {Mse(ys, xs * m + b).Item<float>():F4}");
var sxx = NF.ReduceMean(NF.Square(xs - NF.ReduceMean(xs)));
var sxy = NF.ReduceMean((xs - NF.ReduceMean(xs)) * (ys - NF.ReduceMean(ys)));
m.Assign(sxy / sxx);
b.Assign(NF.ReduceMean(ys) - m * NF.ReduceMean(xs));
Console.WriteLine($"m = {m.Item<float>():F4} (true 3.5), b = {b.Item<float>():F4} (true -1)");
Console.WriteLine($"Loss after: {Mse(ys, xs * m + b).Item<float>():F4}");

Console.WriteLine("\n# Softmax and a matrix product");
var logits = NF.MatMul(NF.Random.Normal([4, 3]), NF.Random.Normal([3, 5]));
var probs = NF.Softmax(logits);
Console.WriteLine($"softmax rows sum to {NF.ReduceSum(probs, axis: 1)}");
Console.WriteLine($"argmax per row: {NF.ArgMax(probs, axis: 1)}");
