/**
 * SegmentationModel's eval forward with each activation freed right after its last consumer: autograd's
 * releaseAfterLastUse with a plan traced from the same forward (once per model, on a [1, C, 32, 32] input: the ops
 * of the forward do not depend on the input's size, and the run checks that they match the plan). The same module
 * forwards run the same kernels in the same order, so the logits are bit-identical to model.forward's; peak memory
 * is what is live at each op, not every activation of the pass.
 */
import { releaseAfterLastUse, releasePlan, traceEval, type ReleasePlan, type Tensor } from '@ulseg/autograd';
import { checkInput, INPUT_MULTIPLE, type SegmentationModel } from '@ulseg/model';

const plans = new WeakMap<SegmentationModel, ReleasePlan>();

function planFor(model: SegmentationModel, x: Tensor): ReleasePlan {
  let plan = plans.get(model);
  if (plan) return plan;
  const traced = traceEval(model, x.gpu, [1, model.config.inChannels, INPUT_MULTIPLE, INPUT_MULTIPLE]);
  traced.dispose();
  plan = releasePlan(traced);
  plans.set(model, plan);
  return plan;
}

export function leanForward(model: SegmentationModel, x: Tensor): Tensor {
  if (model.training) throw new Error('leanForward: for inference only; call model.eval() first');
  checkInput(x, model.config.inChannels);
  const plan = planFor(model, x);
  return releaseAfterLastUse(plan, () => model.forward(x));
}
