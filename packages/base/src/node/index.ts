/** @ulseg/base/node: the Node-only pieces (node:fs), kept out of `.` so browser bundles stay clean. */
export { writeAtomic } from './atomic-write.js';
