/**
 * SegmentationModel's eval forward with each activation freed right after its last consumer: autograd's
 * releaseAfterLastUse with a plan traced from the same forward (once per model, on a [1, C, S, S] input, S the
 * network's smallest input: 32, PAN 128; the ops of the forward do not depend on the input's size, and the run
 * checks that they match the plan). The same module forwards run the same kernels in the same order, so the logits
 * are bit-identical to model.forward's; peak memory is what is live at each op, not every activation of the pass.
 */
import { releaseAfterLastUse, releasePlan, traceEval, type ReleasePlan, type Tensor } from '@ulseg/autograd';
import { checkInput, smallestInput, type SegmentationModel } from '@ulseg/model';

const plans = new WeakMap<SegmentationModel, ReleasePlan>();

function planFor(model: SegmentationModel, x: Tensor): ReleasePlan {
  let plan = plans.get(model);
  if (plan) return plan;
  const side = smallestInput(model.network);
  const traced = traceEval(model, x.gpu, [1, model.config.inChannels, side, side]);
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
