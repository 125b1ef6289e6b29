/** What the model bench page (model-page.ts) and the Node side say to each other, beside protocol.ts's events. */
import type { AdapterKind } from '@ulseg/kernels';
import type { ModelBenchSettings, ModelDescription, ModelRow } from '../model/schema.js';
import type { PageEvent } from './protocol.js';

export interface ModelPageRunOptions {
  /** `chromium/swiftshader`, `chromium/compat`: prefixes the progress lines. */
  readonly label: string;
  readonly kind: AdapterKind;
  readonly featureLevel: 'core' | 'compatibility';
  readonly settings: ModelBenchSettings;
}

export interface ModelPageDone {
  readonly type: 'done';
  readonly model: ModelDescription;
  readonly rows: ModelRow[];
  readonly peer: { name: string; version: string; device: string } | null;
  readonly notes: string[];
}

export type ModelPageEvent = Exclude<PageEvent, { type: 'done' }> | ModelPageDone;
