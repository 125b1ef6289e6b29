export { Module, Sequential, ModuleList, type StateEntry, type LoadReport } from './module.js';
export { uniform, kaimingUniformBound } from './init.js';
