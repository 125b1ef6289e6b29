/**
 * ulseg: ultrasound lesion segmentation on hand-written WebGPU kernels. The commands that start a GPU run in a child
 * process whose stderr is passed on without Dawn's limit warnings (dawn-stderr.ts); the parent loads nothing else.
 */
import { runFilteredChild } from './dawn-stderr.js';

/** The commands that start a GPU (evaluate too: its --ablation runs the models). */
const GPU_COMMANDS = new Set(['info', 'demo', 'forward', 'infer', 'postprocess', 'export-onnx', 'train', 'evaluate']);

if (!(await runFilteredChild(GPU_COMMANDS))) await import('./program.js');
