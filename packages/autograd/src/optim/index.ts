export { Adam, type AdamConfig, type AdamStateEntry } from './adam.js';
export { CosineAnnealingLR } from './cosine-annealing.js';
export { cosineAnnealingLr } from './lr-schedule.js';
