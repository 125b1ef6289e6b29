/**
 * Gradient check: the autograd result of Σ w·f(x...) against float64 central finite differences of a float64
 * reference of f, and the forward against the same reference.
 */
import { assertClose, numericalGradient, randomArray, weightedSum } from '@ulseg/kernels/testing';
import { F, Tensor } from '../src/index.js';
export async function gradcheck(gpu, random, spec, label) {
    const values = spec.shapes.map((shape, index) => randomArray(random, shape.reduce((product, size) => product * size, 1), spec.ranges?.[index] ?? {}));
    const inputs = values.map((data, index) => Tensor.fromArray(gpu, data, spec.shapes[index], { requiresGrad: true }));
    const y = spec.forward(inputs);
    const expected = spec.reference(values.map((data) => Float64Array.from(data)));
    assertClose(await y.toArray(), expected, 'elementwise', `${label} forward`);
    const weights = randomArray(random, y.size);
    const w = Tensor.fromArray(gpu, weights, y.shape);
    const loss = F.sum(F.mul(y, w));
    loss.backward();
    for (let index = 0; index < inputs.length; index++) {
        const numeric = numericalGradient((x) => weightedSum(spec.reference(values.map((data, j) => (j === index ? x : Float64Array.from(data)))), weights), values[index], spec.step ?? 1e-4);
        const grad = inputs[index].grad;
        if (!grad)
            throw new Error(`${label}: input ${index} received no gradient`);
        assertClose(await grad.toArray(), numeric, 'finiteDifference', `${label} d/dinput${index}`);
    }
    for (const tensor of [...inputs, y, w, loss])
        tensor.dispose();
}
//# sourceMappingURL=gradcheck.js.map