/** What the page shows and what it leaves on `window.ulsegWeb` for scripts and tests. */
import type { GpuInfo } from '@ulseg/kernels';
import type { TrainStep } from './train.js';
import type { EpochRow } from '@ulseg/train';

export interface PageState {
  gpu?: GpuInfo;
  /** Set when the page cannot run (no WebGPU, an adapter limit, a bad parameter). */
  fatal?: string;
  weights: { name: string; bytes: number; encoder: string }[];
  segment?: {
    scan: string;
    width: number;
    height: number;
    /** Base64 of the bytes: masks {0, 255} H × W; probability float32 little-endian H × W. */
    mask: string;
    rawMask: string;
    probability: string;
    removedRegions: number;
    timings: { decode: number; ensemble: number; postprocess: number; total: number; models: { name: string; encoder: string; loadMs: number; passMs: number }[] };
  };
  train?: { steps: TrainStep[]; epochs: EpochRow[]; seconds?: number };
  /** Every error shown to the user, as shown. */
  errors: string[];
}

declare global {
  interface Window {
    ulsegWeb?: PageState;
  }
}

export function pageState(): PageState {
  window.ulsegWeb ??= { weights: [], errors: [] };
  return window.ulsegWeb;
}

export function base64(bytes: Uint8Array): string {
  let text = '';
  for (let start = 0; start < bytes.length; start += 0x8000) text += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  return btoa(text);
}

/** `Name: message` without a stack: what a user can act on. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.startsWith(`${error.name}:`) || error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}

export function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** Sets `data-<key>` on body: the page's phases (gpu, weights, segment, train) for scripts and tests to wait on. */
export function setPhase(key: 'gpu' | 'weights' | 'segment' | 'train', value: string): void {
  document.body.dataset[key] = value;
}

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}
