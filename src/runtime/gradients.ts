import {
  BatchMatMul,
  type BatchMatMulAttrs,
  backend_util,
  cast,
  type GradConfig,
  greaterEqual,
  lessEqual,
  Maximum,
  Minimum,
  matMul,
  mul,
  type NamedAttrMap,
  neg,
  registerGradient,
  SquaredDifference,
  sub,
  type Tensor,
} from '@tensorflow/tfjs-core';

/**
 * Sums a gradient computed at the broadcast batch shape back to the input's own shape. tfjs-core's
 * BatchMatMul gradient skips this, so any broadcast matMul ([B,T,D] x [D,E], [B,1,..] x [1,H,..])
 * fails under tf.grads on every backend.
 */
function reduceToShape(grad: Tensor, shape: readonly number[]): Tensor {
  if (grad.shape.length === shape.length && grad.shape.every((d, i) => d === shape[i])) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let axis = 0; axis < grad.rank - 2; axis++) {
    const own = axis - lead;
    if (own < 0 || shape[own] === 1) axes.push(axis);
  }
  const summed = axes.length ? grad.sum(axes, true) : grad;
  return summed.reshape([...shape]);
}

const batchMatMulGrad: GradConfig = {
  kernelName: BatchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs?: NamedAttrMap) => {
    const [a, b] = saved as [Tensor, Tensor];
    const dOut = dy as Tensor;
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    const [gradA, gradB]: [() => Tensor, () => Tensor] =
      !transposeA && !transposeB
        ? [() => matMul(dOut, b, false, true), () => matMul(a, dOut, true, false)]
        : !transposeA && transposeB
          ? [() => matMul(dOut, b, false, false), () => matMul(dOut, a, true, false)]
          : transposeA && !transposeB
            ? [() => matMul(b, dOut, false, true), () => matMul(a, dOut, false, false)]
            : [() => matMul(b, dOut, true, true), () => matMul(dOut, a, true, true)];
    return {
      a: () => reduceToShape(gradA(), a.shape),
      b: () => reduceToShape(gradB(), b.shape),
    };
  },
};

/** d(a-b)²: tfjs-core forgets to sum the broadcast axes here too. */
const squaredDifferenceGrad: GradConfig = {
  kernelName: SquaredDifference,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [a, b] = saved as [Tensor, Tensor];
    const twice = () => mul(dy as Tensor, mul(sub(a, b), 2));
    return {
      a: () => sumToShape(twice(), a.shape),
      b: () => sumToShape(neg(twice()), b.shape),
    };
  },
};

/** max/min pass the gradient to the input that won (ties to a), summed over broadcast axes. */
function selectGrad(kernelName: string, aWins: (a: Tensor, b: Tensor) => Tensor): GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
      const [a, b] = saved as [Tensor, Tensor];
      const mask = () => cast(aWins(a, b), 'float32');
      return {
        a: () => sumToShape(mul(dy as Tensor, mask()), a.shape),
        b: () => sumToShape(mul(dy as Tensor, sub(1, mask())), b.shape),
      };
    },
  };
}

/** Sums an element-wise gradient over the axes along which `shape` was broadcast. */
function sumToShape(grad: Tensor, shape: readonly number[]): Tensor {
  const axes = backend_util.getReductionAxes([...shape], grad.shape);
  return (axes.length ? grad.sum(axes) : grad).reshape([...shape]);
}

let installed = false;

/** Replaces tfjs-core gradients that are wrong or missing; idempotent. */
export function installGradientFixes(): void {
  if (installed) return;
  installed = true;
  registerGradient(batchMatMulGrad);
  registerGradient(squaredDifferenceGrad);
  registerGradient(selectGrad(Maximum, greaterEqual));
  registerGradient(selectGrad(Minimum, lessEqual));
}
